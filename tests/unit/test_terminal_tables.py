"""Tables for a terminal: they fit its width by wrapping words, never cut a date in half,
and never cut anything off with an ellipsis."""

from __future__ import annotations

import re

import pytest
from rich.console import Console

from builders import HOUR, T0
from ceasewatch.cli.tables import Said, Sheet, fit, stamps_for


def drawn(renderable: object, width: int) -> list[str]:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text().splitlines()


def test_columns_that_fit_are_as_wide_as_their_longest_line():
    assert fit([3, 5], [10, 20], 40) == [10, 20]


def test_room_left_goes_to_the_column_with_the_most_lines_still_too_long():
    owners = [27, 8, 21]  # one list of owners longer than its longest word (21)
    status = [18, 18, 11, 11]  # "overdue by 2 d 1 h", "on decision"

    assert fit([21, 8], [27, 18], 35, [owners, status]) == [21, 14]


def test_a_header_wraps_before_a_cell_does():
    assert fit([9, 8], [14, 18], 29, [[11], [18]]) == [11, 18]  # "last violation" wraps


def test_a_word_too_long_for_the_room_costs_the_widest_column_first():
    assert fit([8, 11, 27, 90], [8, 11, 27, 90], 70) == [8, 11, 27, 24]


def test_an_instant_inside_words_is_never_split():
    lines = Said("diplomatic_warning still overdue: reminded 26 times, last 04-16 06:02").wrap(60)

    assert lines == ["diplomatic_warning still overdue: reminded 26 times, last", "04-16 06:02"]


def test_a_word_longer_than_its_column_folds_rather_than_being_cut_off():
    lines = Said("https://evidence.example.org/photo.jpg").wrap(12)

    assert "".join(lines) == "https://evidence.example.org/photo.jpg"


@pytest.mark.parametrize("width", [80, 120])
def test_a_sheet_fits_the_width_with_every_date_whole(width: int):
    sheet = Sheet("Cases", ["case", "opened", "state", "what happened"])
    for n in range(3):
        opened = T0 + n * HOUR
        sheet.add(
            f"cf-2026/RU/{n}",
            stamps_for(width, [opened])(opened),
            f"closed {stamps_for(width, [opened])(opened)} (quiet)",
            "diplomatic_warning still overdue: reminded 26 times, last 03-02 10:00 " * 2,
        )

    lines = drawn(sheet, width)

    assert max(len(line) for line in lines) <= width
    assert not any("…" in line or line != line.rstrip() for line in lines)
    whole = re.compile(r"(\d{4}-)?\d\d-\d\d \d\d:\d\d")
    assert sum(len(whole.findall(line)) for line in lines) == 3 * 4  # none split over lines


def test_narrow_tables_leave_out_the_year_their_title_gives():
    narrow, wide = stamps_for(80, [T0]), stamps_for(120, [T0])

    assert (narrow(T0), narrow.titled("Timeline")) == ("03-02 10:00", "Timeline (2026, UTC)")
    assert (wide(T0), wide.titled("Timeline")) == ("2026-03-02 10:00", "Timeline (UTC)")


def test_instants_of_two_years_always_keep_their_year():
    new_year = T0.replace(year=2027)

    assert stamps_for(80, [T0, new_year])(T0) == "2026-03-02 10:00"
