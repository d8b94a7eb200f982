"""The web forms' small pieces: a report form into a record, reasons, the session secret."""

from __future__ import annotations

import stat
from pathlib import Path

from starlette.datastructures import FormData

from ceasewatch.web.access import safe_next
from ceasewatch.web.forms import reason, report_record
from ceasewatch.web.settings import stored_secret


def test_a_report_form_becomes_the_record_the_api_takes():
    form = FormData(
        {
            "id": "web-1",
            "source": "team",
            "occurred_at": "2026-03-05T09:30",
            "lat": "48.1",
            "lon": "37.5",
            "killed": "2",
            "event_type": "mortar",
            "perpetrator": "",
            "text": "  shelling  ",
        }
    )

    record, typed = report_record(form)

    assert record == {
        "id": "web-1",
        "source": "team",
        "occurred_at": "2026-03-05T09:30:00Z",
        "lat": 48.1,
        "lon": 37.5,
        "killed": 2,
        "event_type": "mortar",
        "text": "shelling",
    }
    assert typed["perpetrator"] == ""


def test_what_is_not_a_number_stays_text_for_the_validation_to_name():
    record, _ = report_record(FormData({"lat": "north", "killed": "2.5"}))

    assert record == {"lat": "north", "killed": "2.5"}


def test_a_time_with_its_zone_is_kept():
    record, _ = report_record(FormData({"occurred_at": "2026-03-05T09:30:00+02:00"}))

    assert record["occurred_at"] == "2026-03-05T09:30:00+02:00"


def test_a_reason_is_required_and_bounded():
    assert reason("  because  ") == "because"
    assert reason("   ") is None
    assert reason(None) is None
    assert reason("x" * 5001) is None


def test_next_stays_on_the_site():
    assert safe_next("/map?x=1") == "/map?x=1"
    for target in (None, "", "//evil.example", "https://evil.example", "/\\evil", "map"):
        assert safe_next(target) == "/"


def test_the_generated_secret_is_made_once_and_kept_private(tmp_path: Path):
    path = tmp_path / "state" / "secret"

    first = stored_secret(path)

    assert len(first) >= 40
    assert stored_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_content_policy_admits_a_configured_tile_server_and_nothing_else():
    from ceasewatch.web import content_policy
    from ceasewatch.web.settings import WebSettings

    offline = content_policy(WebSettings(secret="s"))
    online = content_policy(
        WebSettings(secret="s", tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    )

    assert "img-src 'self' data:;" in offline
    assert "img-src 'self' data: https://*.tiles.example.org;" in online
    assert "connect-src 'self';" in online
