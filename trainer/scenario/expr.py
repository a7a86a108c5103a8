"""The small, safe expression language of conditions and effects.

    rapport >= 2 and not visited(shuts_down)
    score >= 0.6 or met("reflects-feeling")
    rapport + 1

Literals (numbers, "strings", true, false), declared variables, comparison, arithmetic
(+ - * /), `and`/`or`/`not`, parentheses and four functions: `visits(node)`,
`visited(node)`, `flag("id")`, `met("id")`. Nothing else: expressions are parsed into a
tree and interpreted, never passed to `eval`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

# Types: "int", "float", "bool", "str". Numbers mix freely.
NUMERIC = ("int", "float")

FUNCTIONS: dict[str, tuple[str, str]] = {
    # name: (argument kind, result type)
    "visits": ("node", "int"),
    "visited": ("node", "bool"),
    "flag": ("id", "bool"),
    "met": ("id", "bool"),
}

# Names that exist only where a free-text response has just been judged.
ROUTE_NAMES = {"score": "float", "flagged": "bool", "critical": "bool"}


class ExprError(Exception):
    def __init__(self, message: str, offset: int = 0, length: int = 1):
        super().__init__(message)
        self.message, self.offset, self.length = message, offset, length


@dataclass(frozen=True)
class Expr:
    source: str
    tree: tuple
    variables: frozenset[str]  # declared variables read
    nodes: frozenset[str]  # nodes named in visits()/visited()
    ids: frozenset[tuple[str, str]]  # ("flag"|"met", id)
    route_names: frozenset[str]  # score / flagged / critical


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+\.\d*|\.\d+|\d+)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/()<>!,])
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
  )""",
    re.VERBOSE,
)

_KEYWORDS = {"and", "or", "not", "true", "false"}


def _tokenize(source: str) -> list[tuple[str, Any, int]]:
    tokens: list[tuple[str, Any, int]] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        m = _TOKEN.match(source, pos)
        if not m or m.end() == pos:
            offset = pos + (len(source[pos:]) - len(source[pos:].lstrip()))
            raise ExprError(f"unexpected character '{source[offset]}'", offset)
        kind = m.lastgroup
        text = m.group(kind)
        start = m.start(kind)
        if kind == "num":
            tokens.append(("num", float(text) if "." in text else int(text), start))
        elif kind == "str":
            tokens.append(("str", bytes(text[1:-1], "utf-8").decode("unicode_escape", "replace"), start))
        elif kind == "op":
            op = {"&&": "and", "||": "or", "!": "not"}.get(text, text)
            tokens.append(("op", op, start))
        else:
            if text in _KEYWORDS:
                tokens.append(("op", text, start) if text in ("and", "or", "not") else ("bool", text == "true", start))
            else:
                tokens.append(("name", text, start))
        pos = m.end()
    tokens.append(("end", None, len(source)))
    return tokens


