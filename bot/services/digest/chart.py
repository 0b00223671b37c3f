"""The digest chart: spend and sales over the last 14 days, one panel per currency, as a PNG (matplotlib).

`render_chart_png(series)` is a pure function of its input: the same series always give the same bytes,
so renders are memoised by content (one render per distinct chart, however many channels share it).
Drawing uses matplotlib's object API with the Agg canvas (no pyplot, no display, no global rcParams) and
DejaVu Sans, which ships with matplotlib and has €, £, ¥, ₹ and ₺. Each thread keeps one figure per
layout and only updates its artists, so fonts and axes are built once.

Values stay Decimals until they become plot coordinates. The money axis has round ticks (matplotlib's
`MaxNLocator` with steps 1, 2, 2.5, 5, 10; whole units for JPY) labelled in the panel's own currency by
the caller's `MoneyFormat` (the renderers' `bot.blocks.format.format_money`: services never format money
themselves, so the label text is injected). Currencies are never drawn on a shared axis. A day with no
value (None) is a gap.
"""

from __future__ import annotations

import functools
import io
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.services.digest.build import ChartSeries
from bot.viewmodels.common import minor_units

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

__all__ = [
    "CHART_ALT_TEXT",
    "CHART_FONT",
    "CHART_SIZE",
    "CHART_TITLE",
    "MoneyFormat",
    "money_ticks",
    "render_chart_png",
]

CHART_ALT_TEXT = "Spend and sales per day over the last 14 days, one panel per currency"
CHART_TITLE = "Spend and sales, last 14 days"
CHART_FONT = "DejaVu Sans"
CHART_SIZE = (800, 360)  # pixels, one row of panels; each further row adds _ROW_PX
NO_DATA = "No data loaded for these days"
_ROW_PX, _DPI, _MAX_COLS = 300, 100, 2
_SPEND, _SALES, _GRID, _TEXT = "#dc5f28", "#286ec8", "#e6e6e6", "#282828"
_STEPS = (1, 2, 2.5, 5, 10)
_WHOLE = re.compile(r"(\d)\.0+(?=\D|$)")
_local = threading.local()

MoneyFormat = Callable[[Decimal, str], str]
"""Formats an amount in a currency for an axis label: ``(Decimal("100"), "EUR")`` → ``"€100.00"``."""


def _whole_units(currency: str) -> bool:
    return minor_units(currency) == 0


def money_ticks(low: Decimal, high: Decimal, currency: str, money: MoneyFormat) -> list[tuple[Decimal, str]]:
    """Round axis ticks covering `low`..`high`, labelled in `currency`.

    Args:
        low: The smallest value to show (0 or below).
        high: The largest value to show; an empty range gets a default one.
        currency: ISO 4217 code of the panel.
        money: How an amount reads (trailing ``.00`` is dropped when every tick is whole).

    Returns:
        (value, label) pairs from the first tick at or below `low` to the first at or above `high`,
        e.g. ``A$0, A$100, …, A$500`` or ``¥0, ¥10,000, …, ¥40,000``.
    """
    from matplotlib.ticker import MaxNLocator

    whole = _whole_units(currency)
    if high <= low:
        high = low + (Decimal(100) if whole else Decimal(10))
    high = max(high, low + (Decimal(5) if whole else Decimal("0.05")))  # steps of at least one cent or yen
    locator = MaxNLocator(nbins=5, steps=list(_STEPS), integer=whole, min_n_ticks=3)
    raw = [float(v) for v in locator.tick_values(float(low), float(high))]
    values = [Decimal(f"{v:.6f}").normalize() + 0 for v in raw]
    start = max((i for i, v in enumerate(values) if v <= low), default=0)
    end = min((i for i, v in enumerate(values) if v >= high), default=len(values) - 1)
    kept = values[start : end + 1]
    all_whole = all(v == v.to_integral_value() for v in kept)
    labels = [money(v, currency) for v in kept]
    if all_whole:
        labels = [_WHOLE.sub(r"\1", label) for label in labels]
    return list(zip(kept, labels, strict=True))


@dataclass
class _Panel:
    axes: Axes
    spend: Line2D
    sales: Line2D
    empty: Text


@dataclass
class _Canvas:
    figure: Figure
    panels: list[_Panel]


def _layout(count: int) -> tuple[int, int]:
    cols = 1 if count <= 1 else _MAX_COLS
    return max(math.ceil(count / cols), 1), cols


