"""The daily report's chart: its legend never stands in front of a bar."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from ceasewatch.reports.daily import UNATTRIBUTED
from ceasewatch.reports.figures import daily_chart, daily_figure

DAY = date(2026, 4, 1)


def series(*days: dict[str, int]) -> list[tuple[date, Counter[str]]]:
    return [(DAY + timedelta(days=n), Counter(counts)) for n, counts in enumerate(days)]


def drawn(days: list[tuple[date, Counter[str]]]) -> tuple[Bbox, Bbox, list[Bbox]]:
    """The legend's, the axes' and each bar's box on the rendered figure, in pixels."""
    figure = daily_figure(days, ["RU", "UA", UNATTRIBUTED])
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    [axes] = figure.axes
    legend = axes.get_legend()
    assert legend is not None
    bars = [
        p.get_window_extent(renderer)
        for p in axes.patches
        if isinstance(p, Rectangle) and p.get_height() > 0
    ]
    return legend.get_window_extent(renderer), axes.get_window_extent(renderer), bars


@pytest.mark.parametrize(
    "days",
    [
        # the tallest bar first, where a legend in the upper left corner would stand
        series({"RU": 9, "UA": 3}, {"RU": 1}, {"UA": 2}, {UNATTRIBUTED: 1}),
        # every day as tall as the tallest: no corner of the axes is free
        series(*[{"RU": 4, "UA": 2, UNATTRIBUTED: 1}] * 14),
        # one bar of a long series, last
        series(*[{}] * 29, {"RU": 1, "UA": 1}),
    ],
)
def test_the_legend_of_the_daily_chart_covers_no_bar(days):
    legend, axes, bars = drawn(days)

    assert bars
    assert not any(legend.overlaps(bar) for bar in bars)
    assert legend.y0 >= axes.y1  # above the axes, outside them


def test_the_legend_names_only_the_parties_with_a_bar():
    figure = daily_figure(series({"RU": 2}, {"RU": 1}), ["RU", "UA", UNATTRIBUTED])
    [axes] = figure.axes

    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["RU"]


def test_a_chart_with_no_violation_has_no_legend_and_says_so():
    figure = daily_figure(series({}, {}), ["RU", "UA"])
    [axes] = figure.axes

    assert axes.get_legend() is None
    assert [t.get_text() for t in axes.texts] == ["no violations"]
    assert daily_chart(series({}, {}), ["RU", "UA"]).startswith(b"\x89PNG")


def test_a_chart_with_no_day_shows_no_made_up_dates():
    figure = daily_figure([], ["RU", "UA"])
    FigureCanvasAgg(figure).draw()
    [axes] = figure.axes

    assert [t.get_text() for t in axes.get_xticklabels() if t.get_text()] == []
