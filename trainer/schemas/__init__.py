"""The JSON Schemas shipped with the package, and schema errors turned into diagnostics."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from trainer.diagnostics import Diagnostic, did_you_mean
from trainer.yamlsource import Document

SCHEMA_NAMES = ("scenario", "rubric", "policy")


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


def available_schemas() -> list[str]:
    return [n for n in SCHEMA_NAMES if resources.files(__package__).joinpath(f"{n}.schema.json").is_file()]


@lru_cache(maxsize=None)
def _validator(name: str):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping (key: value)",
    "array": "a list",
    "null": "nothing",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def check_schema(doc: Document, name: str) -> list[Diagnostic]:
    """Validate a parsed document against a shipped schema; one diagnostic per distinct problem."""
    validator = _validator(name)
    out: list[Diagnostic] = []
    seen: set[tuple] = set()
    for error in validator.iter_errors(doc.data):
        for diagnostic in _convert(doc, error):
            key = (diagnostic.code, diagnostic.line, diagnostic.col, diagnostic.message)
            if key not in seen:
                seen.add(key)
                out.append(diagnostic)
    return out


def _field_name(path: tuple) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return "value"


def _convert(doc: Document, error) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    where = "/".join(str(p) for p in path) or "the top level"

    if kind in ("oneOf", "anyOf") and error.context:
        # Report the alternative that got furthest: the deepest, then the most specific.
        best = max(error.context, key=lambda e: (len(e.absolute_path), e.validator not in ("type", "oneOf")))
        if len(best.absolute_path) > len(error.absolute_path) or best.validator not in ("type", "required"):
            return _convert(doc, best)
        return [doc.diagnostic("PT103", f"'{_field_name(path)}' has the wrong form", path,
                               hint=schema.get("description"))]
    if kind == "required":
        missing = [m for m in error.validator_value if isinstance(error.instance, dict) and m not in error.instance]
        field = missing[0] if missing else error.message
        return [doc.diagnostic("PT101", f"missing required field '{field}' in {where}", path, key=bool(path))]
    if kind == "additionalProperties" or kind == "unevaluatedProperties":
        allowed = list(schema.get("properties", {}))
        extras = [k for k in error.instance if k not in schema.get("properties", {})] if isinstance(error.instance, dict) else []
        return [
            doc.diagnostic(
                "PT102",
                f"unknown field '{extra}'" + (f" in {where}" if path else ""),
                path + (extra,),
                key=True,
                hint=did_you_mean(extra, allowed) or (f"allowed here: {', '.join(allowed)}" if allowed else None),
            )
            for extra in extras
        ]
    if kind == "propertyNames":
        return [doc.diagnostic("PT106", f"'{error.instance}' is not a valid name in {where}", path,
                               hint="use lower-case letters, digits, '_' and '-'")]
    if kind == "type":
        expected = error.validator_value
        expected_list = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected_list)
        hint = None
        if "string" in expected_list and isinstance(error.instance, (bool, int, float)) or error.instance is None:
            hint = "put the text in quotes; YAML reads true/false/null and numbers as values"
        return [doc.diagnostic("PT103", f"'{_field_name(path)}' should be {wanted}, not {_describe(error.instance)}",
                               path, hint=hint)]
    if kind in ("enum", "const"):
        options = error.validator_value if kind == "enum" else [error.validator_value]
        hint = did_you_mean(str(error.instance), [str(o) for o in options]) if isinstance(error.instance, str) else None
        if hint is None and len(options) <= 14:
            hint = "expected one of: " + ", ".join(str(o) for o in options)
        return [doc.diagnostic("PT104", f"'{_show(error.instance)}' is not allowed for '{_field_name(path)}'", path, hint=hint)]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
                "minLength", "maxLength", "minProperties", "maxProperties"):
        return [doc.diagnostic("PT105", f"'{_field_name(path)}': {_plain(error.message)}", path)]
    if kind == "pattern":
        return [doc.diagnostic("PT106", f"'{_show(error.instance)}' is not a valid id for '{_field_name(path)}'", path,
                               hint="ids use lower-case letters, digits, '_' and '-'")]
    if kind == "uniqueItems":
        return [doc.diagnostic("PT215", f"'{_field_name(path)}' lists the same item twice", path)]
    return [doc.diagnostic("PT100", f"{where}: {_plain(error.message)}", path)]


def _plain(message: str) -> str:
    return message.replace("is too long", "is too long").replace("is too short", "is too short")