def _new_canvas(rows: int, cols: int) -> _Canvas:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, height = CHART_SIZE[0], CHART_SIZE[1] + _ROW_PX * (rows - 1)
    figure = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI, facecolor="white")
    FigureCanvasAgg(figure)
    figure.subplots_adjust(
        left=90 / width,
        right=1 - 28 / width,
        top=1 - 40 / height,
        bottom=34 / height,
        hspace=0.45,
        wspace=0.3,
    )
    axes_grid = figure.subplots(rows, cols, squeeze=False)
    panels = []
    for axes in axes_grid.flat:
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.grid(axis="y", color=_GRID, linewidth=0.8)
        axes.set_axisbelow(True)
        axes.tick_params(labelsize=8.5, labelcolor=_TEXT, labelfontfamily=CHART_FONT, length=0, pad=4)
        spend = axes.plot([], [], color=_SPEND, marker="o", markersize=3.5, linewidth=2, label="Spend")[0]
        sales = axes.plot([], [], color=_SALES, marker="o", markersize=3.5, linewidth=2, label="Sales")[0]
        axes.legend(
            loc="lower right",
            bbox_to_anchor=(1, 1),
            frameon=False,
            ncols=2,
            borderaxespad=0.2,
            prop={"family": CHART_FONT, "size": 8.5},
        )
        empty = axes.text(0.5, 0.5, "", transform=axes.transAxes, ha="center", va="center")
        empty.set(color="#888888", fontfamily=CHART_FONT, fontsize=9)
        panels.append(_Panel(axes, spend, sales, empty))
    return _Canvas(figure, panels)


def _canvas(rows: int, cols: int) -> _Canvas:
    cache: dict[tuple[int, int], _Canvas] = _local.__dict__.setdefault("canvases", {})
    if (rows, cols) not in cache:
        cache[(rows, cols)] = _new_canvas(rows, cols)
    return cache[(rows, cols)]


def _coords(values: Sequence[Decimal | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _day_labels(series: ChartSeries, cols: int) -> tuple[list[int], list[str]]:
    step = 2 if cols == 1 else 3
    last = len(series.days) - 1
    positions = list(range(last, -1, -step))[::-1]
    return positions, [f"{series.days[i].day} {series.days[i]:%b}" for i in positions]


def _draw_panel(panel: _Panel, series: ChartSeries, cols: int, money: MoneyFormat) -> None:
    axes = panel.axes
    axes.set_visible(True)
    known = [v for v in (*series.spend, *series.sales) if v is not None]
    low, high = min([Decimal(0), *known]), max([Decimal(0), *known])
    ticks = money_ticks(low, high, series.currency, money)
    xs = list(range(len(series.days)))
    panel.spend.set_data(xs, _coords(series.spend))
    panel.sales.set_data(xs, _coords(series.sales))
    axes.set_xlim(-0.4, max(len(xs) - 1, 1) + 0.4)
    axes.set_ylim(float(ticks[0][0]), float(ticks[-1][0]))
    axes.set_yticks([float(v) for v, _ in ticks], [label for _, label in ticks])
    axes.set_xticks(*_day_labels(series, cols))
    # short, so the legend (top right) never runs into it in a two-column layout
    axes.set_title(f"{series.currency} per day", loc="left", fontsize=10, fontfamily=CHART_FONT)
    panel.empty.set_text("" if known else NO_DATA)


def _render(series: tuple[ChartSeries, ...], money: MoneyFormat) -> bytes:
    panels = list(series) or [ChartSeries("—", (), (), ())]
    rows, cols = _layout(len(panels))
    canvas = _canvas(rows, cols)
    for index, panel in enumerate(canvas.panels):
        if index < len(panels):
            _draw_panel(panel, panels[index], cols, money)
        else:
            panel.axes.set_visible(False)
    buffer = io.BytesIO()
    canvas.figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


@functools.lru_cache(maxsize=64)  # 60 to 90 KB each
def _cached(series: tuple[ChartSeries, ...], money: MoneyFormat) -> bytes:
    return _render(series, money)


def render_chart_png(series: Sequence[ChartSeries], *, money: MoneyFormat) -> bytes:
    """The chart as PNG bytes: 800 px wide, 360 px high for one row of panels (an empty panel if none).

    Args:
        series: One entry per currency, each with the same number of days for spend and sales
            (None for a day that is not loaded).
        money: How the money axis labels read (`bot.blocks.format.format_money`).

    Returns:
        PNG-encoded image data (identical input, identical bytes; renders are memoised by content).
    """
    return _cached(tuple(series), money)
