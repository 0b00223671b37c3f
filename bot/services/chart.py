"""The digest chart: spend and sales over the last 14 days, one panel per currency, as a PNG (Pillow).

Values are exact Decimals until they become pixel positions; axis labels are formatted from the
Decimals in the panel's own currency. Currencies are never drawn on a shared axis.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

from bot.blocks.format import format_money
from bot.services.digests import ChartSeries

__all__ = ["CHART_ALT_TEXT", "render_chart_png"]

CHART_ALT_TEXT = "Spend and sales per day over the last 14 days, one panel per currency"
_WIDTH, _PANEL, _MARGIN_L, _MARGIN_R, _MARGIN_T, _MARGIN_B = 720, 240, 90, 20, 34, 36
_SPEND, _SALES, _GRID, _TEXT = (220, 95, 40), (40, 110, 200), (225, 225, 225), (40, 40, 40)


def _points(
    values: Sequence[Decimal], top: Decimal, box: tuple[int, int, int, int]
) -> list[tuple[float, float]]:
    left, upper, right, lower = box
    step = (right - left) / max(len(values) - 1, 1)
    scale = top if top > 0 else Decimal(1)
    return [(left + i * step, lower - float(v / scale) * (lower - upper)) for i, v in enumerate(values)]


def _panel(draw: ImageDraw.ImageDraw, series: ChartSeries, offset: int, font: ImageFont.ImageFont) -> None:
    box = (_MARGIN_L, offset + _MARGIN_T, _WIDTH - _MARGIN_R, offset + _PANEL - _MARGIN_B)
    top = max([*series.spend, *series.sales, Decimal(0)])
    draw.text((10, offset + 8), f"{series.currency}: spend and sales per day", fill=_TEXT, font=font)
    for i in range(5):
        y = box[3] - (box[3] - box[1]) * i / 4
        draw.line([(box[0], y), (box[2], y)], fill=_GRID)
        draw.text((6, y - 6), format_money(top * i / 4, series.currency), fill=_TEXT, font=font)
    for values, color in ((series.spend, _SPEND), (series.sales, _SALES)):
        points = _points(values, top, box)
        if len(points) > 1:
            draw.line(points, fill=color, width=3)
        for x, y in points:
            draw.ellipse([(x - 3, y - 3), (x + 3, y + 3)], fill=color)
    for i, day in enumerate(series.days):
        if i % 2 == 0 or i == len(series.days) - 1:
            x = box[0] + i * (box[2] - box[0]) / max(len(series.days) - 1, 1)
            draw.text((x - 14, box[3] + 6), f"{day.day} {day:%b}", fill=_TEXT, font=font)
    legend_x = _WIDTH - 190
    for label, color, dx in (("Spend", _SPEND, 0), ("Sales", _SALES, 90)):
        draw.rectangle([(legend_x + dx, offset + 10), (legend_x + dx + 12, offset + 22)], fill=color)
        draw.text((legend_x + dx + 18, offset + 9), label, fill=_TEXT, font=font)


def render_chart_png(series: Sequence[ChartSeries]) -> bytes:
    """The chart as PNG bytes (an empty panel when there is no series).

    Args:
        series: One entry per currency, each with the same number of days for spend and sales.

    Returns:
        PNG-encoded image data.
    """
    panels = list(series) or [ChartSeries("—", (), (), ())]
    image = Image.new("RGB", (_WIDTH, _PANEL * len(panels)), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    for index, item in enumerate(panels):
        _panel(draw, item, index * _PANEL, font)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")  # optimize=True made it 3% smaller and 3x slower to encode
    return buffer.getvalue()
