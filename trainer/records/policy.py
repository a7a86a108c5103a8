"""The crediting policy: how engaged practice time becomes training hours, per program.

Loaded once from YAML (the shipped default, a `policy.yaml` in the data folder, or a file
given on the command line), checked against `policy.schema.json` with coded diagnostics,
and turned into a frozen `Policy`. The arithmetic of crediting lives here too, so the
store, the report and the tests all use the same rules.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from trainer.diagnostics import Diagnostic, Severity, has_errors
from trainer.records.canonical import canonical_bytes, sha256_hex

POLICY_FILENAME = "policy.yaml"


class PolicyError(Exception):
    """A policy file that cannot be used; `diagnostics` say where and why."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


@dataclass(frozen=True)
class Provider:
    name: str
    address: str = ""
    approval_number: str = ""
    contact: str = ""


@dataclass(frozen=True)
class Requirement:
    name: str
    total_hours: float
    categories: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    period_months: int | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    def window(self, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """The dates (inclusive) whose hours count toward the requirement."""
        if self.period_start or self.period_end:
            return self.period_start, self.period_end
        if self.period_months:
            return _months_before(today, self.period_months) + dt.timedelta(days=1), today
        return None, None


@dataclass(frozen=True)
class Policy:
    name: str
    minutes_per_hour: int = 60
    unit: str = "contact hour"
    increment: float = 0.25
    rounding: str = "down"
    rounding_scope: str = "total"
    idle_limit_minutes: float = 5.0
    practice_credit: bool = True
    assessment_credit: str = "passed"  # passed | completed
    min_score: float = 0.0
    repeats: str = "first"  # first | all
    nominal_factor: float | None = 1.5
    daily_hours: float | None = 8.0
    categories: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({"ethics": "Ethics", "peer-specific": "Peer-specific", "elective": "Elective"})
    )
    default_category: str = "elective"
    requirement: Requirement | None = None
    provider: Provider = field(default_factory=lambda: Provider("Not set"))
    delivery: str = "self-paced online simulation"
    board_note: str = ""
    account_homepage: str = "https://peer-trainer.invalid/"
    activity_base: str = "https://peer-trainer.invalid/xapi"
    source: str = "<built-in>"

    @property
    def fingerprint(self) -> str:
        """Names the crediting rules themselves (not the file's layout or comments)."""
        import dataclasses

        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "source"}
        return "sha256:" + sha256_hex(canonical_bytes(data_for_hash(data)))

    # --- the arithmetic --------------------------------------------------------------------

    @property
    def idle_limit_seconds(self) -> float:
        return self.idle_limit_minutes * 60.0

    def category_for(self, scenario_category: str) -> str:
        return scenario_category if scenario_category in self.categories else self.default_category

    def category_label(self, category: str) -> str:
        return self.categories.get(category, category)

    def round_hours(self, hours: float) -> float:
        """Hours rounded to the policy's increment, in its direction."""
        steps = hours / self.increment
        steps = round(steps, 9)  # 0.75 / 0.25 must be 3 steps, not 2.9999999
        if self.rounding == "down":
            n = math.floor(steps)
        elif self.rounding == "up":
            n = math.ceil(steps)
        else:
            n = math.floor(steps + 0.5)
        return round(n * self.increment, 6)

    def hours_from_minutes(self, minutes: float) -> float:
        return self.round_hours(minutes / self.minutes_per_hour)

    def unit_label(self) -> str:
        return f"{self.unit} ({self.minutes_per_hour} min)"

    def earns_credit(self, *, finished: bool, mode: str, passed: bool | None, score: float | None) -> str | None:
        """None if this attempt can earn credit, else the reason it cannot, for the record."""
        if not finished:
            return "not finished"
        if mode == "practice" and not self.practice_credit:
            return "practice attempts earn no credit under this policy"
        if mode == "assessment" and self.assessment_credit == "passed" and not passed:
            return "assessment not passed"
        if self.min_score and score is not None and score < self.min_score:
            return f"score {score:.2f} below the minimum {self.min_score:.2f}"
        return None

    def capped_minutes(self, engaged_minutes: float, nominal_minutes: float) -> tuple[float, str]:
        """Engaged minutes after the per-scenario cap, and a note when the cap applied."""
        if self.nominal_factor is not None:
            cap = nominal_minutes * self.nominal_factor
            if engaged_minutes > cap:
                return cap, f"capped at {self.nominal_factor:g} x the scenario's {nominal_minutes:g} minutes"
        return engaged_minutes, ""


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + (day.month - 1) - months, 12)
    month += 1
    last = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return dt.date(year, month, min(day.day, last[month - 1]))


# --- loading --------------------------------------------------------------------------------


def default_policy_path() -> Path:
    return Path(str(resources.files("trainer").joinpath("data", "default-policy.yaml")))


