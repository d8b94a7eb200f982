"""Oblasts: names in their common spellings, ISO codes, and which area a point is in."""

from __future__ import annotations

import pytest

from ceasewatch.oblasts import UnknownArea, areas


@pytest.mark.parametrize(
    ("name", "iso"),
    [
        ("Kyiv", "UA-30"),
        ("Kiev", "UA-30"),
        ("Kiev Special Republican city", "UA-30"),
        ("Kyiv Oblast", "UA-32"),
        ("Kiev oblast", "UA-32"),
        ("Kharkiv", "UA-63"),
        ("Kharkov Oblast", "UA-63"),
        ("Zaporizhzhia", "UA-23"),
        ("Zaporozhye", "UA-23"),
        ("Zaporizhia Oblast", "UA-23"),  # geoBoundaries' spelling
        ("Odessa", "UA-51"),
        ("Donets'k oblast", "UA-14"),  # UCDP's
        ("Crimea", "UA-43"),
        ("UA-59", "UA-59"),
    ],
)
def test_an_area_is_found_by_any_common_spelling(name: str, iso: str):
    assert areas().named(name).iso == iso


def test_every_area_has_its_iso_code_and_one_name():
    known = areas()
    assert len(known.areas) == 27
    assert known.named("Zaporizhzhia").name == "Zaporizhzhia Oblast"
    with pytest.raises(UnknownArea):
        known.named("Atlantis")


def test_a_point_is_in_the_area_that_holds_it():
    known = areas()
    assert known.locate(50.45, 30.52).iso == "UA-30"  # central Kyiv
    assert known.locate(48.14, 37.75).iso == "UA-14"  # Avdiivka
    assert known.locate(52.23, 21.01) is None  # Warsaw


def test_an_area_centroid_lies_inside_it_and_its_radius_covers_it():
    for area in areas().areas:
        assert areas().locate(area.lat, area.lon, area.radius_m) is area
        assert area.radius_m >= area.reach_m(area.lat, area.lon)


def test_a_point_known_only_to_a_region_wider_than_its_area_is_in_none():
    known = areas()
    lat, lon, radius = known.covering([known.named("Odesa"), known.named("Mykolaiv")])
    assert known.locate(lat, lon) is not None
    assert known.locate(lat, lon, radius) is None
    assert known.locate(50.45, 30.52, 100_000) is None  # "somewhere within 100 km of Kyiv"
