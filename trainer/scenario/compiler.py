"""From YAML to a checked Scenario: schema, then structure, expressions, graph and domain rules.

`compile_document` never raises for bad input; every problem is a Diagnostic pointing
at the exact place in the file.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Protocol

from trainer.diagnostics import Diagnostic, Severity, did_you_mean
from trainer.scenario import expr as E
from trainer.scenario.model import (
    Character,
    Choice,
    Effect,
    Line,
    Node,
    Respond,
    Route,
    Scenario,
    ScenarioTest,
    Variable,
)
from trainer.schemas import check_schema
from trainer.yamlsource import Document, SignedFloat, SignedInt, load_yaml, parse_yaml

WARNING = Severity.WARNING


class RubricCatalog(Protocol):
    """What the compiler needs to know about rubrics: which ids exist."""

    @property
    def ids(self) -> list[str]: ...

    def flag_ids(self) -> set[str]: ...

    def criterion_ids(self) -> set[str]: ...


def content_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def load_scenario(
    path: str | Path, rubrics: RubricCatalog | None = None
) -> tuple[Scenario | None, list[Diagnostic]]:
    doc, diagnostics = load_yaml(path)
    if doc is None:
        return None, diagnostics
    return compile_document(doc, rubrics)


def compile_text(text: str, file: str = "<string>", rubrics: RubricCatalog | None = None):
    doc, diagnostics = parse_yaml(text, file)
    if doc is None:
        return None, diagnostics
    return compile_document(doc, rubrics)


def compile_document(
    doc: Document, rubrics: RubricCatalog | None = None
) -> tuple[Scenario | None, list[Diagnostic]]:
    if not isinstance(doc.data, dict):
        return None, [doc.diagnostic("PT103", "a scenario file must be a mapping (id:, title:, nodes: ...)", ())]
    diagnostics = check_schema(doc, "scenario")
    if diagnostics:
        return None, diagnostics
    builder = _Builder(doc, rubrics)
    scenario = builder.build()
    builder.check(scenario)
    errors = any(d.is_error for d in builder.diagnostics)
    return (None if errors else scenario), builder.diagnostics


@dataclass
class _Builder:
    doc: Document
    rubrics: RubricCatalog | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    var_types: dict[str, str] = field(default_factory=dict)
    read_vars: set[str] = field(default_factory=set)
    node_refs: list[tuple[str, tuple]] = field(default_factory=list)  # (node id, path)

    # --- reporting ----------------------------------------------------------------------

    def report(self, code: str, message: str, path: tuple, *, warning: bool = False, hint: str | None = None,
               key: bool = False, notes: tuple[str, ...] = ()) -> None:
        self.diagnostics.append(
            self.doc.diagnostic(code, message, path, severity=WARNING if warning else Severity.ERROR,
                                hint=hint, key=key, notes=notes)
        )

    def report_expr(self, error: E.ExprError, path: tuple, code: str) -> None:
        base = self.doc.diagnostic(code, error.message, path)
        if base.line is not None and base.col is not None and base.source_line is not None:
            quote = 1 if base.source_line[base.col - 1 : base.col] in ("'", '"') else 0
            base = Diagnostic(base.code, base.severity, base.message, base.file, base.line,
                              base.col + quote + error.offset, max(1, error.length), base.source_line, base.hint)
        self.diagnostics.append(base)

    # --- building -------------------------------------------------------------------------

    def build(self) -> Scenario:
        d = self.doc.data
        characters = {
            cid: Character(cid, c["name"], c.get("pronouns", ""), c.get("description", ""))
            for cid, c in (d.get("characters") or {}).items()
        }
        variables = {}
        for name, v in (d.get("variables") or {}).items():
            variables[name] = self.variable(name, v)
        self.var_types = {name: v.type for name, v in variables.items()}
        nodes = {nid: self.node(nid, n, characters) for nid, n in d["nodes"].items()}
        tests = tuple(self.test(i, t) for i, t in enumerate(d.get("tests") or ()))
        scoring = d.get("scoring") or {}
        return Scenario(
            id=d["id"],
            title=d["title"],
            version=str(d["version"]),
            themes=tuple(d["themes"]),
            competencies=tuple(d["competencies"]),
            estimated_minutes=int(d["estimated_minutes"]),
            hour_category=d["hour_category"],
            start=d["start"],
            nodes=MappingProxyType(nodes),
            characters=MappingProxyType(characters),
            variables=MappingProxyType(variables),
            content_hash=content_hash(self.doc.text),
            path=self.doc.file,
            summary=d.get("summary", ""),
            prebrief=MappingProxyType(dict(d.get("prebrief") or {})),
            objectives=tuple(d.get("objectives") or ()),
            content_warnings=tuple(d.get("content_warnings") or ()),
            tests=tests,
            scope=scoring.get("scope", True),
            pass_score=float(scoring.get("pass_score", 0.6)),
        )

    def variable(self, name: str, v: dict) -> Variable:
        vtype = v["type"]
        zero = {"int": 0, "float": 0.0, "bool": False, "str": ""}[vtype]
        default = v.get("default", zero)
        path = ("variables", name, "default")
        if not _fits(default, vtype):
            self.report("PT209", f"default of '{name}' should be {_type_words(vtype)}, not {_value_words(default)}", path)
            default = zero
        if vtype == "float":
            default = float(default)
        lo, hi = v.get("min"), v.get("max")
        if vtype in ("int", "float") and ((lo is not None and default < lo) or (hi is not None and default > hi)):
            self.report("PT222", f"default {default} of '{name}' is outside its range [{lo}, {hi}]", path)
        if vtype not in ("int", "float") and (lo is not None or hi is not None):
            self.report("PT209", f"min/max apply only to number variables, and '{name}' is {vtype}", ("variables", name))
        return Variable(name, vtype, int(default) if vtype == "int" else default, lo, hi, v.get("description", ""))

    def expression(self, source: str, path: tuple, *, want: str | None = "bool", in_route: bool = False) -> E.Expr | None:
        try:
            parsed = E.parse(source)
        except E.ExprError as exc:
            self.report_expr(exc, path, "PT214")
            return None
        for name in parsed.variables:
            self.read_vars.add(name)
        for node_id in parsed.nodes:
            self.node_refs.append((node_id, path))
        try:
            got = E.typecheck(parsed, self.var_types, in_route=in_route)
        except E.ExprError as exc:
            code = "PT207" if exc.message.startswith("unknown variable") else "PT209"
            if code == "PT207":
                name = exc.message.split("'")[1]
                hint = did_you_mean(name, list(self.var_types) + (list(E.ROUTE_NAMES) if in_route else []))
                exc = E.ExprError(exc.message + (f"; {hint}" if hint else " (declare it under 'variables:')"), exc.offset, exc.length)
            self.report_expr(exc, path, code)
            return None
        if want == "bool" and got != "bool":
            self.report("PT209", f"a condition must be true or false, but '{source}' is {_type_words(got)}", path)
            return None
        if self.rubrics is not None:
            for fn, ident in parsed.ids:
                self.check_rubric_item(fn, ident, path)
        return parsed

    def check_rubric_item(self, kind: str, ident: str, path: tuple) -> None:
        if self.rubrics is None:
            return
        if kind == "flag":
            known = set(self.rubrics.flag_ids()) | {"any", "critical"}
            what = "red flag"
        else:
            known = set(self.rubrics.criterion_ids())
            what = "criterion"
        if ident not in known:
            self.report("PT216", f"unknown {what} '{ident}'", path, hint=did_you_mean(ident, known))

    def effects(self, raw: dict | None, path: tuple) -> tuple[Effect, ...]:
        out = []
        for name, value in (raw or {}).items():
            vpath = path + (name,)
            if name not in self.var_types:
                self.report("PT207", f"effect on undeclared variable '{name}'", vpath, key=True,
                            hint=did_you_mean(name, self.var_types) or "declare it under 'variables:'")
                continue
            vtype = self.var_types[name]
            if isinstance(value, str) and value.startswith("="):
                parsed = self.expression(value[1:].strip(), vpath, want=None)
                if parsed is not None:
                    got = E.typecheck(parsed, self.var_types)
                    if not (got == vtype or (vtype == "float" and got == "int")):
                        self.report("PT209", f"'{name}' is {_type_words(vtype)}, but '{value[1:].strip()}' is {_type_words(got)}", vpath)
                    else:
                        out.append(Effect(name, "expr", expr=parsed))
                continue
            if isinstance(value, (SignedInt, SignedFloat)):
                if vtype not in ("int", "float") or (vtype == "int" and isinstance(value, SignedFloat)):
                    self.report("PT209", f"cannot add {value:+g} to '{name}', which is {_type_words(vtype)}", vpath)
                    continue
                out.append(Effect(name, "add", float(value) if vtype == "float" else int(value)))
                continue
            if not _fits(value, vtype):
                self.report("PT209", f"'{name}' is {_type_words(vtype)}; cannot set it to {_value_words(value)}", vpath,
                            hint="write +1 or -1 to adjust a number" if vtype in ("int", "float") else None)
                continue
            out.append(Effect(name, "set", float(value) if vtype == "float" else value))
        return tuple(out)

    def node(self, nid: str, n: dict, characters: dict) -> Node:
        path = ("nodes", nid)
        lines = []
        for i, raw in enumerate(n.get("lines") or ()):
            lpath = path + ("lines", i)
            if isinstance(raw, str):
                lines.append(Line(None, raw))
                continue
            condition = self.expression(raw["if"], lpath + ("if",)) if "if" in raw else None
            speakers = [k for k in raw if k != "if"]
            if len(speakers) != 1:
                self.report("PT100", "a line has one speaker (or 'narration') and its text", lpath,
                            hint="write it as `- name: \"what they say\"`")
                continue
            speaker = speakers[0]
            if speaker != "narration" and speaker not in characters:
                self.report("PT210", f"unknown speaker '{speaker}'", lpath + (speaker,), key=True,
                            hint=did_you_mean(speaker, list(characters) + ["narration"]) or "declare them under 'characters:'")
            lines.append(Line(None if speaker == "narration" else speaker, raw[speaker], condition))

        kinds = [k for k in ("choices", "respond", "goto", "ending") if k in n]
        if len(kinds) > 1:
            self.report("PT223", f"node '{nid}' has {' and '.join(kinds)}; a node has exactly one of choices, respond, goto or ending",
                        path + (kinds[1],), key=True)
        elif not kinds:
            self.report("PT204", f"node '{nid}' is a dead end: it has no choices, respond, goto or ending", path, key=True,
                        hint="add 'goto: <node>' to continue, or 'ending: adequate' to end here")

        choices = tuple(self.choice(i, c, path + ("choices", i)) for i, c in enumerate(n.get("choices") or ()))
        respond = self.respond(n["respond"], path + ("respond",)) if "respond" in n else None
        if n.get("goto"):
            self.node_refs.append((n["goto"], path + ("goto",)))
        return Node(
            id=nid,
            lines=tuple(lines),
            effects=self.effects(n.get("effects"), path + ("effects",)),
            choices=choices,
            respond=respond,
            goto=n.get("goto"),
            ending=n.get("ending"),
            debrief=n.get("debrief", ""),
            model_responses=tuple(n.get("model_responses") or ()),
            escalation=bool(n.get("escalation", False)),
            hint=n.get("hint", ""),
        )

    def choice(self, i: int, c: dict, path: tuple) -> Choice:
        self.node_refs.append((c["goto"], path + ("goto",)))
        if not c.get("fallback") and not c.get("text"):
            self.report("PT101", "missing required field 'text' (only a fallback choice may omit it)", path)
        for flag in c.get("flags") or ():
            self.check_rubric_item("flag", flag, path + ("flags",))
        return Choice(
            index=i,
            goto=c["goto"],
            text=c.get("text", ""),
            id=c.get("id"),
            condition=self.expression(c["if"], path + ("if",)) if "if" in c else None,
            once=bool(c.get("once", False)),
            fallback=bool(c.get("fallback", False)),
            effects=self.effects(c.get("effects"), path + ("effects",)),
            feedback=c.get("feedback", ""),
            score=float(c["score"]) if "score" in c else None,
            credit=MappingProxyType({k: float(v) for k, v in (c.get("credit") or {}).items()}),
            flags=tuple(c.get("flags") or ()),
        )

    def respond(self, r: dict, path: tuple) -> Respond:
        rubric_ids = tuple(r.get("rubrics") or ())
        if self.rubrics is not None:
            known = list(self.rubrics.ids)
            for j, rid in enumerate(rubric_ids):
                if rid not in known:
                    self.report("PT211", f"unknown rubric '{rid}'", path + ("rubrics", j),
                                hint=did_you_mean(rid, known) or (f"known rubrics: {', '.join(sorted(known))}" if known else None))
        routes = []
        for j, raw in enumerate(r["routes"]):
            rpath = path + ("routes", j)
            self.node_refs.append((raw["goto"], rpath + ("goto",)))
            band = None
            if "score" in raw:
                lo, hi = float(raw["score"].get("min", 0.0)), float(raw["score"].get("max", 1.0))
                if lo >= hi:
                    self.report("PT212", f"score band min {lo:g} is not below max {hi:g}", rpath + ("score",))
                band = (lo, hi)
            if "flag" in raw:
                self.check_rubric_item("flag", raw["flag"], rpath + ("flag",))
            routes.append(
                Route(
                    index=j,
                    goto=raw["goto"],
                    condition=self.expression(raw["if"], rpath + ("if",), in_route=True) if "if" in raw else None,
                    flag=raw.get("flag"),
                    band=band,
                    effects=self.effects(raw.get("effects"), rpath + ("effects",)),
                    feedback=raw.get("feedback", ""),
                )
            )
        self.check_routes(routes, path)
        self.check_route_criteria(routes, rubric_ids, path)
        asks = tuple(r.get("asks") or ())
        scope = r.get("scope", True) and (self.doc.data.get("scoring") or {}).get("scope", True)
        self.check_shared_ids(rubric_ids, bool(scope), path)
        for j, flag in enumerate(asks):
            self.check_asks(flag, rubric_ids + (("scope",) if scope else ()), path + ("asks", j))
        not_needed = tuple((str(k), str(v)) for k, v in (r.get("not_needed") or {}).items())
        self.check_not_needed(not_needed, routes, rubric_ids, path + ("not_needed",))
        return Respond(
            routes=tuple(routes),
            prompt=r.get("prompt", ""),
            rubrics=rubric_ids,
            scope=r.get("scope", True),
            hint=r.get("hint", ""),
            model_responses=tuple(r.get("model_responses") or ()),
            effects=self.effects(r.get("effects"), path + ("effects",)),
            asks=asks,
            not_needed=not_needed,
        )

    def check_not_needed(self, not_needed: tuple[tuple[str, str], ...], routes: list[Route],
                         rubric_ids: tuple[str, ...], path: tuple) -> None:
        """`not_needed: {x: why}` needs x to be a criterion of this turn's rubrics that no route tests with `met("x")`."""
        if self.rubrics is None or not hasattr(self.rubrics, "get"):
            return
        own: list[str] = []
        for rid in rubric_ids:
            if rid in self.rubrics.ids:
                own += [c.id for c in self.rubrics.get(rid).criteria if c.id not in own]
        tested = {ident for route in routes if route.condition is not None
                  for kind, ident in route.condition.ids if kind == "met"}
        for cid, _why in not_needed:
            if cid not in own:
                self.report("PT216", f"not_needed names '{cid}', which is not a criterion of this turn's rubrics "
                            f"({', '.join(rubric_ids) or 'none'})", path + (cid,), key=True,
                            hint=did_you_mean(cid, own) or (f"criteria here: {', '.join(own)}" if own else None))
            elif cid in tested:
                self.report("PT216", f"a route tests met(\"{cid}\"), but not_needed says this turn does not ask for it, "
                            "so it is never met", path + (cid,), key=True)

    def check_asks(self, flag: str, applied: tuple[str, ...], path: tuple) -> None:
        """`asks: [x]` needs x to be a red flag with answers, in a rubric this turn applies."""
        if self.rubrics is None or not hasattr(self.rubrics, "flag_answers"):
            return
        known = self.rubrics.flag_ids()
        if flag not in known:
            self.report("PT216", f"unknown red flag '{flag}'", path, hint=did_you_mean(flag, known))
            return
        here = self.rubrics.flag_answers(applied)
        if flag not in here:
            scope = "scope" in self.rubrics.ids and flag in self.rubrics.flag_answers(("scope",))
            self.report("PT224", f"asks for '{flag}', but no rubric this turn applies has that flag", path,
                        hint="it is a 'scope' flag: drop `scope: false`" if scope else None)
        elif not here[flag]:
            answerable = sorted(f for f, has in self.rubrics.flag_answers(self.rubrics.ids).items() if has)
            self.report("PT224", f"'{flag}' has no answers, so a peer's line cannot ask for it", path,
                        hint=f"flags with answers: {', '.join(answerable)}" if answerable else None)

    def check_shared_ids(self, rubric_ids: tuple[str, ...], scope: bool, path: tuple) -> None:
        """Two rubrics on one turn that define the same criterion or flag id: `met("x")`, an override of x and the
        turn's records name x without its rubric, so they cannot tell the two apart (a warning)."""
        if self.rubrics is None or not hasattr(self.rubrics, "get"):
            return
        seen: dict[str, str] = {}
        applied = [(j, rid) for j, rid in enumerate(rubric_ids) if rid in self.rubrics.ids]
        if scope and "scope" in self.rubrics.ids and "scope" not in rubric_ids:
            applied.insert(0, (None, "scope"))
        for j, rid in applied:
            rubric = self.rubrics.get(rid)
            for kind, ident in [("criterion", c.id) for c in rubric.criteria] + [("flag", f.id) for f in rubric.flags]:
                first = seen.setdefault(ident, rid)
                if first != rid and j is not None:
                    self.report("PT225", f"rubrics '{first}' and '{rid}' both have a {kind} '{ident}', so this turn's"
                                " results cannot tell them apart", path + ("rubrics", j), warning=True,
                                hint=f"apply one of them here, or give one {kind} another id in its rubric")

    def check_route_criteria(self, routes: list[Route], rubric_ids: tuple[str, ...], path: tuple) -> None:
        """`met("x")` can only be true if one of this turn's rubrics has criterion x."""
        if self.rubrics is None or not hasattr(self.rubrics, "get"):
            return
        own: set[str] = set()
        for rid in rubric_ids:
            if rid in self.rubrics.ids:
                own.update(c.id for c in self.rubrics.get(rid).criteria)
        for route in routes:
            if route.condition is None:
                continue
            for kind, ident in route.condition.ids:
                if kind == "met" and ident in self.rubrics.criterion_ids() and ident not in own:
                    self.report("PT216", f"criterion '{ident}' is not in this turn's rubrics ({', '.join(rubric_ids) or 'none'}),"
                                " so met() is never true", path + ("routes", route.index, "if"),
                                hint=did_you_mean(ident, own) or "add its rubric to `rubrics:`")

    def check_routes(self, routes: list[Route], path: tuple) -> None:
        default_at = next((r.index for r in routes if r.is_default), None)
        if default_at is not None:
            for r in routes[default_at + 1 :]:
                self.report("PT220", f"this route is never taken: route {default_at + 1} before it always matches",
                            path + ("routes", r.index), warning=True, hint="put the default route (only 'goto') last")
        pure_bands = sorted(
            (r.band, r.index) for r in routes if r.band and r.condition is None and r.flag is None
        )
        for (a, ia), (b, ib) in zip(pure_bands, pure_bands[1:]):
            if b[0] < a[1]:
                self.report("PT212", f"score bands {a[0]:g}-{a[1]:g} and {b[0]:g}-{b[1]:g} overlap",
                            path + ("routes", ib, "score"), hint="bands include their min and exclude their max")
        if default_at is None:
            covered = 0.0
            gap = None
            for (lo, hi), _ in pure_bands:
                if lo > covered and gap is None:
                    gap = (covered, lo)
                covered = max(covered, hi)
            if gap is None and covered < 1.0:
                gap = (covered, 1.0)
            if not pure_bands:
                self.report("PT221", "no route matches when none of the conditions hold", path + ("routes",), key=True,
                            hint="end the routes with a default: `- goto: <node>`")
            elif gap is not None:
                self.report("PT212", f"scores from {gap[0]:g} to {gap[1]:g} match no route", path + ("routes",), key=True,
                            hint="cover 0 to 1 with the bands, or end with a default route `- goto: <node>`")

    def test(self, i: int, t: dict) -> ScenarioTest:
        return ScenarioTest(name=t["name"], inputs=tuple(t["inputs"]), expect=MappingProxyType(dict(t["expect"])),
                            mode=t.get("mode", "practice"), index=i)

    # --- whole-scenario checks --------------------------------------------------------------

    def check(self, s: Scenario) -> None:
        node_ids = list(s.nodes)
        if s.start not in s.nodes:
            self.report("PT202", f"start node '{s.start}' does not exist", ("start",), hint=did_you_mean(s.start, node_ids))
        for target, path in self.node_refs:
            if target not in s.nodes:
                self.report("PT201", f"no node named '{target}'", path, hint=did_you_mean(target, node_ids))

        reachable = _reach(s, [s.start]) if s.start in s.nodes else set()
        for nid in s.nodes:
            if nid not in reachable and s.start in s.nodes:
                self.report("PT203", f"node '{nid}' cannot be reached from the start", ("nodes", nid), warning=True, key=True)

        endings = {nid for nid, n in s.nodes.items() if n.ending}
        reaches_end = _reverse_reach(s, endings)
        if s.start in s.nodes and s.start not in reaches_end:
            self.report("PT205", "no ending can be reached from the start", ("start",),
                        hint="add a node with 'ending: adequate' and lead to it")
        else:
            for nid in sorted(reachable - reaches_end):
                if s.nodes[nid].kind != "goto" or s.nodes[nid].goto in s.nodes:
                    self.report("PT204", f"no ending can be reached from node '{nid}'", ("nodes", nid), key=True,
                                hint="every path must be able to end; add a way out of this loop")

        for nid, n in s.nodes.items():
            if n.choices:
                self.check_choices(nid, n)

        declared = set(s.variables)
        for name in sorted(declared - self.read_vars):
            self.report("PT208", f"variable '{name}' is set but never read", ("variables", name), warning=True, key=True,
                        hint="use it in a condition (`if:`) or remove it")

        speakers = {line.speaker for n in s.nodes.values() for line in n.lines if line.speaker}
        for cid in s.characters:
            if cid not in speakers:
                self.report("PT218", f"character '{cid}' never speaks", ("characters", cid), warning=True, key=True)

        if "crisis-support" in s.themes:
            if not any(s.nodes[nid].escalation for nid in reachable):
                self.report("PT213", "a crisis-support scenario needs a reachable node marked 'escalation: true'",
                            ("themes",), hint="mark the node where the peer specialist follows protocol and hands off warmly")

        ids: dict[str, tuple] = {}
        for nid, n in s.nodes.items():
            for c in n.choices:
                if c.id:
                    if c.id in ids:
                        self.report("PT215", f"choice id '{c.id}' is used twice", ("nodes", nid, "choices", c.index, "id"))
                    ids[c.id] = ("nodes", nid, "choices", c.index)

        names: set[str] = set()
        for t in s.tests:
            tpath = ("tests", t.index)
            if t.name in names:
                self.report("PT215", f"two tests are named '{t.name}'", tpath + ("name",))
            names.add(t.name)
            ending = t.expect.get("ending")
            if ending is not None and ending not in endings:
                self.report("PT217", f"'{ending}' is not an ending node", tpath + ("expect", "ending"),
                            hint=did_you_mean(ending, endings))
            for field_name in ("visits", "not_visits"):
                for k, nid in enumerate(t.expect.get(field_name) or ()):
                    if nid not in s.nodes:
                        self.report("PT217", f"no node named '{nid}'", tpath + ("expect", field_name, k),
                                    hint=did_you_mean(nid, node_ids))
            for k, name in enumerate(t.expect.get("variables") or {}):
                if name not in s.variables:
                    self.report("PT207", f"test expects undeclared variable '{name}'", tpath + ("expect", "variables", name),
                                key=True, hint=did_you_mean(name, s.variables))

    def check_choices(self, nid: str, n: Node) -> None:
        path = ("nodes", nid, "choices")
        fallbacks = [c for c in n.choices if c.fallback]
        for c in fallbacks[1:]:
            self.report("PT219", "a node may have one fallback choice", path + (c.index, "fallback"))
        if not fallbacks and all(c.condition is not None or c.once for c in n.choices):
            self.report("PT206", f"every choice in '{nid}' has a condition or is once-only, so none may be available",
                        path, warning=True, hint="add a choice without 'if'/'once', or a `fallback: true` choice")


