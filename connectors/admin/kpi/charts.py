"""Small SVG bar charts drawn on the server: no script, no chart library, nothing to download.

Colours are SVG presentation attributes (the console's CSP refuses inline styles, not these).
Every bar carries a <title> with its figure, so a screen reader and a hover both tell it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

COLOURS = ("#1f6feb", "#2da44e", "#bf8700", "#8250df", "#cf222e")
WIDTH, HEIGHT = 720, 220
LEFT, BOTTOM, TOP = 40, 40, 24


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]


def _nice_max(value: float) -> float:
    """The axis' top: 1, 2 or 5 times a power of ten, at least the largest bar."""
    if value <= 0:
        return 1
    scale = 1.0
    while scale * 10 <= value:
        scale *= 10
    for step in (1, 2, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def _fmt(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{int(value):,}".replace(",", ".")


def stacked_bars(title: str, categories: Sequence[str], series: Sequence[Series]) -> Markup:
    """One bar per category, the series stacked in it, a legend above."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top = _nice_max(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(categories))
    bar_w = max(2.0, slot * 0.7)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 10}" y2="{TOP + plot_h}" '
        'stroke="#888"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="11">{_fmt(top)}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for n, s in enumerate(series):
        legend_x = LEFT + n * 110
        colour = COLOURS[n % len(COLOURS)]
        parts.append(f'<rect x="{legend_x}" y="4" width="10" height="10" fill="{colour}"/>')
        parts.append(
            f'<text x="{legend_x + 14}" y="13" font-size="11">{escape(s.label)}</text>'
        )
    every = max(1, len(categories) // 12)  # at most about 12 labels under the axis
    for i, category in enumerate(categories):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y = float(TOP + plot_h)
        for n, s in enumerate(series):
            value = s.values[i]
            if value <= 0:
                continue
            h = plot_h * value / top
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[n % len(COLOURS)]}"><title>{escape(category)} · '
                f"{escape(s.label)}: {_fmt(value)}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                f'font-size="11">{escape(category)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # every text above is escaped
