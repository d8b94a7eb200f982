"""ACLED's plan, without a database: which versions of an export are stored, which are
stale, and which stored versions they supersede or delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from builders import make_report
from ceasewatch.domain.reports import Report
from ceasewatch.importers import FORMATS
from ceasewatch.importers.acled import AcledMapping, newest_versions, plan, stored_versions
from ceasewatch.importers.plans import Plan, Previous, Withdraw

DAY1 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)
DAY9 = DAY1 + timedelta(days=7)
EXPORT = "/data/acled-2026-03.csv"


@pytest.fixture(scope="module")
def mapping() -> AcledMapping:
    chosen = FORMATS["acled"].mapping()
    assert isinstance(chosen, AcledMapping)
    return chosen


def version(rid: str, occurred: datetime = DAY1) -> Report:
    return make_report(id=rid, source="acled", occurred_at=occurred)


def planned(
    mapping: AcledMapping,
    reports: list[Report],
    stored: list[tuple[str, datetime]] = (),  # type: ignore[assignment]
    withdrawn: set[str] = frozenset(),  # type: ignore[assignment]
    withdraw_missing: bool = True,
) -> Plan:
    previous = Previous(list(stored), withdrawn)
    return plan(reports, mapping, previous, EXPORT, {"withdraw_missing": withdraw_missing})


def test_a_first_export_stores_every_event_s_newest_version(mapping: AcledMapping):
    reports = [version("UKR1@100"), version("UKR2@100"), version("UKR1@200")]

    result = planned(mapping, reports)

    assert [r.id for r in result.reports] == ["UKR1@200", "UKR2@100"]
    assert result.stale == 1  # UKR1@100: a newer version is in the same file
    assert result.withdrawals == []


def test_a_newer_version_supersedes_the_stored_ones_not_yet_withdrawn(mapping: AcledMapping):
    stored = [("UKR1@100", DAY1), ("UKR1@150", DAY1), ("UKR1@50", DAY1)]

    result = planned(mapping, [version("UKR1@200")], stored, withdrawn={"UKR1@50"})

    assert [r.id for r in result.reports] == ["UKR1@200"]
    reason = "superseded by ACLED version UKR1@200"
    assert result.withdrawals == [Withdraw("UKR1@100", reason), Withdraw("UKR1@150", reason)]


def test_a_version_older_than_the_stored_one_is_stale_and_changes_nothing(mapping: AcledMapping):
    result = planned(mapping, [version("UKR1@100")], [("UKR1@200", DAY1)])

    assert result == Plan([], [], stale=1)


def test_the_same_version_again_is_taken_and_withdraws_nothing(mapping: AcledMapping):
    """Storing it again stores nothing: `take` sees it is stored already."""
    result = planned(mapping, [version("UKR1@100")], [("UKR1@100", DAY1)])

    assert [r.id for r in result.reports] == ["UKR1@100"] and result.withdrawals == []


def test_an_event_missing_from_the_export_within_its_days_and_countries_is_deleted(
    mapping: AcledMapping,
):
    stored = [("UKR1@100", DAY1), ("UKR2@100", DAY2), ("UKR2@90", DAY2)]

    result = planned(mapping, [version("UKR1@200", DAY1), version("UKR3@200", DAY2)], stored)

    deleted = "deleted by ACLED: not in the export acled-2026-03.csv"
    assert Withdraw("UKR2@100", deleted) in result.withdrawals
    assert Withdraw("UKR2@90", deleted) in result.withdrawals


def test_keep_missing_deletes_nothing(mapping: AcledMapping):
    stored = [("UKR2@100", DAY1)]

    result = planned(mapping, [version("UKR1@200")], stored, withdraw_missing=False)

    assert result.withdrawals == []


@pytest.mark.parametrize(
    ("stored", "why"),
    [
        ([("UKR2@100", DAY9)], "a day the export does not cover"),
        ([("RUS2@100", DAY1)], "a country the export does not cover"),
        ([("UKR2@900", DAY1)], "stored from a newer export"),
        ([("UKR2@100", DAY1)], "withdrawn already"),
        ([("other-source-id", DAY1)], "not an ACLED version"),
    ],
)
def test_what_the_export_does_not_cover_is_not_deleted(
    mapping: AcledMapping, stored: list[tuple[str, datetime]], why: str
):
    withdrawn = {"UKR2@100"} if why == "withdrawn already" else set()

    result = planned(mapping, [version("UKR1@200")], stored, withdrawn)

    assert result.withdrawals == [], why


def test_an_empty_export_deletes_nothing(mapping: AcledMapping):
    assert planned(mapping, [], [("UKR2@100", DAY1)]) == Plan([])


def test_stored_versions_are_grouped_by_event_on_the_local_day(mapping: AcledMapping):
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # already the 3rd in Kyiv

    stored = stored_versions([("UKR1@1", late), ("UKR1@2", DAY1), ("x", DAY1)], mapping.zone)

    assert mapping.timezone == "Europe/Kyiv"
    assert list(stored) == ["UKR1"]
    assert [v.day.isoformat() for v in stored["UKR1"]] == ["2026-03-03", "2026-03-02"]


def test_newest_versions_keep_the_order_events_were_first_read():
    reports = [version("UKR2@1"), version("UKR1@1"), version("UKR2@5")]

    newest = newest_versions(reports)

    assert [(e, latest.stamp) for e, latest in newest.items()] == [("UKR2", 5), ("UKR1", 1)]


def test_the_format_table_gives_acled_s_switch_its_default():
    acled = FORMATS["acled"]

    assert acled.versioned and not FORMATS["ucdp"].versioned
    assert acled.settings() == {"withdraw_missing": True}
    assert acled.settings({"withdraw_missing": False}) == {"withdraw_missing": False}
    with pytest.raises(ValueError, match="no option"):
        FORMATS["ucdp"].settings({"withdraw_missing": False})
