"""Importers: each format's rows onto the report record, bad rows named, the rest kept."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ceasewatch.domain.reports import Rejection, Report
from ceasewatch.importers import mapping_for, read
from ceasewatch.importers.acled import parse_version
from ceasewatch.importers.mapping import MappingError
from ceasewatch.importers.rows import Skipped
from ceasewatch.oblasts import areas
from ceasewatch.timezones import zone

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACLED_1 = FIXTURES / "acled" / "export-1.csv"


def split(records: list[object]) -> tuple[dict[str, Report], list[Rejection], list[Skipped]]:
    reports = {r.id: r for r in records if isinstance(r, Report)}
    return (
        reports,
        [r for r in records if isinstance(r, Rejection)],
        [r for r in records if isinstance(r, Skipped)],
    )


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- ACLED ------------------------------------------------------------------------------


def test_acled_rows_become_versioned_reports_typed_attributed_and_placed():
    reports, _, _ = split(list(read("acled", str(ACLED_1))))

    shelling = reports["UKR1001@1772787600"]
    assert parse_version(shelling.id) == ("UKR1001", 1772787600)
    assert shelling.source == "acled"
    assert (shelling.event_type, shelling.perpetrator) == ("artillery", "RU")
    assert shelling.occurred_at == utc("2026-03-01T22:00:00")  # 2 March, Kyiv time
    assert shelling.reported_at == utc("2026-03-06T09:00:00")  # ACLED's timestamp
    assert shelling.location_precision_m == 2000
    assert "Avdiivka" in (shelling.text or "")

    drones = next(r for k, r in reports.items() if k.startswith("UKR1002@"))
    assert drones.event_type == "drone_strike"  # "Air/drone strike", refined by its notes
    missile = next(r for k, r in reports.items() if k.startswith("UKR1005@"))
    assert (missile.event_type, missile.killed, missile.target) == (
        "missile_strike",
        3,
        "civilian",
    )
    clash = next(r for k, r in reports.items() if k.startswith("UKR1003@"))
    assert (clash.perpetrator, clash.location_precision_m) == ("UA", 25000)


def test_acled_an_unknown_actor_is_unattributed():
    reports, _, _ = split(list(read("acled", str(ACLED_1))))
    attack = next(r for k, r in reports.items() if k.startswith("UKR1006@"))
    assert attack.perpetrator is None


def test_acled_bad_rows_are_named_by_line_id_and_field_and_the_rest_kept():
    reports, rejected, skipped = split(list(read("acled", str(ACLED_1))))

    named = {(e.record, e.field) for r in rejected for e in r.errors}
    assert named == {
        (f"{ACLED_1}:9 (id UKR1007@1772874000)", "event_date"),
        (f"{ACLED_1}:10 (id UKR1008@1772874000)", "sub_event_type"),
    }
    assert len(reports) == 6
    [protest] = skipped
    assert protest.where == f"{ACLED_1}:6" and "Peaceful protest" in protest.reason


def test_acled_mapping_overrides_merge_over_the_shipped_one(tmp_path: Path):
    override = tmp_path / "mine.yaml"
    override.write_text(
        "reported_at: event_date\n"
        "sub_event_types: {Peaceful protest: other}\n"
        "actors: [{pattern: 'Unidentified Armed Group', party: XX}]\n"
    )
    mapping = mapping_for("acled", override)
    reports, _, skipped = split(list(read("acled", str(ACLED_1), mapping)))

    assert not skipped  # protests are now imported
    attack = next(r for k, r in reports.items() if k.startswith("UKR1006@"))
    assert attack.perpetrator == "XX"
    assert attack.reported_at == utc("2026-03-05T22:00:00")  # the end of 5 March, Kyiv time
    shelling = next(r for k, r in reports.items() if k.startswith("UKR1001@"))
    assert shelling.perpetrator is None  # actors is a list: the override replaced it


def test_a_misspelt_mapping_key_is_an_error_that_names_it(tmp_path: Path):
    override = tmp_path / "typo.yaml"
    override.write_text("geo_precison_m: {1: 10}\n")
    with pytest.raises(MappingError, match=r"typo.yaml: geo_precison_m: Extra inputs"):
        mapping_for("acled", override)


# -- UCDP -------------------------------------------------------------------------------

UCDP_HEADER = (
    "id,type_of_violence,dyad_name,side_a,side_b,where_prec,where_description,adm_1,"
    "latitude,longitude,date_prec,date_start,date_end,best,low,high,source_article\n"
)


def ucdp_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "ged.csv"
    path.write_text(UCDP_HEADER + "".join(r + "\n" for r in rows))
    return path


def test_ucdp_state_based_events_are_unattributed_and_dated_by_their_period(tmp_path: Path):
    path = ucdp_file(
        tmp_path,
        "1,1,Government of Ukraine - DPR,Government of Ukraine,DPR,1,Avdiivka,Donetsk oblast,"
        '48.14,37.75,1,2015-02-10,2015-02-11,4,4,6,"AFP,2015-02-11,Shelling"',
        "2,3,Government of Russia (Soviet Union) - Civilians,Government of Russia (Soviet Union),"
        "Civilians,4,Donetsk oblast,Donetsk oblast,48.0,37.8,1,2015-02-12,2015-02-12,2,2,2,",
    )
    reports, rejected, _ = split(list(read("ucdp", str(path))))

    assert not rejected
    dyad, one_sided = reports["1"], reports["2"]
    assert dyad.perpetrator is None and dyad.event_type == "other" and dyad.killed == 4
    assert dyad.occurred_at == utc("2015-02-09T22:00:00")
    assert dyad.reported_at == utc("2015-02-11T22:00:00")  # the end of its last day
    assert "DPR" in (dyad.text or "") and "AFP" in (dyad.text or "")
    assert (one_sided.perpetrator, one_sided.target) == ("RU", "civilian")
    donetsk = areas().named("Donetsk Oblast")
    assert one_sided.location_precision_m == round(donetsk.reach_m(48.0, 37.8))


def test_ucdp_a_mapping_may_attribute_the_dyads_side_b(tmp_path: Path):
    path = ucdp_file(
        tmp_path,
        "1,1,Government of Ukraine - DPR,Government of Ukraine,DPR,1,x,,48.1,37.7,1,"
        "2015-02-10,2015-02-10,1,1,1,",
    )
    override = tmp_path / "attribute.yaml"
    override.write_text("perpetrator: {1: side_b}\nactors: {DPR: RU}\n")
    reports, _, _ = split(list(read("ucdp", str(path), mapping_for("ucdp", override))))
    assert reports["1"].perpetrator == "RU"


def test_ucdp_real_file_imports_every_event(shared_dir: Path):
    path = shared_dir / "data" / "ucdp" / "ucdp_ged_ukraine_2014-2021.csv"
    if not path.is_file():
        pytest.skip(f"no UCDP file at {path}")
    reports, rejected, skipped = split(list(read("ucdp", str(path))))

    assert (len(reports), rejected, skipped) == (2989, [], [])
    assert all(r.perpetrator is None for r in reports.values())
    kyiv = zone("Europe/Kyiv")
    days = [r.occurred_at.astimezone(kyiv).date() for r in reports.values()]
    assert sum(date(2015, 2, 8) <= d <= date(2015, 2, 28) for d in days) == 98  # SOURCES.md


# -- the air-attack series -------------------------------------------------------------

AIR_HEADER = (
    "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,"
    "affected region,source\n"
)


def air_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "attacks.csv"
    path.write_text(AIR_HEADER + "".join(r + "\n" for r in rows))
    return path


def test_air_attacks_weapons_times_and_places(tmp_path: Path):
    path = air_file(
        tmp_path,
        "2026-03-02 18:00,2026-03-03 08:00,Shahed-136/131,Kursk oblast,Kharkiv oblast,,90,80,,p/1",
        "2026-03-04,2026-03-04,X-101/X-555 and Kalibr,Black Sea,south,,20,18,,p/2",
        "2026-03-05,2026-03-05 07:00,Orlan-10,,,,1,1,\"['Sumy oblast', 'Chernihiv oblast']\",p/3",
        "2026-03-06 3:30,2026-03-06 07:00,Kinzhal-9,,Kyiv,,2,0,,p/4",
    )
    records = list(read("air-attacks", str(path)))
    drones, missiles, recce = (r for r in records if isinstance(r, Report))
    [bad] = [r for r in records if isinstance(r, Rejection)]
    known = areas()

    assert (drones.perpetrator, drones.event_type) == ("RU", "drone_strike")
    assert drones.occurred_at == utc("2026-03-02T16:00:00")  # 18:00 Kyiv (UTC+2)
    assert drones.reported_at == utc("2026-03-03T06:00:00")
    kharkiv = known.named("Kharkiv Oblast")
    assert (drones.lat, drones.lon) == (round(kharkiv.lat, 5), round(kharkiv.lon, 5))
    assert drones.location_precision_m == round(kharkiv.radius_m)
    assert "90 launched, 80 destroyed" in (drones.text or "")

    assert missiles.event_type == "missile_strike"
    assert missiles.occurred_at == utc("2026-03-03T22:00:00")  # a date alone: the whole day
    assert missiles.reported_at == utc("2026-03-04T22:00:00")
    assert known.locate(missiles.lat, missiles.lon, missiles.location_precision_m) is None

    assert recce.event_type == "other"
    lat, lon, radius = known.covering([known.named("Sumy"), known.named("Chernihiv")])
    assert (recce.lat, recce.lon) == (round(lat, 5), round(lon, 5))
    assert recce.location_precision_m == round(radius)

    [error] = bad.errors
    assert error.field == "model" and "Kinzhal-9" in error.message
    assert error.record.startswith(f"{path}:5 (id 2026-03-06-")


def test_air_attacks_rows_alike_get_distinct_ids_and_the_same_ids_again(tmp_path: Path):
    row = "2024-08-02,2024-08-02,ZALA,,south,,1,1,,p/1"
    path = air_file(tmp_path, row, row)
    first = [r.id for r in read("air-attacks", str(path)) if isinstance(r, Report)]
    again = [r.id for r in read("air-attacks", str(path)) if isinstance(r, Report)]
    assert len(set(first)) == 2 and first == again


def test_air_attacks_real_series_maps_every_row(shared_dir: Path):
    path = shared_dir / "data" / "air-attacks" / "missile_attacks_daily.csv"
    if not path.is_file():
        pytest.skip(f"no air-attack series at {path}")
    reports, rejected, skipped = split(list(read("air-attacks", str(path))))

    assert (len(reports), rejected, skipped) == (3268, [], [])
    types = Counter(r.event_type for r in reports.values())
    assert set(types) == {"missile_strike", "drone_strike", "air_strike", "other"}
    assert all(r.perpetrator == "RU" for r in reports.values())
    assert all(r.arrival >= r.occurred_at for r in reports.values())


# -- any CSV, with a mapping -----------------------------------------------------------

MAPPING = """\
source: field-team
source_kind: monitor
reliability: B
credibility: 2
timezone: Europe/Kyiv
id: "ft-{no}"
skip: {column: kind, values: [training]}
fields:
  occurred_at: {column: when}
  reported_at: {column: logged, end_of_day: true}
  lat: {column: y}
  lon: {column: x}
  location_precision_m: {column: km, scale: 1000}
  event_type: {column: kind, values: {shelling: artillery, uav: drone_strike}}
  perpetrator: {column: side, values: {Russia: RU, Ukraine: UA}, default: null}
  killed: {column: dead}
  text: {template: "{what} near {town}"}
