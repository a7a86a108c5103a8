"""Finding and loading scenario files and rubrics: the one place commands and the app get them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from trainer.diagnostics import Diagnostic, Severity, did_you_mean, file_error
from trainer.paths import bundled_rubrics, bundled_scenarios, yaml_files
from trainer.scenario.compiler import load_scenario
from trainer.scenario.model import Scenario

SCENARIO_SUFFIXES = (".yaml", ".yml")


def scenario_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Diagnostic]]:
    """Expand files and folders into scenario files, sorted; a path that does not exist is a diagnostic."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(yaml_files(p, SCENARIO_SUFFIXES))
        elif p.exists():
            files.append(p)
        elif p.suffix not in SCENARIO_SUFFIXES and "/" not in str(raw):
            try:  # a scenario id in the bundled library
                files.append(resolve_scenario_ref(str(raw)))
            except ValueError as exc:
                problems.append(file_error("PT001", str(p), str(exc).removeprefix(f"{raw}: ")))
        else:
            problems.append(file_error("PT001", str(p), "file does not exist"))
    return files, problems


def rubric_folders(scenario_paths: Iterable[str | Path] = (), extra: Iterable[str | Path] = ()) -> list[Path]:
    """The bundled rubrics, a `rubrics/` folder beside any scenario folder given, and any extras."""
    folders = [bundled_rubrics()]
    for raw in scenario_paths:
        p = Path(raw)
        base = p if p.is_dir() else p.parent
        for candidate in (base / "rubrics", base.parent / "rubrics"):
            if candidate.is_dir() and candidate.resolve() not in {f.resolve() for f in folders}:
                folders.append(candidate)
    for raw in extra:
        folders.append(Path(raw))
    return folders


def load_rubric_set(folders: Sequence[Path]) -> tuple[Any, list[Diagnostic]]:
    """The rubric set from these folders (None if the scoring package is unavailable)."""
    try:
        from trainer.scoring.rubrics import RubricSet
    except ImportError:
        return None, []
    return RubricSet.load(folders)


def make_scorer(rubric_set: Any) -> Any:
    if rubric_set is None:
        return None
    try:
        from trainer.scoring.scorer import Scorer
    except ImportError:
        return None
    return Scorer(rubric_set)


@dataclass
class Library:
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # scenario id -> file
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rubrics: Any = None

    def get(self, scenario_id: str) -> Scenario | None:
        return self.scenarios.get(scenario_id)

    def flag_severity(self, flag_id: str) -> str | None:
        return self.rubrics.flag_severity(flag_id) if self.rubrics is not None else None


def load_library(paths: Sequence[str | Path] | None = None, *, rubric_dirs: Sequence[str | Path] = ()) -> Library:
    """Load every scenario under `paths` (default: the bundled library) with its rubrics."""
    paths = list(paths) if paths else [bundled_scenarios()]
    rubrics, rubric_diags = load_rubric_set(rubric_folders(paths, rubric_dirs))
    lib = Library(rubrics=rubrics)
    lib.diagnostics.extend(rubric_diags)
    files, problems = scenario_files(paths)
    lib.diagnostics.extend(problems)
    for f in files:
        if _is_rubric_file(f):
            continue
        if looks_like_rubric(f):
            # not read as a scenario (its every field would be "unknown"), nor as a rubric from here
            lib.diagnostics.append(Diagnostic(
                "PT311", Severity.WARNING, "this looks like a rubric, not a scenario, so it was not loaded", str(f),
                hint="rubrics are read from a folder named 'rubrics' beside the scenarios, or --rubrics-dir"))
            continue
        scenario, diags = load_scenario(f, rubrics)
        lib.diagnostics.extend(diags)
        if scenario is None:
            continue
        if scenario.id in lib.scenarios:
            lib.diagnostics.append(
                Diagnostic("PT215", Severity.ERROR, f"scenario id '{scenario.id}' is also used by {lib.files[scenario.id]}",
                           str(f), hint="scenario ids must be unique across the library")
            )
            continue
        lib.scenarios[scenario.id] = scenario
        lib.files[scenario.id] = f
    return lib


def _is_rubric_file(path: Path) -> bool:
    return path.parent.name == "rubrics"


def looks_like_rubric(path: Path) -> bool:
    """A rubric file: in a `rubrics` folder, or with `criteria:` or `flags:` and no `nodes:` at its top level."""
    if _is_rubric_file(path):
        return True
    try:
        with open(path, "rb") as fh:  # its top only: the library reads every scenario file, and one may be huge
            head = fh.read(4000).decode("utf-8", errors="replace")
    except OSError:
        return False
    return "\nnodes:" not in head and ("\ncriteria:" in head or "\nflags:" in head)


def resolve_scenario_ref(ref: str, library_paths: Sequence[str | Path] | None = None) -> Path:
    """A scenario given as a file path or as an id in the library; ValueError says what went wrong."""
    p = Path(ref)
    if p.is_file():
        return p
    if p.suffix in SCENARIO_SUFFIXES or "/" in ref:
        raise ValueError(f"{ref}: file does not exist")
    files, _ = scenario_files(library_paths or [bundled_scenarios()])
    by_stem = {f.stem: f for f in files}
    if ref in by_stem:
        return by_stem[ref]
    from trainer.yamlsource import load_yaml

    ids: dict[str, Path] = {}
    for f in files:
        doc, _ = load_yaml(f)
        if doc is not None and isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
            ids[doc.data["id"]] = f
    if ref in ids:
        return ids[ref]
    hint = did_you_mean(ref, list(ids) or list(by_stem))
    raise ValueError(f"no scenario file or id '{ref}'" + (f"; {hint}" if hint else ""))