def policy_path_for(data_dir: Path | None, override: str | Path | None = None) -> Path:
    """The policy in force: an explicit file, else policy.yaml in the data folder, else the default."""
    if override:
        return Path(override)
    if data_dir is not None and (data_dir / POLICY_FILENAME).is_file():
        return data_dir / POLICY_FILENAME
    return default_policy_path()


def load_policy_file(path: str | Path) -> tuple[Policy | None, list[Diagnostic]]:
    """Read, check and build a policy; never raises for bad input."""
    from trainer.schemas import check_schema
    from trainer.yamlsource import load_yaml

    doc, diagnostics = load_yaml(path)
    if doc is None:
        return None, diagnostics
    diagnostics = list(check_schema(doc, "policy"))
    if has_errors(diagnostics):
        return None, diagnostics
    data = doc.data
    categories = data.get("categories") or {"ethics": "Ethics", "peer-specific": "Peer-specific", "elective": "Elective"}
    default_category = data.get("default_category", "elective")
    if default_category not in categories:
        diagnostics.append(doc.diagnostic("PT402", f"default_category '{default_category}' is not one of the categories",
                                          ("default_category",), hint="list it under categories, or pick one listed"))
    requirement = None
    req = data.get("requirement")
    if req:
        for cat in req.get("categories") or {}:
            if cat not in categories:
                diagnostics.append(doc.diagnostic("PT402", f"requirement category '{cat}' is not one of the categories",
                                                  ("requirement", "categories", cat), key=True))
        start = _date(doc, req, "period_start", diagnostics)
        end = _date(doc, req, "period_end", diagnostics)
        if start and end and end < start:
            diagnostics.append(doc.diagnostic("PT403", "period_end is before period_start", ("requirement", "period_end")))
        if req.get("period_months") and (start or end):
            diagnostics.append(doc.diagnostic("PT403", "give period_months or period_start/period_end, not both",
                                              ("requirement", "period_months")))
        requirement = Requirement(
            name=req["name"],
            total_hours=float(req["total_hours"]),
            categories=MappingProxyType({k: float(v) for k, v in (req.get("categories") or {}).items()}),
            period_months=req.get("period_months"),
            period_start=start,
            period_end=end,
        )
    if has_errors(diagnostics):
        return None, diagnostics
    hours = data["hours"]
    credit = data.get("credit") or {}
    caps = data.get("caps") or {}
    provider = data["provider"]
    xapi = data.get("xapi") or {}
    policy = Policy(
        name=data["name"],
        minutes_per_hour=int(hours["minutes_per_hour"]),
        unit=hours.get("unit", "contact hour"),
        increment=float(hours.get("increment", 0.25)),
        rounding=hours.get("rounding", "down"),
        rounding_scope=hours.get("rounding_scope", "total"),
        idle_limit_minutes=float((data.get("engaged_time") or {}).get("idle_limit_minutes", 5)),
        practice_credit=bool(credit.get("practice", True)),
        assessment_credit=credit.get("assessment", "passed"),
        min_score=float(credit.get("min_score", 0.0)),
        repeats=credit.get("repeats", "first"),
        nominal_factor=_opt_float(caps.get("nominal_factor", 1.5)),
        daily_hours=_opt_float(caps.get("daily_hours", 8)),
        categories=MappingProxyType(dict(categories)),
        default_category=default_category,
        requirement=requirement,
        provider=Provider(provider["name"], provider.get("address", ""), provider.get("approval_number", ""),
                          provider.get("contact", "")),
        delivery=data.get("delivery", "self-paced online simulation"),
        board_note=" ".join(str(data.get("board_note", "")).split()),
        account_homepage=xapi.get("account_homepage", "https://peer-trainer.invalid/"),
        activity_base=xapi.get("activity_base", "https://peer-trainer.invalid/xapi"),
        source=str(path),
    )
    return policy, diagnostics


def load_policy(data_dir: Path | None = None, override: str | Path | None = None) -> Policy:
    """The policy in force, or PolicyError with the diagnostics."""
    path = policy_path_for(data_dir, override)
    policy, diagnostics = load_policy_file(path)
    if policy is None:
        first = next((d for d in diagnostics if d.severity is Severity.ERROR), None)
        where = first.location if first else str(path)
        raise PolicyError(f"{where}: the crediting policy has errors ({first.message if first else 'unreadable'}); "
                          f"run 'peer-trainer records policy --check {path}'", diagnostics)
    return policy


def data_for_hash(value: Any) -> Any:
    import dataclasses

    if dataclasses.is_dataclass(value):
        return {f.name: data_for_hash(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): data_for_hash(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [data_for_hash(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _date(doc, req: dict, key: str, diagnostics: list[Diagnostic]) -> dt.date | None:
    raw = req.get(key)
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        diagnostics.append(doc.diagnostic("PT403", f"'{raw}' is not a real date", ("requirement", key),
                                          hint="write dates as YYYY-MM-DD"))
        return None