place: {column: oblast}
"""


def test_a_csv_mapping_maps_converts_skips_and_names_bad_cells(tmp_path: Path):
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text(MAPPING)
    table = tmp_path / "log.csv"
    table.write_text(
        "no,when,logged,y,x,km,kind,side,dead,what,town,oblast\n"
        "1,2026-03-02 10:00,2026-03-02,48.0,37.8,2,Shelling,Russia,1,Shelling,Avdiivka,\n"
        "2,2026-03-02 11:00,,,,,uav,unknown,,Drone,Kupiansk,Kharkov\n"
        "3,2026-03-02 12:00,,48.0,37.8,,laser,Russia,,Laser,Nowhere,\n"
        "4,2026-03-02 13:00,,48.0,37.8,,training,,,Drill,Base,\n"
    )
    records = list(read("csv", str(table), mapping_for("csv", mapping_file)))
    reports, rejected, skipped = split(records)

    first = reports["ft-1"]
    assert (first.event_type, first.perpetrator, first.killed) == ("artillery", "RU", 1)
    assert first.location_precision_m == 2000
    assert first.reported_at == utc("2026-03-02T22:00:00")
    assert first.text == "Shelling near Avdiivka"
    second = reports["ft-2"]
    kharkiv = areas().named("Kharkiv Oblast")
    assert (second.lat, second.lon, second.perpetrator) == (kharkiv.lat, kharkiv.lon, None)
    [bad] = rejected
    assert [(e.record, e.field) for e in bad.errors] == [(f"{table}:4 (id ft-3)", "kind")]
    assert [s.where for s in skipped] == [f"{table}:5"]


def test_a_csv_import_needs_a_mapping():
    with pytest.raises(MappingError, match="needs --mapping"):
        mapping_for("csv")