class _Parser:
    """Precedence climbing: or < and < not < comparison < + - < * / < unary minus."""

    def __init__(self, source: str):
        self.source = source
        self.tokens = _tokenize(source)
        self.i = 0

    def peek(self) -> tuple[str, Any, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, Any, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        kind, val, pos = self.take()
        if kind != "op" or val != value:
            raise ExprError(f"expected '{value}'" + ("" if kind == "end" else f" before '{self._text(pos)}'"), pos)

    def _text(self, pos: int) -> str:
        return self.source[pos:].split()[0] if self.source[pos:].split() else ""

    def parse(self) -> tuple:
        if self.peek()[0] == "end":
            raise ExprError("empty expression", 0)
        tree = self.parse_or()
        kind, val, pos = self.peek()
        if kind != "end":
            raise ExprError(f"unexpected '{self._text(pos)}'", pos)
        return tree

    def parse_or(self) -> tuple:
        left = self.parse_and()
        while self.peek()[:2] == ("op", "or"):
            pos = self.take()[2]
            left = ("bin", "or", left, self.parse_and(), pos)
        return left

    def parse_and(self) -> tuple:
        left = self.parse_not()
        while self.peek()[:2] == ("op", "and"):
            pos = self.take()[2]
            left = ("bin", "and", left, self.parse_not(), pos)
        return left

    def parse_not(self) -> tuple:
        if self.peek()[:2] == ("op", "not"):
            pos = self.take()[2]
            return ("unary", "not", self.parse_not(), pos)
        return self.parse_cmp()

    def parse_cmp(self) -> tuple:
        left = self.parse_sum()
        kind, val, pos = self.peek()
        if kind == "op" and val in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            right = self.parse_sum()
            nxt = self.peek()
            if nxt[0] == "op" and nxt[1] in ("==", "!=", "<", "<=", ">", ">="):
                raise ExprError("comparisons cannot be chained; use 'and'", nxt[2])
            return ("bin", val, left, right, pos)
        return left

    def parse_sum(self) -> tuple:
        left = self.parse_product()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            _, op, pos = self.take()
            left = ("bin", op, left, self.parse_product(), pos)
        return left

    def parse_product(self) -> tuple:
        left = self.parse_unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/"):
            _, op, pos = self.take()
            left = ("bin", op, left, self.parse_unary(), pos)
        return left

    def parse_unary(self) -> tuple:
        if self.peek()[:2] == ("op", "-"):
            pos = self.take()[2]
            return ("unary", "-", self.parse_unary(), pos)
        return self.parse_atom()

    def parse_atom(self) -> tuple:
        kind, val, pos = self.take()
        if kind == "num":
            return ("num", val, pos)
        if kind == "str":
            return ("str", val, pos)
        if kind == "bool":
            return ("bool", val, pos)
        if kind == "op" and val == "(":
            inner = self.parse_or()
            self.expect(")")
            return inner
        if kind == "name":
            if self.peek()[:2] == ("op", "("):
                self.take()
                if val not in FUNCTIONS:
                    raise ExprError(f"unknown function '{val}'", pos, len(val))
                arg_kind, arg_val, arg_pos = self.take()
                if arg_kind not in ("name", "str"):
                    raise ExprError(f"{val}() takes one name, e.g. {val}(opening)", arg_pos)
                self.expect(")")
                return ("call", val, arg_val, pos, arg_pos)
            return ("var", val, pos)
        if kind == "end":
            raise ExprError("the expression ends too early", pos)
        raise ExprError(f"unexpected '{val}'", pos)


def parse(source: str) -> Expr:
    """Parse an expression; raises ExprError with an offset into `source`."""
    tree = _Parser(source).parse()
    variables: set[str] = set()
    nodes: set[str] = set()
    ids: set[tuple[str, str]] = set()
    route_names: set[str] = set()

    def walk(t: tuple) -> None:
        tag = t[0]
        if tag == "var":
            (route_names if t[1] in ROUTE_NAMES else variables).add(t[1])
        elif tag == "call":
            if FUNCTIONS[t[1]][0] == "node":
                nodes.add(t[2])
            else:
                ids.add((t[1], t[2]))
        elif tag == "unary":
            walk(t[2])
        elif tag == "bin":
            walk(t[2])
            walk(t[3])

    walk(tree)
    return Expr(source, tree, frozenset(variables), frozenset(nodes), frozenset(ids), frozenset(route_names))


def typecheck(expr: Expr, types: Mapping[str, str], *, in_route: bool = False) -> str:
    """The expression's type, or ExprError naming the first mismatch or unknown name."""

    def check(t: tuple) -> str:
        tag = t[0]
        if tag == "num":
            return "float" if isinstance(t[1], float) else "int"
        if tag == "str":
            return "str"
        if tag == "bool":
            return "bool"
        if tag == "var":
            name = t[1]
            if name in types:
                return types[name]
            if name in ROUTE_NAMES:
                if not in_route:
                    raise ExprError(f"'{name}' is only known in the routes of a free-text turn", t[2], len(name))
                return ROUTE_NAMES[name]
            raise ExprError(f"unknown variable '{name}'", t[2], len(name))
        if tag == "call":
            if t[1] in ("flag", "met") and not in_route:
                raise ExprError(f"{t[1]}() is only known in the routes of a free-text turn", t[3], len(t[1]))
            return FUNCTIONS[t[1]][1]
        if tag == "unary":
            inner = check(t[2])
            if t[1] == "not":
                if inner != "bool":
                    raise ExprError(f"'not' needs true/false, not {_article(inner)}", t[3], 3)
                return "bool"
            if inner not in NUMERIC:
                raise ExprError(f"'-' needs a number, not {_article(inner)}", t[3])
            return inner
        op, left, right, pos = t[1], check(t[2]), check(t[3]), t[4]
        if op in ("and", "or"):
            for side in (left, right):
                if side != "bool":
                    raise ExprError(f"'{op}' joins true/false conditions, not {_article(side)}", pos, len(op))
            return "bool"
        if op in ("==", "!="):
            if left != right and not (left in NUMERIC and right in NUMERIC):
                raise ExprError(f"cannot compare {_article(left)} with {_article(right)}", pos, len(op))
            return "bool"
        if op in ("<", "<=", ">", ">="):
            if left not in NUMERIC or right not in NUMERIC:
                bad = left if left not in NUMERIC else right
                raise ExprError(f"'{op}' compares numbers, not {_article(bad)}", pos, len(op))
            return "bool"
        if op == "+" and left == "str" and right == "str":
            return "str"
        if left not in NUMERIC or right not in NUMERIC:
            bad = left if left not in NUMERIC else right
            raise ExprError(f"'{op}' needs numbers, not {_article(bad)}", pos)
        if op == "/" or "float" in (left, right):
            return "float"
        return "int"

    return check(expr.tree)


def _article(type_name: str) -> str:
    return {"int": "a whole number", "float": "a number", "bool": "true/false", "str": "text"}[type_name]


@dataclass
class Context:
    """What an expression can see while the scenario plays."""

    variables: Mapping[str, Any]
    visits: Mapping[str, int]
    score: float = 0.0
    flags: frozenset[str] = frozenset()
    critical: bool = False
    met: frozenset[str] = frozenset()


def evaluate(expr: Expr, ctx: Context) -> Any:
    def ev(t: tuple) -> Any:
        tag = t[0]
        if tag in ("num", "str", "bool"):
            return t[1]
        if tag == "var":
            name = t[1]
            if name in ctx.variables:
                return ctx.variables[name]
            if name == "score":
                return ctx.score
            if name == "flagged":
                return bool(ctx.flags)
            if name == "critical":
                return ctx.critical
            raise ExprError(f"unknown variable '{name}'", t[2])
        if tag == "call":
            fn, arg = t[1], t[2]
            if fn == "visits":
                return ctx.visits.get(arg, 0)
            if fn == "visited":
                return ctx.visits.get(arg, 0) > 0
            if fn == "flag":
                return arg in ctx.flags or (arg == "critical" and ctx.critical) or (arg == "any" and bool(ctx.flags))
            return arg in ctx.met
        if tag == "unary":
            return (not ev(t[2])) if t[1] == "not" else -ev(t[2])
        op = t[1]
        if op == "and":
            return bool(ev(t[2])) and bool(ev(t[3]))
        if op == "or":
            return bool(ev(t[2])) or bool(ev(t[3]))
        a, b = ev(t[2]), ev(t[3])
        return _BINARY[op](a, b)

    return ev(expr.tree)


def _divide(a: float, b: float) -> float:
    return a / b if b else 0.0


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divide,
}
