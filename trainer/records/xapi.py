"""xAPI 1.0.3 statements for finished attempts, built from ledger records.

One attempt becomes: `attempted` (when it began), `answered` for each turn, `completed`
(no score, following cmi5), and for assessments `passed` or `failed` (with success and
score). Statement ids are UUIDv5 of (attempt id, verb, turn), so exporting twice, merging
files or resending to an LRS never makes a second copy. The actor is an account at the
program's home page, never an e-mail address; the registration is the attempt id.
A trainee's free-text responses appear only when explicitly included.
"""

from __future__ import annotations

import uuid
from typing import Any, Iterable, Mapping

XAPI_VERSION = "1.0.3"
# Fixed forever: changing it would change every statement id ever exported.
STATEMENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://peer-trainer.invalid/xapi/statements")

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {v: ADL + v for v in ("attempted", "answered", "completed", "passed", "failed", "voided")}
ACTIVITY_TYPES = {
    "simulation": "http://adlnet.gov/expapi/activities/simulation",
    "interaction": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "course": "http://adlnet.gov/expapi/activities/course",
}
EXTENSION_BASE = "https://peer-trainer.invalid/xapi/extensions/"


def ext(name: str) -> str:
    return EXTENSION_BASE + name


def statement_id(attempt_id: str, verb: str, turn: int | str | None = None) -> str:
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"{attempt_id}/{verb}/{'' if turn is None else turn}"))


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration, e.g. PT1H2M3.5S (xAPI keeps 0.01 s precision)."""
    centis = int(round(max(0.0, float(seconds)) * 100))
    hours, rest = divmod(centis, 360000)
    minutes, rest = divmod(rest, 6000)
    secs = rest / 100
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or out == "PT":
        out += f"{secs:.2f}".rstrip("0").rstrip(".") + "S"
    return out


def actor(trainee: Mapping[str, str], homepage: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": homepage, "name": trainee.get("program_id") or trainee["id"]}}


def scenario_activity(body: Mapping[str, Any], activity_base: str) -> dict[str, Any]:
    sc = body["scenario"]
    return {
        "objectType": "Activity",
        "id": f"{activity_base}/scenarios/{sc['id']}",
        "definition": {
            "name": {"en-US": sc.get("title") or sc["id"]},
            "type": ACTIVITY_TYPES["simulation"],
        },
    }


def attempt_statements(
    body: Mapping[str, Any],
    *,
    account_homepage: str,
    activity_base: str,
    responses: Mapping[int, str] | None = None,
    overrides: Iterable[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The statements for one ledger `attempt` record (and any re-grading `override` records after it)."""
    attempt_id = body["attempt_id"]
    who = actor(body["trainee"], account_homepage)
    activity = scenario_activity(body, activity_base)
    sc = body["scenario"]
    context = {
        "registration": attempt_id,
        "platform": "peer-trainer",
        "contextActivities": {
            "grouping": [{"objectType": "Activity", "id": activity_base,
                          "definition": {"type": ACTIVITY_TYPES["course"], "name": {"en-US": "peer-trainer scenarios"}}}],
        },
        "extensions": {
            ext("scenario-version"): str(sc["version"]),
            ext("content-hash"): sc["content_hash"],
            ext("mode"): body["mode"],
        },
    }

    def statement(verb: str, turn: int | str | None, timestamp: str, obj: dict, result: dict | None = None,
                  ctx: dict | None = None) -> dict[str, Any]:
        s: dict[str, Any] = {
            "id": statement_id(attempt_id, verb, turn),
            "actor": who,
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": obj,
            "context": ctx or context,
            "timestamp": timestamp,
            "version": XAPI_VERSION,
        }
        if result:
            s["result"] = result
        return s

    out = [statement("attempted", None, body["started_at"], activity)]
    parent_ctx = dict(context, contextActivities={**context["contextActivities"],
                                                  "parent": [{"objectType": "Activity", "id": activity["id"]}]})
    for turn in body.get("turns") or ():
        if turn["kind"] not in ("choice", "response") or turn.get("fallback"):
            continue
        free_text = turn["kind"] == "response"
        obj = {
            "objectType": "Activity",
            "id": f"{activity['id']}/nodes/{turn['node']}",
            "definition": {
                "type": ACTIVITY_TYPES["interaction"],
                "interactionType": "long-fill-in" if free_text else "choice",
                "name": {"en-US": f"{sc.get('title') or sc['id']}: {turn['node']}"},
            },
        }
        result: dict[str, Any] = {}
        if free_text:
            if responses is not None and turn["i"] in responses:
                result["response"] = responses[turn["i"]]
        elif turn.get("choice") is not None:
            result["response"] = str(turn["choice"])
        if turn.get("score") is not None:
            result["score"] = {"scaled": _scaled(turn["score"])}
        if turn.get("flags"):
            result["extensions"] = {ext("flags"): list(turn["flags"])}
        out.append(statement("answered", turn["i"], turn["at"], obj, result or None, parent_ctx))

    duration = iso_duration(body["engaged_seconds"])
    credit = body["credit"]
    out.append(statement("completed", None, body["ended_at"], activity, {
        "completion": True,
        "duration": duration,
        "extensions": {
            ext("outcome"): body.get("outcome"),
            ext("hour-category"): credit["category"],
            ext("credited-minutes"): credit["minutes"],
            ext("credited-hours"): credit["hours"],
            ext("credit-policy"): credit["policy"],
            ext("competencies"): dict(body.get("competencies") or {}),
            ext("ledger"): {"store": body.get("store_id"), "recorded_at": body.get("recorded_at")},
        },
    }))
    if body["mode"] == "assessment" and body.get("passed") is not None:
        verdict = "passed" if body["passed"] else "failed"
        out.append(statement(verdict, None, body["ended_at"], activity, _verdict_result(body["passed"], body.get("score"), duration)))
        previous = (verdict, None)
        for o in overrides:
            regrade = o.get("regrade") or {}
            if regrade.get("passed") is None:
                continue
            new = "passed" if regrade["passed"] else "failed"
            if new == previous[0]:
                continue
            old_id = statement_id(attempt_id, previous[0], previous[1])
            marker = f"override-{o.get('seq', o.get('recorded_at'))}"
            void = statement("voided", marker, o["recorded_at"], {"objectType": "StatementRef", "id": old_id})
            void.pop("context")  # a voiding statement carries no context of its own
            out.append(void)
            out.append(statement(new, marker, o["recorded_at"], activity, _verdict_result(regrade["passed"], regrade.get("score"), duration)))
            previous = (new, marker)
    return out


