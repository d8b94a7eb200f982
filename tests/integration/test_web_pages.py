"""The web pages over the real app and database: sign-in, roles, CSRF, the forms' effects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from api_world import CASE, NOW, World, build, violation
from starlette.testclient import TestClient
from web_client import FixedClock, client, csrf_of, sign_in

from builders import HOUR, T0, write_jsonl
from ceasewatch.domain.events import iso_z
from ceasewatch.domain.reports import parse_report
from ceasewatch.services import commands
from ceasewatch.services.ingest import ingest, take
from ceasewatch.services.system import System
from ceasewatch.store import queries
from ceasewatch.store.database import reading
from ceasewatch.web.sessions import COOKIE

CLOCK = FixedClock(T0 + 74 * HOUR)


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


@pytest.fixture
def http(world: World) -> TestClient:
    return client(world, CLOCK)


def as_(world: World, who: str) -> tuple[TestClient, str]:
    http = client(world, CLOCK)
    return http, sign_in(http, world.tokens[who])


# -- signing in -------------------------------------------------------------------------


def test_the_login_page_asks_for_a_token(http: TestClient):
    page = http.get("/login")

    assert page.status_code == 200
    assert '<label for="token">Token</label>' in page.text
    assert ">Sign in</button>" in page.text


def test_signing_in_sets_an_httponly_samesite_session_cookie(http: TestClient, world: World):
    page = http.get("/login")
    response = http.post(
        "/login",
        data={"token": world.tokens["observer"], "csrf": csrf_of(page.text), "next": "/"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/cases"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(COOKIE + "=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert world.tokens["observer"] not in cookie
    assert http.get("/cases").status_code == 200


def test_an_unknown_or_revoked_token_is_refused(http: TestClient, world: World):
    for token in ("cw_not-a-token", world.tokens["revoked"]):
        page = http.get("/login")
        response = http.post("/login", data={"token": token, "csrf": csrf_of(page.text)})

        assert response.status_code == 401
        assert "Unknown, revoked or expired token." in response.text


def test_sign_in_without_the_forms_csrf_token_is_refused(http: TestClient, world: World):
    http.get("/login")
    response = http.post("/login", data={"token": world.tokens["admin"], "csrf": "guess"})

    assert response.status_code == 403
    assert http.get("/cases").status_code == 303


def test_pages_send_a_visitor_without_a_session_to_sign_in(http: TestClient):
    for path in ("/cases", "/map", "/queue", "/reports/new", f"/cases/{CASE}"):
        response = http.get(path)

        assert response.status_code == 303, path
        assert response.headers["location"] == "/login?next=" + path
    data = http.get("/map/data", params={"bbox": "22,44,41,53", "zoom": 5})
    assert data.status_code == 401
    assert data.json() == {"error": "Sign in again: the session has ended."}


def test_after_sign_in_the_visitor_goes_back_where_they_were_going(http: TestClient, world: World):
    page = http.get("/login?next=/map")
    response = http.post(
        "/login",
        data={"token": world.tokens["observer"], "csrf": csrf_of(page.text), "next": "/map"},
    )

    assert response.headers["location"] == "/map"


def test_next_never_leads_off_the_site(http: TestClient, world: World):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        page = http.get("/login")
        response = http.post(
            "/login",
            data={"token": world.tokens["observer"], "csrf": csrf_of(page.text), "next": target},
        )

        assert response.headers["location"] == "/cases"


def test_a_forged_or_foreign_cookie_is_no_session(http: TestClient, world: World):
    sign_in(http, world.tokens["admin"])
    value = http.cookies[COOKIE]
    http.cookies.set(COOKIE, value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1])

    assert http.get("/cases").status_code == 303


def test_revoking_the_token_ends_its_sessions(world: World):
    from ceasewatch.services import tokens

    http, _ = as_(world, "analyst")
    tokens.revoke(world.system, "analyst", NOW)

    assert http.get("/queue").status_code == 303


def test_signing_out_ends_the_session(world: World):
    http, csrf = as_(world, "observer")
    response = http.post("/logout", data={"csrf": csrf})

    assert response.status_code == 303
    assert http.get("/cases").status_code == 303


# -- roles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed", "refused"),
    [
        ("observer", ["/cases", "/map", f"/cases/{CASE}"], ["/queue", "/reports/new"]),
        ("reporter", ["/reports/new", "/map"], ["/queue"]),
        ("analyst", ["/queue", "/reports/new", "/cases"], []),
        ("decision_maker:US", ["/cases", f"/cases/{CASE}"], ["/queue", "/reports/new"]),
    ],
)
def test_each_role_sees_the_pages_it_may_use(
    world: World, who: str, allowed: list[str], refused: list[str]
):
    http, _ = as_(world, who)

    for path in allowed:
        assert http.get(path).status_code == 200, path
    for path in refused:
        page = http.get(path)
        assert page.status_code == 403, path
        assert "may not use this page" in page.text
    nav = http.get("/map").text
    assert ('href="/queue"' in nav) == ("/queue" in allowed)


def test_a_refused_page_names_the_role_with_its_article(world: World):
    http, _ = as_(world, "observer")

    page = http.get("/queue")

    assert page.status_code == 403
    assert "An observer may not use this page" in page.text


def test_the_front_door_leads_each_role_to_its_page(world: World):
    for who, page in (("reporter", "/reports/new"), ("analyst", "/queue"), ("observer", "/cases")):
        http, _ = as_(world, who)
        assert http.get("/").headers["location"] == page


def test_pages_forbid_other_origins_for_everything(world: World):
    http, _ = as_(world, "observer")
    policy = http.get("/map").headers["content-security-policy"]

    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "connect-src 'self'" in policy


# -- the case board and decisions --------------------------------------------------------


def test_the_board_shows_open_cases_with_phase_deadlines_and_quorum(world: World):
    http, _ = as_(world, "observer")
    page = http.get("/cases").text

    assert CASE in page
    assert "Phase 3" in page
    assert 'class="countdown overdue"' in page  # phase-1 deadlines passed at T0 + 24 h
    assert "Authorisation so far" in page
    assert "role:coalition_lead" in page


def badge(page: str) -> str:
    [found] = re.findall(r'<span class="badge phase-3[^"]*">([^<]+)</span>', page)
    return found


def test_the_board_tells_a_recommended_phase_from_an_authorised_one(world: World):
    http, _ = as_(world, "observer")
    recommended = badge(http.get("/cases").text)
    for party in ("US", "GB"):
        commands.decide(world.system, CASE, 3, party=party, authorise=True, reason="confirmed")

    assert (recommended, badge(http.get("/cases").text)) == (
        "Phase 3 recommended",
        "Phase 3 authorised",
    )
    assert badge(http.get(f"/cases/{CASE}").text) == "Phase 3 authorised"


def test_the_board_shows_a_declined_phase_as_declined(world: World):
    http, _ = as_(world, "observer")
    commands.decide(world.system, CASE, 3, party="US", authorise=False, reason="not yet")

    assert badge(http.get("/cases").text) == "Phase 3 declined"


def test_a_decision_maker_authorises_a_phase_and_the_quorum_shows_it(world: World):
    http, csrf = as_(world, "decision_maker:US")
    page = http.get(f"/cases/{CASE}").text
    assert "Authorise phase 3" in page
    assert "Authorise phase 2" not in page  # phase 2 is the coalition lead's to authorise

    response = http.post(
        f"/cases/{CASE}/decisions",
        data={"csrf": csrf, "phase": "3", "decision": "authorise", "reason": "confirmed"},
    )

    assert response.status_code == 303
    with reading(world.system.db) as conn:
        case = queries.case(conn, CASE)
    assert case is not None
    assert [(d["party"], d["phase"], d["authorise"]) for d in case["decisions"]] == [
        ("US", 3, True)
    ]
    observer, _ = as_(world, "observer")
    body = observer.get(f"/cases/{CASE}?part=body").text
    assert re.search(r"<td>US</td>\s*<td>1</td>\s*<td>US</td>", body)  # of US, 1 needed, US


def test_a_party_that_has_decided_a_phase_is_shown_its_decision_not_a_form(world: World):
    http, csrf = as_(world, "decision_maker:US")
    http.post(
        f"/cases/{CASE}/decisions",
        data={"csrf": csrf, "phase": "3", "decision": "decline", "reason": "not yet"},
    )

    page = http.get(f"/cases/{CASE}").text

    assert "Authorise phase 3" not in page
    assert "US declined phase 3" in page


def test_a_decision_needs_a_reason_and_the_forms_csrf_token(world: World):
    http, csrf = as_(world, "decision_maker:US")

    blank = http.post(
        f"/cases/{CASE}/decisions",
        data={"csrf": csrf, "phase": "3", "decision": "authorise", "reason": "  "},
    )
    forged = http.post(
        f"/cases/{CASE}/decisions",
        data={"csrf": "nope", "phase": "3", "decision": "authorise", "reason": "why"},
    )

    assert blank.status_code == 422
    assert "Give a reason" in blank.text
    assert forged.status_code == 403
    with reading(world.system.db) as conn:
        case = queries.case(conn, CASE)
    assert case is not None and case["decisions"] == []


def test_a_party_the_policy_does_not_name_may_not_decide(world: World):
    http, csrf = as_(world, "decision_maker:UA")
    assert "Authorise phase" not in http.get(f"/cases/{CASE}").text

    response = http.post(
        f"/cases/{CASE}/decisions",
        data={"csrf": csrf, "phase": "3", "decision": "authorise", "reason": "no"},
    )

    assert response.status_code == 403


def test_an_admin_marks_an_action_done(world: World):
    http, csrf = as_(world, "admin")
    response = http.post(
        f"/cases/{CASE}/actions/diplomatic_warning", data={"csrf": csrf, "note": "delivered"}
    )

    assert response.status_code == 303
    with reading(world.system.db) as conn:
        case = queries.case(conn, CASE)
    assert case is not None
    [action] = [a for a in case["actions"] if a["action_id"] == "diplomatic_warning"]
    assert action["done_by"] == "admin"
    assert action["note"] == "delivered"


def test_an_observer_may_not_post_a_decision(world: World):
    http, csrf = as_(world, "observer")
    response = http.post(
        f"/cases/{CASE}/decisions",
        data={"csrf": csrf, "phase": "3", "decision": "authorise", "reason": "x"},
    )

    assert response.status_code == 403


# -- the report form and the queue --------------------------------------------------------


def report_form(csrf: str, **fields: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "id": "web-1",
        "source": "field-team-7",
        "source_kind": "osint",
        "occurred_at": iso_z(T0 + 73 * HOUR)[:16],
        "lat": "47.9",
        "lon": "37.2",
        "event_type": "mortar",
        "perpetrator": "UA",
        **fields,
    }


def test_a_bad_report_shows_each_bad_field_and_stores_nothing(world: World):
    http, csrf = as_(world, "reporter")
    response = http.post(
        "/reports/new", data=report_form(csrf, lat="95", event_type="", killed="-1")
    )

    assert response.status_code == 422
    assert 'id="lat" name="lat" inputmode="decimal" value="95" aria-invalid="true"' in response.text
    assert 'id="lat-error"' in response.text
    assert 'id="event_type-error"' in response.text
    assert 'id="killed-error"' in response.text
    with reading(world.system.db) as conn:
        assert queries.report_page(conn, source="field-team-7").items == []


def test_a_good_report_is_stored_as_the_api_stores_it(world: World):
    http, csrf = as_(world, "reporter")
    response = http.post("/reports/new", data=report_form(csrf, text="shelling at dawn"))

    assert response.status_code == 303
    assert response.headers["location"] == "/reports/new?stored=web-1"
    with reading(world.system.db) as conn:
        [stored] = queries.report_page(conn, source="field-team-7").items
    assert stored["occurred_at"] == iso_z(T0 + 73 * HOUR)
    assert stored["reported_at"] == iso_z(CLOCK.now())
    assert stored["lat"] == 47.9 and stored["perpetrator"] == "UA"
    assert stored["text"] == "shelling at dawn"
    again = http.post("/reports/new", data=report_form(csrf))
    assert again.status_code == 303  # the same form sent twice stores one report


def test_an_analyst_verifies_an_incident_from_the_queue_and_a_case_opens(world: World):
    reporter, csrf = as_(world, "reporter")
    reporter.post("/reports/new", data=report_form(csrf))
    http, csrf = as_(world, "analyst")
    page = http.get("/queue").text
    assert "field-team-7" in page
    assert "Reports side by side" in page
    key = next(k for k in _keys(page) if k.startswith("cf-1:"))

    response = http.post(
        "/queue/verdict", data={"csrf": csrf, "key": key, "verdict": "verify", "reason": "seen"}
    )

    assert response.status_code == 303
    with reading(world.system.db) as conn:
        cases = {c["id"]: c for c in queries.cases(conn, open_only=True)}
    assert "cf-1/UA/1" in cases
    assert "cf-1/UA/1" in http.get("/cases").text


def test_the_queue_merges_with_a_reason(world: World):
    reporter, csrf = as_(world, "reporter")
    reporter.post("/reports/new", data=report_form(csrf, id="a"))
    reporter.post("/reports/new", data=report_form(csrf, id="b", event_type="small_arms"))
    http, csrf = as_(world, "analyst")
    with reading(world.system.db) as conn:
        waiting = queries.review_queue(conn)
    keys = [f"{i['ceasefire_id']}:{i['id']}" for i in waiting if i["perpetrator"] == "UA"]
    assert len(keys) == 2
    page = http.get(f"/queue?incident={keys[0]}").text
    assert f'value="{keys[1]}"' in page  # offered as a nearby incident

    response = http.post(
        "/queue/merge",
        data={"csrf": csrf, "key": keys[0], "others": [keys[1]], "reason": "same shelling"},
    )

    assert response.status_code == 303
    with reading(world.system.db) as conn:
        merged = queries.incident(conn, *keys[1].split(":"))
    assert merged is not None and merged["status"] == "merged"


def test_a_verdict_without_a_reason_is_refused(world: World):
    http, csrf = as_(world, "analyst")
    with reading(world.system.db) as conn:
        [first, *_] = queries.review_queue(conn)
    key = f"{first['ceasefire_id']}:{first['id']}"

    response = http.post("/queue/verdict", data={"csrf": csrf, "key": key, "verdict": "verify"})

    assert response.status_code == 422
    assert "Give a reason" in response.text


def _keys(page: str) -> list[str]:
    return re.findall(r'name="key" value="([^"]+)"', page)


# -- the map --------------------------------------------------------------------------------


def test_the_map_data_counts_every_incident_in_view_once(world: World):
    http, _ = as_(world, "observer")
    data = http.get("/map/data", params={"bbox": "22,44,41,53", "zoom": 5}).json()

    with reading(world.system.db) as conn:
        stored = [i for i in queries.incident_page(conn, limit=1000) if i["status"] != "merged"]
    assert data["total"] == len(stored) > 0
    assert sum(c[2] for c in data["clusters"]) + len(data["points"]) == data["total"]


def test_the_map_data_takes_the_pages_fractional_zoom(world: World):
    http, _ = as_(world, "observer")
    whole = http.get("/map/data", params={"bbox": "22,44,41,53", "zoom": 5}).json()
    half = http.get("/map/data", params={"bbox": "22,44,41,53", "zoom": 5.5}).json()

    assert half["total"] == whole["total"]
    assert all(len(c) == 8 and c[7] >= 22 for c in half["clusters"])  # each with its size


def test_the_map_data_filters_by_type_party_status_and_time(world: World):
    http, _ = as_(world, "observer")

    def total(**params: object) -> int:
        base = {"bbox": "22,44,41,53", "zoom": 5}
        return int(http.get("/map/data", params={**base, **params}).json()["total"])

    everything = total()
    assert total(type="missile_strike") == 1
    assert total(party="UA") == 0
    assert total(party="RU") == everything
    assert total(status="verified") == 3
    assert total(since=iso_z(T0 + 59 * HOUR)) == 2
    assert total(until=iso_z(T0 + 1 * HOUR)) == 1
    assert total(bbox="30,44,31,45") == 0


def test_the_map_data_refuses_bad_input(world: World):
    http, _ = as_(world, "observer")

    assert http.get("/map/data", params={"bbox": "1,2,3", "zoom": 5}).status_code == 422
    assert http.get("/map/data", params={"bbox": "22,44,41,53", "zoom": 99}).status_code == 422
    bad = http.get("/map/data", params={"bbox": "22,44,41,53", "zoom": 5, "type": "laser"})
    assert bad.status_code == 422


def test_the_map_shows_a_new_report_at_once(world: World):
    http, _ = as_(world, "observer")
    before = http.get("/map/data", params={"bbox": "22,44,41,53", "zoom": 5}).json()["total"]
    reporter, csrf = as_(world, "reporter")
    reporter.post("/reports/new", data=report_form(csrf, lat="46.5", lon="30.7"))

    after = http.get("/map/data", params={"bbox": "22,44,41,53", "zoom": 5}).json()["total"]

    assert after == before + 1


def test_an_incidents_panel_shows_its_reports(world: World):
    http, _ = as_(world, "observer")
    panel = http.get("/map/incidents/cf-1:inc-1", headers={"X-Fragment": "1"})

    assert panel.status_code == 200
    assert "<html" not in panel.text
    assert "omm" in panel.text and "graded A1" in panel.text
    assert http.get("/map/incidents/cf-1:inc-999").status_code == 404


def verified(http: TestClient, key: str) -> str:
    panel = http.get(f"/map/incidents/{key}", headers={"X-Fragment": "1"}).text
    found = re.search(r"<dt>Verified</dt><dd>[^<]* UTC (by [^<]+)</dd>", panel)
    assert found, panel
    return found.group(1).replace("&#39;", "'")


def test_an_incidents_panel_says_how_it_was_verified(world: World, tmp_path: Path):
    http, _ = as_(world, "observer")
    commands.review_incident(world.system, "cf-1", "inc-4", "verify", by="ana", reason="video")
    near = {"lat": 47.0, "lon": 36.0, "perpetrator": "RU", "event_type": "artillery"}
    two = [
        {**violation(20, 70), **near, "source": src, "source_kind": "osint", "reliability": "C"}
        for src in ("osint-a", "media-b")
    ]
    two[1]["id"] = "v21"
    curated = {**violation(22, 70), "lat": 46.5, "source": "acled", "source_kind": "osint"}
    ingest(world.system, [str(write_jsonl(tmp_path / "two.jsonl", two))])
    ingest(world.system, [str(write_jsonl(tmp_path / "acled.jsonl", [curated]))], trusted=True)

    assert [verified(http, f"cf-1:inc-{n}") for n in (1, 4, 5, 6)] == [
        "by a monitor's graded report (omm, A1)",
        "by analyst ana",
        "by corroboration",
        "by trusted input",
    ]


def test_the_base_layers_are_served_by_the_app(world: World):
    http, _ = as_(world, "observer")
    for name in ("oblasts", "neighbours", "contact", "places"):
        layer = http.get(f"/geo/{name}.geojson")
        assert layer.status_code == 200
        assert layer.json()["features"]
    assert http.get("/geo/roads.geojson").status_code == 404


def test_the_gazetteer_names_ukraines_cities_as_ceasewatch_spells_them(world: World):
    http, _ = as_(world, "observer")
    places = http.get("/geo/places.geojson").json()["features"]
    named = {f["properties"]["name"]: f for f in places}

    for city in ("Kyiv", "Kharkiv", "Odesa", "Lviv", "Zaporizhzhia", "Kropyvnytskyi"):
        assert city in named
    assert not {"Kiev", "Lvov", "Odessa", "Kirovohrad"} & set(named)
    lon, lat = named["Kyiv"]["geometry"]["coordinates"]
    assert (lat, lon) == pytest.approx((50.45, 30.52), abs=0.05)
    populations = [f["properties"]["population"] for f in places]
    assert populations == sorted(populations, reverse=True)  # the biggest first
    assert all(0 <= f["properties"]["min_zoom"] <= 10 for f in places)


def test_the_stream_for_the_pages_takes_the_session_cookie(world: World):
    import httpx
    from servers import serving
    from web_client import SETTINGS

    from ceasewatch.app import create_app

    with serving(create_app(world.system, clock=CLOCK, web=SETTINGS)) as base:
        with httpx.Client(base_url=base, timeout=30) as anonymous:
            assert anonymous.get("/stream").status_code == 303
        with httpx.Client(base_url=base, timeout=30) as browser:
            page = browser.get("/login")
            browser.post(
                "/login", data={"token": world.tokens["observer"], "csrf": csrf_of(page.text)}
            )
            with browser.stream("GET", "/stream") as stream:
                assert stream.status_code == 200
                assert stream.headers["content-type"].startswith("text/event-stream")
                reporter = httpx.post(
                    f"{base}/api/v1/reports",
                    json=violation(30, 74, reported_at=iso_z(T0 + 74 * HOUR)),
                    headers=world.headers("reporter:omm"),
                )
                reporter.raise_for_status()
                for line in stream.iter_lines():
                    if line.startswith("event:"):
                        assert line == "event: violation_added"
                        break


def test_the_map_follows_verdicts_and_merges(world: World):
    http, _ = as_(world, "observer")

    def total(**params: object) -> int:
        base = {"bbox": "22,44,41,53", "zoom": 5}
        return int(http.get("/map/data", params={**base, **params}).json()["total"])

    reporter, csrf = as_(world, "reporter")
    reporter.post("/reports/new", data=report_form(csrf, id="a", lat="46.5", lon="30.7"))
    later = iso_z(T0 + 69 * HOUR)[:16]  # four hours apart: two incidents
    reporter.post("/reports/new", data=report_form(csrf, id="b", occurred_at=later, lon="30.71"))
    everything, verified = total(), total(status="verified")
    with reading(world.system.db) as conn:
        mine = [
            f"{i['ceasefire_id']}:{i['id']}"
            for i in queries.review_queue(conn)
            if i["perpetrator"] == "UA"
        ]
    assert len(mine) == 2
    analyst, csrf = as_(world, "analyst")
    analyst.post(
        "/queue/verdict", data={"csrf": csrf, "key": mine[0], "verdict": "verify", "reason": "ok"}
    )
    assert total(status="verified") == verified + 1
    merged = analyst.post(
        "/queue/merge",
        data={"csrf": csrf, "key": mine[0], "others": [mine[1]], "reason": "the same event"},
    )
    assert merged.status_code == 303
    assert total() == everything - 1


def test_a_name_that_opens_an_override_closes_it_where_it_is_shown(world: World):
    """A report stored before names had to be printable, from a source whose name opens a
    right-to-left override: on the page, the override ends with the name, so the grade
    after it still reads A1, not 1A."""
    rlo = "\u202e"
    old = violation(90, 80, source=f"omm{rlo}", lat=49.9, lon=36.2)
    take(world.system, [parse_report(json.dumps(old), "old", stored=True)])
    with reading(world.system.db) as conn:
        (held,) = [
            row
            for row in queries.incident_page(conn, limit=1000)
            if [f"omm{rlo}", "v90"] in row["reports"]
        ]
    http, _ = as_(world, "observer")

    panel = http.get(f"/map/incidents/cf-1:{held['id']}", headers={"X-Fragment": "1"}).text

    assert f"<strong>omm{rlo}\u202c</strong> (monitor, graded A1)" in panel
