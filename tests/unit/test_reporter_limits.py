"""What a reporter's token lets it send: as its bound sources only, or ungraded claims."""

from __future__ import annotations

from typing import Any

import pytest

from builders import T0
from ceasewatch.domain.events import iso_z
from ceasewatch.services.submit import RecordError, Sender, validate

BOUND = Sender(frozenset({"field-team-3"}))
UNBOUND = Sender(frozenset(), declared=frozenset({"omm-3"}))


def record(**fields: Any) -> dict[str, Any]:
    return {
        "id": "r1",
        "source": "field-team-3",
        "occurred_at": iso_z(T0),
        "lat": 48.0,
        "lon": 37.8,
        "event_type": "artillery",
        "perpetrator": "RU",
        **fields,
    }


def refused(records: list[dict[str, Any]], sender: Sender | None) -> list[RecordError]:
    return validate(records, T0, sender)[1]


def test_a_bound_reporter_reports_as_its_source_whatever_it_claims():
    claims = record(source_kind="monitor", reliability="A", credibility=1)

    assert refused([claims], BOUND) == []


def test_a_bound_reporter_may_not_report_as_another_source():
    [error] = refused([record(source="omm-3")], BOUND)

    assert (error.index, error.id, error.field) == (0, "r1", "source")
    assert "field-team-3" in error.message


@pytest.mark.parametrize("kind", ["monitor", "sensor", "satellite"])
def test_an_unbound_reporter_may_not_claim_a_kind_that_verifies_alone(kind: str):
    [error] = refused([record(source_kind=kind)], UNBOUND)

    assert error.field == "source_kind"


@pytest.mark.parametrize("grade", ["A", "B"])
def test_an_unbound_reporter_may_not_grade_itself_a_or_b(grade: str):
    [error] = refused([record(reliability=grade)], UNBOUND)

    assert error.field == "reliability"


def test_an_unbound_reporter_may_send_lesser_claims():
    claims = record(source_kind="osint", reliability="C", credibility=1)

    assert refused([claims], UNBOUND) == []


def test_an_unbound_reporter_may_not_take_a_declared_sources_name():
    [error] = refused([record(source="omm-3", source_kind="osint")], UNBOUND)

    assert error.field == "source"
    assert "omm-3 is in the source registry" in error.message


def test_the_other_records_of_the_batch_are_kept():
    good, bad = validate(
        [record(id="a"), record(id="b", source="omm-3"), record(id="c")], T0, BOUND
    )

    assert [r.id for r in good] == ["a", "c"]
    assert [(e.index, e.field) for e in bad] == [(1, "source")]


def test_analysts_admins_and_importers_are_not_limited():
    claims = record(source="omm-3", source_kind="monitor", reliability="A")

    assert refused([claims], None) == []


def test_every_claim_an_unbound_reporter_may_not_make_is_named():
    claims = record(source="omm-3", source_kind="monitor", reliability="A")

    assert [e.field for e in refused([claims], UNBOUND)] == ["source_kind", "reliability", "source"]
