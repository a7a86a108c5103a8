"""Coverage of a scenario by its own tests, by exploration or by random playthroughs."""

from __future__ import annotations

from typing import Any

from trainer.authoring.explore import Coverage, explore
from trainer.authoring.graph import CoverageMarks
from trainer.authoring.runner import run_scenario_tests
from trainer.scenario.model import Scenario


def tests_coverage(scenario: Scenario, scorer: Any = None, flag_severity=None) -> Coverage:
    coverage = Coverage()
    for outcome in run_scenario_tests(scenario, scorer, flag_severity):
        if outcome.state is not None:
            coverage.add_state(outcome.state)
    return coverage


def coverage_marks(scenario: Scenario, mode: str, scorer: Any = None, rubrics: Any = None) -> CoverageMarks:
    """Which nodes and edges were reached, in the keys the graph uses."""
    severity = rubrics.flag_severity if rubrics is not None else None
    if mode == "explore":
        coverage = explore(scenario, flag_severity=severity).coverage
    else:
        coverage = tests_coverage(scenario, scorer, severity)
    edges = {k for k, v in coverage.choices.items() if v} | {k for k, v in coverage.routes.items() if v}
    nodes = {k for k, v in coverage.nodes.items() if v}
    # goto edges are covered when their source node was entered
    edges |= {f"{nid}/goto" for nid in nodes if scenario.nodes[nid].goto}
    return CoverageMarks(nodes=nodes, edges=edges)
