"""Horizontal bar charts drawn on the server as inline SVG: no script, nothing downloaded.

Each chart is one image with a name (``role="img"``, ``aria-label`` and ``<title>``); the
page puts its numbers in a table beside it, for screen readers and for print. Each label
sits above its bar, so the drawing stays narrow; it has a ``viewBox`` and fills its box's
width, so it shrinks to a phone's screen and grows (up to a limit) on a desk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 400  # of the viewBox; the drawing is scaled to its box
ROW = 44  # a label line, its bar and room for a guidance range under it
BAR = 16
FONT = 14  # about 13 px on a phone, 16 px at the widest
VALUE_ROOM = 120  # right of the longest bar, for its value
LABEL_CHARS = 52  # what fits on one line at FONT in WIDTH
LEGEND = 26
EM = 0.6  # a character's width, in FONT, for room to be kept (Bootstrap's sans-serif)

# Colours on white: text 15.4:1, the blue 7.0:1, the red 6.1:1, the green 5.1:1
# (WCAG 2.1: 4.5:1 for text, 3:1 for shapes), as the badges of the back office; white
# text inside a blue or red bar has the same contrast.
TEXT = "#212529"
BLUE = "#0056b3"
RED = "#bd2130"
GREEN = "#1e7e34"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # in the chart's unit: a count, or a share 0..1
    text: str  # the value as written at the bar's end
    band: tuple[float, float] | None = None  # an expected range, drawn under the bar


def percent(share: float) -> str:
    """A share 0..1 as the back office writes it: ``42.5 %``."""
    return f"{share * 100:.1f} %"


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    scale: float | None = None,
    colour: str = BLUE,
    legend: tuple[str, str] | None = None,
) -> Markup:
    """The bars, one a row, as an ``<svg>`` image named ``title``.

    ``scale`` is the value of a full-length bar (the largest value if not given);
    ``legend`` names the bars and the bands when a chart has both.
    """
    top = LEGEND if legend else 0
    height = top + ROW * len(bars) + 4
    full = scale if scale else max((b.value for b in bars), default=0) or 1
    room = WIDTH - VALUE_ROOM

    def x(value: float) -> float:
        return round(max(0.0, min(value / full, 1.0)) * room, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}" '
        f'preserveAspectRatio="xMinYMin meet" font-size="{FONT}" '
        f'style="display:block;width:100%;height:auto;max-width:30rem">',
        f"<title>{escape(title)}</title>",
    ]
    if legend:
        parts.append(
            f'<rect x="0" y="5" width="12" height="12" fill="{colour}"/>'
            f'<text x="18" y="16" fill="{TEXT}">{escape(legend[0])}</text>'
            f'<line x1="190" y1="11" x2="214" y2="11" stroke="{GREEN}" stroke-width="3"/>'
            f'<text x="220" y="16" fill="{TEXT}">{escape(legend[1])}</text>'
        )
    for i, bar in enumerate(bars):
        y = top + i * ROW
        label = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[: LABEL_CHARS - 1] + "…"
        end = x(bar.value)
        row = [
            f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>",
            f'<text x="0" y="{y + FONT}" fill="{TEXT}">{escape(label)}</text>',
        ]
        top_of_bar = y + FONT + 5
        if end > 0:
            row.append(
                f'<rect x="0" y="{top_of_bar}" width="{end}" height="{BAR}" fill="{colour}"/>'
            )
        row.append(_value(bar.text, end, top_of_bar + BAR - 3))
        if bar.band is not None:
            # kept off the very edge, so a tick at zero shows whole
            low, high = max(x(bar.band[0]), 1.5), max(x(bar.band[1]), 1.5)
            line = top_of_bar + BAR + 4
            # a bracket from the least to the most expected: a tick alone when they meet
            row.append(
                f'<path d="M{low} {line - 3}V{line}H{high}V{line - 3}" fill="none" '
                f'stroke="{GREEN}" stroke-width="2.5"/>'
            )
        row.append("</g>")
        parts.extend(row)
    parts.append("</svg>")
    return Markup("".join(parts))


def _value(text: str, end: float, baseline: float) -> str:
    """The value after its bar or, when it would run off the drawing, inside it in white."""
    room = len(text) * FONT * EM
    if end + 5 + room <= WIDTH or end - 5 - room < 0:
        return f'<text x="{end + 5}" y="{baseline}" fill="{TEXT}">{escape(text)}</text>'
    return f'<text x="{end - 5}" y="{baseline}" fill="#fff" text-anchor="end">{escape(text)}</text>'