def _reach(s: Scenario, starts: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    queue = deque(n for n in starts if n in s.nodes)
    while queue:
        nid = queue.popleft()
        if nid in seen:
            continue
        seen.add(nid)
        queue.extend(t for t in s.nodes[nid].targets() if t in s.nodes and t not in seen)
    return seen


def _reverse_reach(s: Scenario, targets: set[str]) -> set[str]:
    incoming: dict[str, set[str]] = {nid: set() for nid in s.nodes}
    for nid, n in s.nodes.items():
        for t in n.targets():
            if t in incoming:
                incoming[t].add(nid)
    seen = set(targets)
    queue = deque(targets)
    while queue:
        nid = queue.popleft()
        for src in incoming.get(nid, ()):
            if src not in seen:
                seen.add(src)
                queue.append(src)
    return seen


def _fits(value: Any, vtype: str) -> bool:
    if vtype == "bool":
        return isinstance(value, bool)
    if vtype == "str":
        return isinstance(value, str)
    if isinstance(value, bool):
        return False
    if vtype == "int":
        return isinstance(value, int)
    return isinstance(value, (int, float))


def _type_words(vtype: str) -> str:
    return {"int": "a whole number", "float": "a number", "bool": "true/false", "str": "text"}.get(vtype, vtype)


def _value_words(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'"
    return "nothing" if value is None else type(value).__name__