def _verdict_result(passed: bool, score: float | None, duration: str) -> dict[str, Any]:
    result: dict[str, Any] = {"success": bool(passed), "completion": True, "duration": duration}
    if score is not None:
        result["score"] = {"scaled": _scaled(score)}
    return result


def _scaled(value: float) -> float:
    return round(min(1.0, max(-1.0, float(value))), 4)


# --- checking statements we receive (records import) ------------------------------------------

_LRS_FIELDS = ("stored", "authority", "version")


def comparable(statement: Mapping[str, Any]) -> dict[str, Any]:
    """A statement without the properties an LRS sets, for telling duplicates from conflicts."""
    return {k: v for k, v in statement.items() if k not in _LRS_FIELDS}


def problems(statement: Any) -> list[str]:
    """Why a statement is not one we can merge (a structural check; the tests use an independent validator)."""
    if not isinstance(statement, dict):
        return ["a statement must be a JSON object"]
    out = []
    sid = statement.get("id")
    try:
        if not isinstance(sid, str) or str(uuid.UUID(sid)) != sid.lower():
            out.append("its id is not a UUID")
    except ValueError:
        out.append("its id is not a UUID")
    a = statement.get("actor")
    if not isinstance(a, dict) or not any(k in a for k in ("account", "mbox", "mbox_sha1sum", "openid", "member")):
        out.append("it has no identified actor")
    v = statement.get("verb")
    if not isinstance(v, dict) or not isinstance(v.get("id"), str) or ":" not in v["id"]:
        out.append("its verb has no IRI id")
    o = statement.get("object")
    if not isinstance(o, dict) or not isinstance(o.get("id"), str):
        out.append("its object has no id")
    ctx = statement.get("context")
    if ctx is not None and "registration" in ctx:
        try:
            uuid.UUID(str(ctx["registration"]))
        except ValueError:
            out.append("its registration is not a UUID")
    return out
