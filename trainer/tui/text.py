"""Turning untrusted words into Rich `Text`, never into markup.

Scenario lines come from files and responses from trainees; either may contain `[bold]`,
`[link=...]` or terminal escapes. Everything shown goes through `safe`, which keeps
square brackets literal (Text is never parsed as markup) and makes control characters
visible the same way the headless commands do (`trainer.diagnostics.printable`).
"""

from __future__ import annotations

from typing import Iterable, Sequence

from rich.text import Text

from trainer.diagnostics import printable

BAR_FULL = "█"
BAR_EMPTY = "░"
SPARK = "▁▂▃▄▅▆▇█"


def safe(text: object, style: str = "") -> Text:
    """Untrusted text as a Text: literal brackets, escapes visible."""
    return Text(printable(str(text)), style=style)


def printable_map(text: str) -> tuple[str, list[int]]:
    """`printable(text)` plus where each original offset lands in the result (len(text)+1 entries)."""
    out: list[str] = []
    where: list[int] = []
    length = 0
    for ch in text:
        where.append(length)
        piece = printable(ch)
        out.append(piece)
        length += len(piece)
    where.append(length)
    return "".join(out), where


def highlighted(text: str, spans: Iterable[tuple[int, int, str]], base: str = "") -> Text:
    """The trainee's words with (start, end, style) spans over the original offsets."""
    shown, where = printable_map(text)
    result = Text(shown, style=base)
    n = len(text)
    for start, end, style in spans:
        start, end = max(0, min(start, n)), max(0, min(end, n))
        if end > start:
            result.stylize(style, where[start], where[end])
    return result


def bar(fraction: float | None, width: int = 20) -> Text:
    """A horizontal bar for a 0..1 value; `None` shows as an empty, dim bar."""
    if fraction is None:
        return Text(BAR_EMPTY * width, style="dim")
    fraction = max(0.0, min(1.0, fraction))
    full = round(fraction * width)
    return Text.assemble((BAR_FULL * full, "bold"), (BAR_EMPTY * (width - full), "dim"))


def sparkline(values: Sequence[float]) -> str:
    """A one-line chart of 0..1 values (scores over time)."""
    top = len(SPARK) - 1
    return "".join(SPARK[round(max(0.0, min(1.0, v)) * top)] for v in values)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".") + " h" if value else "0 h"


def one_line(text: str, width: int) -> str:
    """A single display line: whitespace collapsed, cut with an ellipsis."""
    flat = " ".join(printable(text).split())
    return flat if len(flat) <= width else flat[: max(0, width - 1)] + "…"
