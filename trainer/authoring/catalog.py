"""The library's coverage table: scenarios by theme, competency and red flag."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from trainer.scenario.model import COMPETENCIES, THEMES, Scenario

CORE_THEMES = ("role-modeling", "internalized-stigma", "system-navigation", "scope-of-practice")


def tempted_flags(scenario: Scenario) -> set[str]:
    """Red flags a trainee can commit here: on a choice's `flags`, or routed on in a free-text turn."""
    flags: set[str] = set()
    for node in scenario.nodes.values():
        for choice in node.choices:
            flags.update(choice.flags)
        if node.respond:
            for route in node.respond.routes:
                if route.flag and route.flag not in ("any", "critical"):
                    flags.add(route.flag)
                if route.condition is not None:
                    flags.update(i for k, i in route.condition.ids if k == "flag")
    return flags


def coverage_table(scenarios: dict[str, Scenario], critical_flags: list[str]) -> dict[str, Any]:
    by_theme: dict[str, list[str]] = defaultdict(list)
    by_competency: dict[str, list[str]] = defaultdict(list)
    by_flag: dict[str, list[str]] = defaultdict(list)
    for sid, s in sorted(scenarios.items()):
        for t in s.themes:
            by_theme[t].append(sid)
        for c in s.competencies:
            by_competency[c].append(sid)
        for f in tempted_flags(s):
            by_flag[f].append(sid)
    gaps = []
    for t in CORE_THEMES:
        if len(by_theme[t]) < 5:
            gaps.append(f"theme {t}: {len(by_theme[t])} scenarios (want at least 5)")
    for c in COMPETENCIES:
        if len(by_competency[c]) < 2:
            gaps.append(f"competency {c}: practised by {len(by_competency[c])} scenario(s) (want at least 2)")
    for f in critical_flags:
        if not by_flag[f]:
            gaps.append(f"critical flag {f}: no scenario tempts it")
    return {
        "scenarios": len(scenarios),
        "themes": {t: by_theme.get(t, []) for t in THEMES if by_theme.get(t) or t in CORE_THEMES},
        "competencies": {c: by_competency.get(c, []) for c in COMPETENCIES},
        "flags": {f: sorted(v) for f, v in sorted(by_flag.items())},
        "critical_flags": {f: by_flag.get(f, []) for f in critical_flags},
        "gaps": gaps,
    }


def markdown(table: dict[str, Any]) -> str:
    out = [f"Scenarios: {table['scenarios']}", "", "### By theme", "", "| theme | scenarios | ids |", "|---|---|---|"]
    for t, ids in table["themes"].items():
        out.append(f"| {t} | {len(ids)} | {', '.join(ids)} |")
    out += ["", "### By SAMHSA competency", "", "| competency | scenarios | ids |", "|---|---|---|"]
    for c, ids in table["competencies"].items():
        out.append(f"| {c} | {len(ids)} | {', '.join(ids)} |")
    out += ["", "### Critical red flags tempted by a realistic wrong turn", "", "| flag | scenarios | ids |", "|---|---|---|"]
    for f, ids in table["critical_flags"].items():
        out.append(f"| {f} | {len(ids)} | {', '.join(ids)} |")
    soft = {f: ids for f, ids in table["flags"].items() if f not in table["critical_flags"]}
    if soft:
        out += ["", "### Other flags routed on or tempted", "", "| flag | scenarios |", "|---|---|"]
        for f, ids in soft.items():
            out.append(f"| {f} | {len(ids)} |")
    out += ["", "### Gaps", ""]
    out += [f"- {g}" for g in table["gaps"]] or ["- none: every core theme has at least 5 scenarios, every competency at least 2, every critical flag at least 1."]
    return "\n".join(out) + "\n"
