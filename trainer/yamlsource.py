"""A safe, exact YAML reader that remembers where every value came from.

PyYAML's own constructors recurse, expand aliases without limit, accept duplicate
keys and resolve ``no`` to ``False``. Authors deserve better, so this module builds
plain Python values straight from the parser's events, with:

- only the YAML 1.2 core types (str, int, float, bool, null, list, dict); any other tag is refused;
- duplicate keys refused, with both places named;
- nesting depth, file size and alias expansion bounded, so hostile files fail fast;
- a span (line, column, width) for every value and every key, addressed by its path
  (``("nodes", "opening", "choices", 0, "goto")``), for diagnostics;
- numbers written with an explicit sign (``+1``, ``-2``) kept distinguishable, because
  a scenario effect ``rapport: +1`` means "add one", not "set to one".
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trainer.diagnostics import Diagnostic, Severity, file_error

try:  # libyaml is much faster; the pure-Python parser behaves the same.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000

Path_ = tuple  # a path into the document: keys and list indexes


class SignedInt(int):
    """An integer written with an explicit + or - sign."""


class SignedFloat(float):
    """A float written with an explicit + or - sign."""


@dataclass(frozen=True)
class Span:
    line: int  # 1-based
    col: int  # 1-based
    width: int = 1


@dataclass
class Document:
    file: str
    text: str
    data: Any
    spans: dict[tuple, Span] = field(default_factory=dict)
    key_spans: dict[tuple, Span] = field(default_factory=dict)
    _lines: list[str] | None = None

    def span(self, path: tuple = (), *, key: bool = False) -> Span | None:
        """The span of the value (or its key) at `path`, or of the nearest ancestor that has one."""
        path = tuple(path)
        if key and path in self.key_spans:
            return self.key_spans[path]
        while True:
            if path in self.spans:
                return self.spans[path]
            if not path:
                return None
            path = path[:-1]

    def source_line(self, line: int) -> str | None:
        if self._lines is None:
            self._lines = self.text.splitlines()
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1]
        return None

    def diagnostic(
        self,
        code: str,
        message: str,
        path: tuple = (),
        *,
        severity: Severity = Severity.ERROR,
        hint: str | None = None,
        key: bool = False,
        notes: tuple[str, ...] = (),
    ) -> Diagnostic:
        span = self.span(path, key=key)
        return at_span(self.file, self, span, code, message, severity=severity, hint=hint, notes=notes)


def at_span(
    file: str,
    doc: Document | None,
    span: Span | None,
    code: str,
    message: str,
    *,
    severity: Severity = Severity.ERROR,
    hint: str | None = None,
    notes: tuple[str, ...] = (),
) -> Diagnostic:
    if span is None:
        return Diagnostic(code, severity, message, file, hint=hint, notes=notes)
    source = doc.source_line(span.line) if doc else None
    return Diagnostic(
        code, severity, message, file, span.line, span.col, span.width, source, hint, notes
    )


class LoadError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


# --- reading the file ---------------------------------------------------------------------


def read_source(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> tuple[str | None, list[Diagnostic]]:
    """Read a file as UTF-8 text, refusing missing, unreadable, huge or non-text files clearly."""
    name = str(path)
    p = Path(path)
    try:
        if not p.exists():
            return None, [file_error("PT001", name, "file does not exist")]
        if p.is_dir():
            return None, [file_error("PT001", name, "is a folder, not a file")]
        size = p.stat().st_size
        if size > max_bytes:
            return None, [
                file_error(
                    "PT002",
                    name,
                    f"file is {_megabytes(size)}; the limit is {_megabytes(max_bytes)}",
                    hint="a scenario or rubric is a few kilobytes; is this the right file?",
                )
            ]
        with open(p, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except PermissionError:
        return None, [file_error("PT001", name, "permission denied")]
    except OSError as exc:
        return None, [file_error("PT001", name, f"cannot read: {exc.strerror or exc}")]
    if len(raw) > max_bytes:
        return None, [file_error("PT002", name, f"file is larger than {_megabytes(max_bytes)}")]
    return decode_source(raw, name)


def decode_source(raw: bytes, name: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        shown = raw.decode("utf-8", "replace").splitlines()
        return None, [
            Diagnostic(
                "PT003",
                Severity.ERROR,
                f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not valid UTF-8",
                name,
                line,
                col,
                source_line=shown[line - 1] if line <= len(shown) else None,
                hint="save the file as UTF-8 text",
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, []


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


# --- scalars: the YAML 1.2 core schema ----------------------------------------------------

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_BOOL_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}


def _plain_scalar(value: str) -> Any:
    if _NULL.match(value):
        return None
    if _BOOL_TRUE.match(value):
        return True
    if _BOOL_FALSE.match(value):
        return False
    if _INT.match(value):
        n = int(value)
        return SignedInt(n) if value[0] in "+-" else n
    if _INT_OCT.match(value):
        return int(value[2:], 8)
    if _INT_HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        f = float(value)
        return SignedFloat(f) if value[0] in "+-" else f
    if _INF.match(value):
        return -math.inf if value.startswith("-") else math.inf
    if _NAN.match(value):
        return math.nan
    return value


class _Refused(Exception):
    def __init__(self, code: str, message: str, mark: Any = None, hint: str | None = None, width: int = 1):
        super().__init__(message)
        self.code, self.message, self.mark, self.hint, self.width = code, message, mark, hint, width


def _tagged_scalar(tag: str, value: str, mark: Any) -> Any:
    kind = tag[len(_CORE):]
    if kind == "str":
        return value
    converted = _plain_scalar(value)
    expected = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}[kind]
    if kind != "bool" and isinstance(converted, bool) or not isinstance(converted, expected):
        raise _Refused("PT006", f"'{value}' is not a valid !!{kind}", mark)
    return float(converted) if kind == "float" else converted


@dataclass
class _Frame:
    container: Any
    path: tuple
    anchor: str | None
    start: Any
    nodes_before: int
    pending_key: Any = None
    has_key: bool = False
    key_marks: dict = field(default_factory=dict)


def parse_yaml(
    text: str,
    file: str = "<string>",
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> tuple[Document | None, list[Diagnostic]]:
    """Parse one YAML document into plain values with spans, or return why not."""
    doc = Document(file, text, None)
    try:
        doc.data = _build(doc, text, max_depth, max_nodes)
    except _Refused as exc:
        span = _span(exc.mark, exc.width) if exc.mark is not None else None
        return None, [at_span(file, doc, span, exc.code, exc.message, hint=exc.hint)]
    except yaml.YAMLError as exc:
        return None, [_yaml_error(doc, exc)]
    except RecursionError:  # pragma: no cover - the builder does not recurse; belt and braces
        return None, [file_error("PT007", file, "nesting too deep")]
    return doc, []


def load_yaml(path: str | os.PathLike[str], **limits: Any) -> tuple[Document | None, list[Diagnostic]]:
    """Read and parse a YAML file; never raises for bad input."""
    text, diagnostics = read_source(path, max_bytes=limits.pop("max_bytes", MAX_BYTES))
    if text is None:
        return None, diagnostics
    return parse_yaml(text, str(path), **limits)


def _span(mark: Any, width: int = 1) -> Span:
    return Span(mark.line + 1, mark.column + 1, max(1, width))


def _width(start: Any, end: Any) -> int:
    if end is not None and start.line == end.line:
        return max(1, end.column - start.column)
    return 1


# What PyYAML calls the things that need a closing character, in the words of someone writing one.
UNCLOSED = {"a quoted scalar": "a quoted string", "a flow sequence": "a [ list", "a flow mapping": "a { mapping"}


def _yaml_error(doc: Document, exc: yaml.YAMLError) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        message = f"{context}, {problem}" if context else str(problem)
    else:
        message = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
    if isinstance(exc, yaml.reader.ReaderError):
        # The pure-Python reader reports a character position rather than a mark.
        position = exc.position
        line = doc.text.count("\n", 0, position) + 1
        col = position - (doc.text.rfind("\n", 0, position) + 1) + 1
        char = exc.character
        shown = f"U+{ord(char) if isinstance(char, str) else int(char):04X}"
        return at_span(
            doc.file, doc, Span(line, col), "PT004", f"character {shown} is not allowed in YAML",
            hint="the file may be binary or corrupted",
        )
    if "nesting depth" in message:  # newer libyaml stops deep nesting itself, before our own limit
        span = _span(mark) if mark is not None else None
        return at_span(doc.file, doc, span, "PT007", "values are nested too deeply",
                       hint="scenario files are only a few levels deep; is this the right file?")
    opened = getattr(exc, "context_mark", None)
    what = UNCLOSED.get((context or "").removeprefix("while scanning ").removeprefix("while parsing "))
    if what and opened is not None and mark is not None and mark.index >= len(doc.text.rstrip()):
        # the end of the file is no place to look: point at where the unfinished quote or bracket began
        mark, message = opened, f"{what} starting here is never closed (the file ends first)"
    hint = _yaml_hint(message, doc, mark)
    if mark is not None and "\t" in (doc.source_line(mark.line + 1) or ""):
        hint = "YAML indentation uses spaces, not tabs"
    span = _span(mark) if mark is not None else None
    return at_span(doc.file, doc, span, "PT004", message, hint=hint)


def _yaml_hint(message: str, doc: Document, mark: Any) -> str | None:
    lowered = message.lower()
    if "mapping values are not allowed" in lowered:
        return "a value containing ': ' must be quoted"
    if "found character '\\t'" in lowered or "found character '\t'" in lowered:
        return "YAML indentation uses spaces, not tabs"
    if "could not find expected ':'" in lowered:
        return "check the indentation and quotes on this line and the one before"
    if "found undefined tag handle" in lowered or "tag" in lowered and "!" in lowered:
        return "tags are not used in scenario files"
    if "special characters are not allowed" in lowered or "control characters" in lowered:
        return "the file may be binary or corrupted"
    return None


def _build(doc: Document, text: str, max_depth: int, max_nodes: int) -> Any:
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    nodes = 0
    documents = 0
    root: Any = None
    have_root = False

    def attach(value: Any, start: Any, end: Any, size: int) -> None:
        nonlocal root, have_root
        if not stack:
            root, have_root = value, True
            doc.spans[()] = _span(start, _width(start, end))
            return
        top = stack[-1]
        if isinstance(top.container, list):
            path = top.path + (len(top.container),)
            top.container.append(value)
            doc.spans.setdefault(path, _span(start, _width(start, end)))
            return
        if not top.has_key:
            if isinstance(value, (dict, list)):
                raise _Refused("PT011", "a mapping key must be a plain value, not a list or mapping", start)
            key = value if isinstance(value, str) else _key_text(value, start, text)
            if key in top.key_marks:
                first = top.key_marks[key]
                raise _Refused(
                    "PT005",
                    f"duplicate key '{key}' (first defined on line {first.line + 1})",
                    start,
                    hint="each key may appear once in a mapping; remove or rename one",
                    width=_width(start, end),
                )
            top.key_marks[key] = start
            top.pending_key, top.has_key = key, True
            doc.key_spans[top.path + (key,)] = _span(start, _width(start, end))
            return
        path = top.path + (top.pending_key,)
        top.container[top.pending_key] = value
        doc.spans.setdefault(path, _span(start, _width(start, end)))
        top.pending_key, top.has_key = None, False

    def child_path() -> tuple:
        if not stack:
            return ()
        top = stack[-1]
        if isinstance(top.container, list):
            return top.path + (len(top.container),)
        if not top.has_key:
            return top.path + ("<key>",)
        return top.path + (top.pending_key,)

    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _Refused(
                    "PT010",
                    "the file holds more than one YAML document",
                    event.start_mark,
                    hint="put one scenario or rubric per file; remove the extra '---'",
                )
        elif isinstance(event, yaml.ScalarEvent):
            nodes += 1
            if nodes > max_nodes:
                raise _Refused("PT008", f"the document has more than {max_nodes} values", event.start_mark)
            if event.tag in (None, "!") or (event.tag is None):
                value = _plain_scalar(event.value) if event.implicit[0] and event.tag is None else event.value
            elif event.tag in _ALLOWED_TAGS:
                value = _tagged_scalar(event.tag, event.value, event.start_mark)
            else:
                raise _Refused(
                    "PT006",
                    f"tag '{_short_tag(event.tag)}' is not allowed",
                    event.start_mark,
                    hint="only plain YAML values are accepted; remove the tag",
                )
            if event.anchor:
                anchors[event.anchor] = (value, 1)
            attach(value, event.start_mark, event.end_mark, 1)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            nodes += 1
            if nodes > max_nodes:
                raise _Refused("PT008", f"the document has more than {max_nodes} values", event.start_mark)
            if event.tag not in (None, "!") and event.tag not in _ALLOWED_TAGS:
                raise _Refused(
                    "PT006",
                    f"tag '{_short_tag(event.tag)}' is not allowed",
                    event.start_mark,
                    hint="only plain YAML values are accepted; remove the tag",
                )
            if stack and isinstance(stack[-1].container, dict) and not stack[-1].has_key:
                raise _Refused("PT011", "a mapping key must be a plain value, not a list or mapping", event.start_mark)
            if len(stack) >= max_depth:
                raise _Refused(
                    "PT007",
                    f"values are nested more than {max_depth} levels deep",
                    event.start_mark,
                    hint="scenario files are only a few levels deep; is this the right file?",
                )
            container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            stack.append(_Frame(container, child_path(), event.anchor, event.start_mark, nodes))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = stack.pop()
            size = nodes - frame.nodes_before + 1
            if frame.anchor:
                anchors[frame.anchor] = (frame.container, size)
            attach(frame.container, frame.start, event.end_mark if isinstance(event, yaml.SequenceEndEvent) else None, size)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise _Refused(
                    "PT012",
                    f"alias '*{event.anchor}' refers to no anchor defined before it",
                    event.start_mark,
                    hint=f"define '&{event.anchor}' earlier in the file",
                )
            value, size = anchors[event.anchor]
            nodes += size
            if nodes > max_nodes:
                raise _Refused(
                    "PT008",
                    f"aliases expand to more than {max_nodes} values",
                    event.start_mark,
                    hint="this looks like a 'billion laughs' file; aliases may not multiply data like this",
                )
            attach(value, event.start_mark, event.end_mark, size)

    if not have_root or root is None:
        raise _Refused("PT009", "the file is empty", None, hint="a scenario starts with 'id:', 'title:' and 'nodes:'")
    return root


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


def _key_text(value: Any, start: Any, text: str) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
