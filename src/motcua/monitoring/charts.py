"""Server-side SVG charts for the indicator dashboard: no JavaScript, no external assets.

Each function returns a safe string holding one inline ``<svg>`` with ``role="img"``, an
``aria-label`` and a ``<title>``. Coordinates are rounded to one decimal and the output is
deterministic (no generated ids), so it can be cached and compared in tests.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["bar_chart", "hbar_chart", "nice_ticks", "sparkline"]

SVG_NS = "http://www.w3.org/2000/svg"
FONT_SIZE = 11
# Rough advance of one character at FONT_SIZE in a sans-serif face, for layout estimates.
CHAR_WIDTH = 6.2
TEXT_COLOUR = "currentColor"
HBAR_ROW_HEIGHT = 22
HBAR_MAX_LABEL_CHARS = 38
ELLIPSIS = "…"

# Characters XML 1.0 forbids even when escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def default_value_format(value: float) -> str:
    """Vietnamese thousands separator: 12345 -> "12.345"."""
    return f"{value:,.0f}".replace(",", ".")


def _text(value: object) -> str:
    """Escape text for element content or a double-quoted attribute."""
    return escape(_XML_INVALID.sub("", str(value)))


def _n(value: float) -> str:
    """A coordinate rounded to one decimal, without a trailing ".0"."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return str(int(rounded))  # also turns -0.0 into "0"
    return f"{rounded:.1f}"


