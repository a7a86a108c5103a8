"""The program's report: hours and completions per trainee and per category.

Read with one GROUP BY over the ledger's generated columns (every chain held: this
store's own and every imported one), plus completions known only from imported xAPI
statements. Hours are rounded by the policy in force; records credited under another
policy are counted and named, because a trainee's machine may have run a different one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from trainer.records import xapi
from trainer.records.store import Store


@dataclass
class ReportRow:
    trainee: str  # the program's id if known, else ours
    name: str
    category: str
    attempts: int
    completed: int
    passed: int
    credited_minutes: float
    hours: float
    hours_in_period: float
    other_policy: int  # records credited under a policy other than the one in force
    source: str = "ledger"  # ledger | xapi


@dataclass
class Report:
    rows: list[ReportRow]
    unit: str
    period: tuple[str | None, str | None]
    requirement: str | None
    required_total: float | None
    required_by_category: dict[str, float] = field(default_factory=dict)
    board_note: str = ""

    def by_trainee(self) -> dict[str, list[ReportRow]]:
        groups: dict[str, list[ReportRow]] = {}
        for r in self.rows:
            groups.setdefault(r.trainee, []).append(r)
        return groups

    def trainees(self) -> list[str]:
        return sorted({r.trainee for r in self.rows})

    def totals(self, trainee: str, rows: list[ReportRow] | None = None) -> tuple[float, float, int, int]:
        rows = rows if rows is not None else [r for r in self.rows if r.trainee == trainee]
        return (round(sum(r.hours for r in rows), 6), round(sum(r.hours_in_period for r in rows), 6),
                sum(r.completed for r in rows), sum(r.passed for r in rows))

    def met(self, trainee: str, rows: list[ReportRow] | None = None) -> bool | None:
        if self.required_total is None:
            return None
        rows = rows if rows is not None else [r for r in self.rows if r.trainee == trainee]
        if sum(r.hours_in_period for r in rows) < self.required_total:
            return False
        for cat, need in self.required_by_category.items():
            if sum(r.hours_in_period for r in rows if r.category == cat) < need:
                return False
        return True


def build_report(store: Store) -> Report:
    p = store.policy
    today = store.now().astimezone().date()
    start, end = p.requirement.window(today) if p.requirement else (None, None)
    lo = start.isoformat() if start else "0000-00-00"
    hi = end.isoformat() if end else "9999-99-99"
    sql = """
        SELECT trainee_key, max(trainee_name), category,
               sum(kind = 'attempt'), sum(completed), coalesce(sum(passed), 0),
               coalesce(sum(credited_minutes), 0), coalesce(sum(credited_hours), 0),
               coalesce(sum(CASE WHEN local_date BETWEEN ?1 AND ?2 THEN credited_minutes END), 0),
               coalesce(sum(CASE WHEN local_date BETWEEN ?1 AND ?2 THEN credited_hours END), 0),
               sum(policy != ?3)
        FROM ledger
        WHERE kind IN ('attempt', 'override')
        GROUP BY trainee_key, category
    """
    rows: list[ReportRow] = []
    attempt_scope = p.rounding_scope == "attempt"
    for key, name, cat, attempts, completed, passed, minutes, hours, p_minutes, p_hours, other in store._read(sql, (lo, hi, p.fingerprint)):
        rows.append(ReportRow(
            trainee=key, name=name or "", category=cat or "", attempts=int(attempts or 0), completed=int(completed or 0),
            passed=int(passed or 0), credited_minutes=round(float(minutes), 3),
            hours=round(float(hours), 6) if attempt_scope else p.hours_from_minutes(float(minutes)),
            hours_in_period=round(float(p_hours), 6) if attempt_scope else p.hours_from_minutes(float(p_minutes)),
            other_policy=int(other or 0)))
    rows.extend(_xapi_rows(store, lo, hi))
    rows.sort(key=lambda r: (r.trainee, r.category))
    return Report(rows, p.unit_label(), (start.isoformat() if start else None, end.isoformat() if end else None),
                  p.requirement.name if p.requirement else None,
                  p.requirement.total_hours if p.requirement else None,
                  dict(p.requirement.categories) if p.requirement else {}, p.board_note)


def _xapi_rows(store: Store, lo: str, hi: str) -> list[ReportRow]:
    """Completions known only from imported xAPI statements (no ledger record for that attempt)."""
    p = store.policy
    cat, mins = f'$.result.extensions."{xapi.ext("hour-category")}"', f'$.result.extensions."{xapi.ext("credited-minutes")}"'
    sql = """
        SELECT s.actor, json_extract(s.statement, ?1), count(*), coalesce(sum(json_extract(s.statement, ?2)), 0),
               coalesce(sum(CASE WHEN substr(json_extract(s.statement, '$.timestamp'), 1, 10) BETWEEN ?4 AND ?5
                                 THEN json_extract(s.statement, ?2) END), 0),
               (SELECT count(*) FROM statements v WHERE v.verb = ?6 AND v.actor = s.actor)
        FROM statements s
        WHERE s.verb = ?3 AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.attempt_id = s.registration)
        GROUP BY s.actor, 2
    """
    out = []
    for actor, category, completed, minutes, p_minutes, passed in store._read(
            sql, (cat, mins, xapi.VERBS["completed"], lo, hi, xapi.VERBS["passed"])):
        out.append(ReportRow(actor, "", category or "", int(completed), int(completed), 0, round(float(minutes), 3),
                             p.hours_from_minutes(float(minutes)), p.hours_from_minutes(float(p_minutes)), 0, "xapi"))
    return out


def render_text(report: Report) -> str:
    lines = [f"Hours: 1 hour = 1 {report.unit}" + (f"; requirement: {report.requirement} "
                                           f"({report.period[0] or '...'} to {report.period[1] or '...'})" if report.requirement else "")]
    header = f"{'trainee':<22} {'name':<24} {'category':<14} {'attempts':>8} {'completed':>9} {'passed':>6} {'hours':>7} {'in period':>9}"
    lines += [header, "-" * len(header)]
    other = 0
    groups = report.by_trainee()
    for key in sorted(groups):
        rows = groups[key]
        for r in rows:
            other += r.other_policy
            lines.append(f"{_fit(r.trainee, 22)} {_fit(r.name, 24)} {_fit(r.category, 14)} {r.attempts:>8} {r.completed:>9} "
                         f"{r.passed:>6} {r.hours:>7g} {r.hours_in_period:>9g}" + ("  (xAPI only)" if r.source == "xapi" else ""))
        total, in_period, completed, passed = report.totals(key, rows)
        met = report.met(key, rows)
        status = "" if met is None else ("  requirement met" if met else "  requirement not met")
        lines.append(f"{'':<22} {'total':<24} {'':<14} {'':>8} {completed:>9} {passed:>6} {total:>7g} {in_period:>9g}{status}")
    if not report.rows:
        lines.append("(no finished attempts recorded or imported)")
    if other:
        lines.append(f"note: {other} records were credited under a different crediting policy than the one in force")
    if report.board_note:
        lines.append(f"note: {report.board_note}")
    return "\n".join(lines) + "\n"


def render_csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["trainee", "name", "category", "attempts", "completed", "passed", "credited_minutes", "hours",
                "hours_in_period", "period_start", "period_end", "other_policy_records", "source"])
    for r in report.rows:
        w.writerow([_cell(r.trainee), _cell(r.name), r.category, r.attempts, r.completed, r.passed, r.credited_minutes,
                    r.hours, r.hours_in_period, report.period[0] or "", report.period[1] or "", r.other_policy, r.source])
    return buf.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _fit(text: str, width: int) -> str:
    from trainer.diagnostics import printable

    text = printable(text or "").replace("\n", " ")
    return (text if len(text) <= width else text[: width - 1] + "…").ljust(width)
