"""The daily report's figures, drawn with matplotlib (no pyplot, no display, no network)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from math import ceil

import matplotlib
from matplotlib.collections import PatchCollection
from matplotlib.colors import Normalize
from matplotlib.dates import DateFormatter, DayLocator, date2num
from matplotlib.figure import Figure
from matplotlib.patches import Polygon as PolygonPatch
from matplotlib.patheffects import withStroke
from matplotlib.ticker import MaxNLocator
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from ..oblasts import areas
from .daily import UNATTRIBUTED, Violation

PARTY_COLOURS = ["#b2182b", "#2166ac", "#5aae61", "#e08214", "#8073ac"]
UNATTRIBUTED_COLOUR = "#9e9e9e"
DPI = 150


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def party_colours(parties: list[str]) -> dict[str, str]:
    named = [p for p in parties if p != UNATTRIBUTED]
    colours = {p: PARTY_COLOURS[i % len(PARTY_COLOURS)] for i, p in enumerate(sorted(named))}
    colours[UNATTRIBUTED] = UNATTRIBUTED_COLOUR
    return colours


def daily_chart(series: list[tuple[date, Counter[str]]], parties: list[str]) -> bytes:
    """Violations per day, stacked by party, the report's day last."""
    return _png(daily_figure(series, parties))


def daily_figure(series: list[tuple[date, Counter[str]]], parties: list[str]) -> Figure:
    """The daily chart as a figure. Its legend stands in a row above the axes, outside
    them, so that no bar, however tall, is ever behind it."""
    colours = party_colours(parties)
    order = [p for p in sorted(colours) if p != UNATTRIBUTED] + [UNATTRIBUTED]
    figure = Figure(figsize=(7.2, 2.3))
    axes = figure.subplots()
    days = date2num([d for d, _ in series])  # type: ignore[no-untyped-call]
    bottom = [0] * len(days)
    for party in order:
        heights = [counts.get(party, 0) for _, counts in series]
        if any(heights):
            axes.bar(days, heights, bottom=bottom, color=colours[party], label=party, width=0.8)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axes.set_ylabel("violations per day")
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    step = max(1, ceil(len(days) / 8))  # whole days, at most about eight: the bars are days
    axes.xaxis.set_major_locator(DayLocator(interval=step))  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
    if len(days):
        axes.set_xlim(days[0] - 0.6, days[-1] + 0.6)
    else:  # no day to show: no made-up dates on the axis either
        axes.set_xticks([])
    if any(bottom):
        shown = len(axes.get_legend_handles_labels()[1])
        axes.legend(
            frameon=False,
            ncols=shown,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            borderaxespad=0.2,
            fontsize=8,
        )
    else:
        axes.text(0.5, 0.5, "no violations", transform=axes.transAxes, ha="center", color="#666")
    return figure


def oblast_map(last_24h: list[Violation], parties: list[str]) -> bytes:
    """Ukraine's oblasts shaded by the last 24 h's violations, and each violation's point."""
    known = areas()
    counts = Counter(v.area_iso for v in last_24h if v.area_iso)
    peak = max(counts.values(), default=0)
    cmap = matplotlib.colormaps["OrRd"]
    shade = Normalize(vmin=-0.25 * max(peak, 1), vmax=1.6 * max(peak, 1))  # light to mid tones
    figure = Figure(figsize=(7.2, 4.6))
    axes = figure.subplots()
    patches, colours = [], []
    for area in known.areas:
        n = counts.get(area.iso, 0)
        for ring in _rings(area.geometry):
            patches.append(PolygonPatch(ring, closed=True))
            colours.append(cmap(shade(n)) if n else "#f4f4f4")
    axes.add_collection(
        PatchCollection(patches, facecolor=colours, edgecolor="#777777", linewidth=0.4)
    )
    colour_of = party_colours(parties)
    located = [v for v in last_24h if v.area_iso]
    for party in sorted({v.party for v in located}):
        mine = [v for v in located if v.party == party]
        axes.scatter(
            [v.lon for v in mine],
            [v.lat for v in mine],
            s=22,
            color=colour_of.get(party, UNATTRIBUTED_COLOUR),
            edgecolor="black",
            linewidth=0.5,
            label=party,
            zorder=3,
        )
    for area in known.areas:
        if counts.get(area.iso):
            axes.annotate(
                str(counts[area.iso]),
                (area.lon, area.lat),
                ha="center",
                va="center",
                fontsize=9,
                weight="bold",
                zorder=4,
                path_effects=[withStroke(linewidth=2.5, foreground="white")],
            )
    wide = sum(1 for v in last_24h if not v.area_iso)
    if wide:
        axes.text(
            0.01,
            0.01,
            f"+ {wide} region-wide or outside the oblasts (not shown)",
            transform=axes.transAxes,
            fontsize=8,
            color="#444",
        )
    if located:
        axes.legend(frameon=False, loc="upper right", fontsize=8)
    minx, miny, maxx, maxy = known.bounds
    axes.set_xlim(minx - 0.3, maxx + 0.3)
    axes.set_ylim(miny - 0.3, maxy + 0.3)
    axes.set_aspect(1 / 0.66)
    axes.set_axis_off()
    return _png(figure)


def _rings(geometry: BaseGeometry) -> list[list[tuple[float, float]]]:
    polygons = [geometry] if isinstance(geometry, Polygon) else list(getattr(geometry, "geoms", []))
    return [[(x, y) for x, y, *_ in p.exterior.coords] for p in polygons]