def _clean(value: float | None) -> float | None:
    """None for missing or non-finite values, else a float."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _positive(value: float | None) -> float:
    """Bars cannot be negative: missing, non-finite and negative values count as zero."""
    number = _clean(value)
    return number if number and number > 0 else 0.0


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _open_svg(width: float, height: float, label: str, kind: str) -> list[str]:
    return [
        f'<svg xmlns="{SVG_NS}" class="chart chart-{kind}" width="{_n(width)}" '
        f'height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" role="img" '
        f'aria-label="{_text(label)}" font-size="{FONT_SIZE}">',
        f"<title>{_text(label)}</title>",
    ]


def _finish(parts: list[str]) -> SafeString:
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text above is escaped


def nice_ticks(max_value: float, max_intervals: int = 5, *, integer: bool = False) -> list[float]:
    """Round gridline values from 0 up to at least ``max_value``.

    The step is the smallest 1, 2 or 5 × 10^k that covers ``max_value`` in at most
    ``max_intervals`` intervals, which gives 3 to 5 intervals: 87 -> 0, 20, ... 100.
    A non-positive maximum gives just ``[0]``. Whole ticks are returned as ints; with
    ``integer`` the step is at least 1 (counts: a maximum of 1 gives ``[0, 1]``).
    """
    top = _clean(max_value)
    if not top or top <= 0:
        return [0]
    exponent = math.floor(math.log10(top / max_intervals))
    # Start a decade low in case log10 rounded up; the tolerance keeps 100 / 20 at 5.
    candidates = (m * 10.0**p for p in range(exponent - 1, exponent + 3) for m in (1, 2, 5))
    step = next(s for s in candidates if math.ceil(top / s - 1e-9) <= max_intervals)
    if integer:
        step = max(step, 1.0)
    count = math.ceil(top / step - 1e-9)
    ticks: list[float] = []
    for i in range(count + 1):
        tick = round(i * step, 10)
        ticks.append(int(tick) if tick == int(tick) else tick)
    return ticks


def sparkline(
    values: Sequence[float | None],
    *,
    width: float = 120,
    height: float = 32,
    label: str,
    colour: str = "currentColor",
) -> SafeString:
    """A small trend line. ``None`` values break the line; the last known point gets a dot."""
    parts = _open_svg(width, height, label, "sparkline")
    points = [_clean(v) for v in values]
    known = [v for v in points if v is not None]
    if not known:
        return _finish(parts)

    pad = 3.0  # room for the end dot
    low, high = min(known), max(known)
    span_x = width - 2 * pad
    step_x = span_x / (len(points) - 1) if len(points) > 1 else 0.0

    def x_at(i: int) -> float:
        return pad + i * step_x if len(points) > 1 else width / 2

    def y_at(v: float) -> float:
        if high == low:
            return height / 2
        return pad + (high - v) / (high - low) * (height - 2 * pad)

    colour_attr = _text(colour)
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for i, v in enumerate(points):
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((x_at(i), y_at(v)))
    if current:
        runs.append(current)

    for run in runs:
        if len(run) == 1:
            # A lone value between gaps: a small dot, since a one-point line draws nothing.
            x, y = run[0]
            parts.append(
                f'<circle class="spark-point" cx="{_n(x)}" cy="{_n(y)}" r="1.5" '
                f'fill="{colour_attr}"/>'
            )
            continue
        coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
        parts.append(
            f'<polyline class="spark-line" fill="none" stroke="{colour_attr}" '
            f'stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round" '
            f'points="{coords}"/>'
        )
    last_x, last_y = runs[-1][-1]
    parts.append(
        f'<circle class="spark-last" cx="{_n(last_x)}" cy="{_n(last_y)}" r="2" '
        f'fill="{colour_attr}"/>'
    )
    return _finish(parts)


def _legend(
    series: Sequence[tuple[str, Sequence[float], str]], left: float, right: float
) -> tuple[list[str], float]:
    """Legend items laid out in rows from ``left``; returns the markup and the height used."""
    parts: list[str] = []
    row_height = 16.0
    x, row = left, 0
    for name, _values, colour in series:
        item_width = 14 + _text_width(name) + 14
        if x > left and x + item_width > right:
            x, row = left, row + 1
        y = 4 + row * row_height
        parts.append(
            f'<g class="legend-item"><rect class="legend-swatch" x="{_n(x)}" y="{_n(y)}" '
            f'width="10" height="10" fill="{_text(colour)}"/>'
            f'<text x="{_n(x + 14)}" y="{_n(y + 9)}" fill="{TEXT_COLOUR}">{_text(name)}</text></g>'
        )
        x += item_width
    used = (row + 1) * row_height + 4 if series else 0.0
    return parts, used


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    width: float = 640,
    height: float = 240,
    label: str,
    stacked: bool = True,
    value_format: Callable[[float], str] = default_value_format,
) -> SafeString:
    """Vertical bars per category, one segment (stacked) or bar (grouped) per series.

    ``series`` holds ``(name, values, css_colour)``; values shorter than ``categories`` are
    padded with zeros and negative or missing values count as zero. Zero segments draw no
    rectangle. Every drawn bar is a ``<rect class="bar">`` with a ``<title>`` for hover.
    """
    n = len(categories)
    columns = [
        [_positive(vals[i]) if i < len(vals) else 0.0 for i in range(n)] for _, vals, _ in series
    ]
    if stacked:
        top = max((sum(col[i] for col in columns) for i in range(n)), default=0.0)
    else:
        top = max((v for col in columns for v in col), default=0.0)
    # Whole data (counts) never gets fractional gridlines such as 0.2.
    whole = all(v == int(v) for col in columns for v in col)
    ticks = nice_ticks(top, integer=whole)
    tick_labels = [value_format(t) for t in ticks]

    parts = _open_svg(width, height, label, "bar")
    left = max(_text_width(t) for t in tick_labels) + 10
    right = width - 8
    legend, legend_height = _legend(series, left, right)
    parts.extend(legend)
    plot_top = legend_height + 8
    base = height - 22  # room for category labels
    plot_height = max(base - plot_top, 1.0)
    scale = plot_height / ticks[-1] if ticks[-1] else 0.0

    def y_at(v: float) -> float:
        return base - v * scale

    # Gridlines with their values; the zero line is drawn as the x axis below.
    for tick, text in zip(ticks, tick_labels, strict=True):
        y = _n(y_at(tick))
        if tick:
            parts.append(
                f'<line class="grid" x1="{_n(left)}" y1="{y}" x2="{_n(right)}" y2="{y}" '
                f'stroke="{TEXT_COLOUR}" stroke-opacity="0.15"/>'
            )
        parts.append(
            f'<text class="y-label" x="{_n(left - 6)}" y="{y}" dy="0.32em" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">{_text(text)}</text>'
        )

    plot_width = right - left
    slot = plot_width / n if n else plot_width
    for i, category in enumerate(categories):
        x0 = left + i * slot
        if stacked:
            bar_width = min(slot * 0.7, 56)
            x = x0 + (slot - bar_width) / 2
            cumulative = 0.0
            for (name, _vals, colour), col in zip(series, columns, strict=True):
                value = col[i]
                if not value:
                    continue
                # Round both edges so stacked segments meet without hairline gaps.
                y_top = round(y_at(cumulative + value), 1)
                y_bottom = round(y_at(cumulative), 1)
                cumulative += value
                parts.append(
                    _bar_rect(
                        x,
                        y_top,
                        bar_width,
                        y_bottom - y_top,
                        colour,
                        category,
                        name,
                        value,
                        value_format,
                    )
                )
        else:
            bar_width = min(slot * 0.8 / max(len(series), 1), 40)
            group_width = bar_width * len(series)
            for j, ((name, _vals, colour), col) in enumerate(zip(series, columns, strict=True)):
                value = col[i]
                if not value:
                    continue
                x = x0 + (slot - group_width) / 2 + j * bar_width
                y_top = round(y_at(value), 1)
                parts.append(
                    _bar_rect(
                        x,
                        y_top,
                        bar_width,
                        round(base, 1) - y_top,
                        colour,
                        category,
                        name,
                        value,
                        value_format,
                    )
                )

    # Axes last, so they sit above the bars' bottom edges.
    parts.append(
        f'<line class="axis" x1="{_n(left)}" y1="{_n(base)}" x2="{_n(right)}" y2="{_n(base)}" '
        f'stroke="{TEXT_COLOUR}" stroke-opacity="0.6"/>'
        f'<line class="axis" x1="{_n(left)}" y1="{_n(plot_top)}" x2="{_n(left)}" y2="{_n(base)}" '
        f'stroke="{TEXT_COLOUR}" stroke-opacity="0.6"/>'
    )

    if n:
        # Show every k-th category so the labels never overlap.
        label_width = max(_text_width(str(c)) for c in categories) + 6
        every = max(1, math.ceil(label_width / slot))
        for i in range(0, n, every):
            parts.append(
                f'<text class="x-label" x="{_n(left + (i + 0.5) * slot)}" y="{_n(base + 15)}" '
                f'text-anchor="middle" fill="{TEXT_COLOUR}">{_text(categories[i])}</text>'
            )
    return _finish(parts)


def _bar_rect(
    x: float,
    y: float,
    width: float,
    height: float,
    colour: str,
    category: str,
    name: str,
    value: float,
    value_format: Callable[[float], str],
) -> str:
    title = f"{category} · {name}: {value_format(value)}"
    return (
        f'<rect class="bar" x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
        f'fill="{_text(colour)}"><title>{_text(title)}</title></rect>'
    )


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def hbar_chart(
    rows: Sequence[tuple[str, float, str]],
    *,
    width: float = 480,
    label: str,
    max_value: float | None = None,
    value_format: Callable[[float], str] = default_value_format,
) -> SafeString:
    """Horizontal ranking bars, one ``(label, value, css_colour)`` row per item.

    The height grows by HBAR_ROW_HEIGHT per row. Labels longer than HBAR_MAX_LABEL_CHARS are
    cut with an ellipsis; the row's ``<title>`` keeps the full label and the value. Bars are
    scaled to ``max_value`` (default: the largest value) and clipped to it.
    """
    height = max(len(rows), 1) * HBAR_ROW_HEIGHT + 8
    parts = _open_svg(width, height, label, "hbar")
    if not rows:
        return _finish(parts)

    values = [_positive(value) for _, value, _ in rows]
    shown = [_truncate(str(text), HBAR_MAX_LABEL_CHARS) for text, _, _ in rows]
    value_texts = [value_format(v) for v in values]
    label_column = min(max(_text_width(s) for s in shown) + 8, width * 0.5)
    value_column = max(_text_width(t) for t in value_texts) + 8
    bar_area = max(width - label_column - value_column, 1.0)
    limit = _clean(max_value)
    if limit is None or limit <= 0:
        limit = max(values)
    scale = bar_area / limit if limit > 0 else 0.0

    for i, ((text, _value, colour), value, short, value_text) in enumerate(
        zip(rows, values, shown, value_texts, strict=True)
    ):
        y = 4 + i * HBAR_ROW_HEIGHT
        middle = y + HBAR_ROW_HEIGHT / 2
        bar_length = min(value, limit) * scale
        parts.append(
            f'<g class="hbar-row"><title>{_text(f"{text}: {value_text}")}</title>'
            f'<text class="row-label" x="{_n(label_column - 8)}" y="{_n(middle)}" dy="0.32em" '
            f'text-anchor="end" fill="{TEXT_COLOUR}">{_text(short)}</text>'
            f'<rect class="bar" x="{_n(label_column)}" y="{_n(y + 4)}" width="{_n(bar_length)}" '
            f'height="{_n(HBAR_ROW_HEIGHT - 8)}" fill="{_text(colour)}"/>'
            f'<text class="value" x="{_n(label_column + bar_length + 4)}" y="{_n(middle)}" '
            f'dy="0.32em" fill="{TEXT_COLOUR}">{_text(value_text)}</text></g>'
        )
    return _finish(parts)
