"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright.

The flow of the issue, each step by the role that does it, each in its own browser:
a reporter submits a report from a phone-sized screen (a bad field first), an observer
sees it on the map, an analyst verifies it from the queue, the observer's case board
(never reloaded) shows the new case with its deadlines counting down, a decision maker
authorises phase 3 of the other case, and the observer's case page (never reloaded) shows
the quorum move. Every request any page makes is recorded: all go to the app's own origin.
axe-core, served by the test server, checks each page for serious accessibility faults.

Screenshots go to $CEASEWATCH_SCREENSHOTS (`make screenshots`: docs/screenshots/), or to a
temporary folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_world import World, build, defend, violation
from postgres_admin import cut_off, fresh_database
from servers import serving
from starlette.staticfiles import StaticFiles
from web_client import SETTINGS, FixedClock

from builders import HOUR, T0
from ceasewatch.app import create_app
from ceasewatch.services.setup import init
from ceasewatch.services.system import open_system

CHROMIUM = os.environ.get("CEASEWATCH_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VENDOR = Path(__file__).parent / "vendor"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
WAIT = 15_000
"""Milliseconds to wait for what a page shows (a bound, not a timing)."""
HALTING = "UA fire at 00:30 (inc-5), 2.7 km from inc-3: halting the breach"


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    return None


@pytest.fixture(scope="module")
def playwright_browser() -> Iterator[Any]:
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("CEASEWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'ceasewatch.db'}"
    init(url)
    system = open_system(url)
    yield build(system, folder)
    system.db.dispose()


@pytest.fixture(scope="module")
def site(world: World) -> Iterator[str]:
    app = create_app(world.system, clock=FixedClock(T0 + 74 * HOUR), web=SETTINGS)
    app.mount("/test-vendor", StaticFiles(directory=VENDOR), name="test-vendor")
    with serving(app) as base:
        yield base


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("CEASEWATCH_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Visits:
    """Browser contexts, one per person, each recording every request its pages make."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser, self.base = browser, base
        self.requests: list[str] = []
        self.contexts: list[Any] = []

    def person(self, world: World, who: str, viewport: dict[str, int] = DESKTOP) -> Any:
        context = self.browser.new_context(viewport=viewport)
        context.on("request", lambda request: self.requests.append(request.url))
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT)
        page.goto(f"{self.base}/login")
        page.get_by_label("Token").fill(world.tokens[who])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/(cases|queue|reports/new|map).*"))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def elsewhere(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.base + "/")]


def serious_violations(page: Any, base: str) -> list[dict[str, Any]]:
    """axe-core's critical and serious violations on the page as it is now."""
    page.add_script_tag(url=f"{base}/test-vendor/axe-core/axe.min.js")
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))"""
    )
    return found


def settled(page: Any) -> None:
    page.wait_for_load_state("networkidle")


def test_report_map_verify_case_and_decision_in_a_browser(
    playwright_browser: Any, site: str, world: World, shots: Path
):
    visits = Visits(playwright_browser, site)
    checked: dict[str, list[dict[str, Any]]] = {}
    try:
        # the sign-in page, as anyone first sees it
        login = playwright_browser.new_context(viewport=DESKTOP)
        login.on("request", lambda request: visits.requests.append(request.url))
        visits.contexts.append(login)
        first = login.new_page()
        first.goto(f"{site}/login")
        first.screenshot(path=shots / "login.png")
        checked["login"] = serious_violations(first, site)

        # a field monitor reports from a phone: a bad latitude first, then the good report
        reporter = visits.person(world, "reporter", PHONE)
        assert reporter.url.endswith("/reports/new")
        settled(reporter)
        reporter.locator("#pick-map").click(position={"x": 200, "y": 120})
        assert reporter.get_by_label("Latitude").input_value() != ""
        reporter.get_by_label("What happened").select_option("mortar")
        reporter.get_by_label("When (UTC)").fill("2026-03-05T11:00")
        reporter.get_by_label("Latitude").fill("95")
        reporter.get_by_label("Longitude").fill("37.2")
        reporter.get_by_label("Alleged perpetrator").select_option("UA")
        reporter.get_by_label("Account").fill("Mortar rounds landed near the school at 11:00.")
        reporter.get_by_text("Source and grading").click()
        reporter.get_by_label("Source", exact=True).fill("field-team-7")
        reporter.get_by_label("Source kind").select_option("osint")
        reporter.get_by_role("button", name="Submit report").click()
        error = reporter.locator("#lat-error")
        error.wait_for()
        assert "less than or equal to 90" in error.inner_text()
        assert reporter.get_by_label("Latitude").get_attribute("aria-invalid") == "true"
        checked["report form, with errors"] = serious_violations(reporter, site)
        reporter.get_by_label("Latitude").fill("47.9")
        reporter.get_by_role("button", name="Submit report").click()
        reporter.get_by_text(re.compile(r"Report web-[0-9a-f]+ stored\.")).wait_for()
        settled(reporter)
        reporter.screenshot(path=shots / "report-form.png", full_page=True)
        checked["report form"] = serious_violations(reporter, site)

        # an observer sees it on the map, and opens it
        observer = visits.person(world, "observer")
        observer.goto(f"{site}/map")
        observer.get_by_text(re.compile(r"\d+ incidents in view")).wait_for()
        settled(observer)
        observer.screenshot(path=shots / "map.png")
        checked["map"] = serious_violations(observer, site)
        observer.evaluate("cwMap.setView([47.9, 37.2], 14)")
        observer.get_by_text("1 incident in view").wait_for()
        point = observer.evaluate(
            "(() => { const p = cwMap.latLngToContainerPoint([47.9, 37.2]); return [p.x, p.y]; })()"
        )
        observer.locator("#map").click(position={"x": point[0], "y": point[1]})
        panel = observer.locator("#panel")
        panel.get_by_text("Mortar rounds landed near the school").wait_for()
        assert "field-team-7" in panel.inner_text()
        assert "unverified" in panel.inner_text()

        # the observer keeps the case board open; it is never reloaded from here on
        observer.goto(f"{site}/cases")
        observer.get_by_text("Live", exact=True).wait_for()
        assert "cf-1/UA/1" not in observer.locator("#board").inner_text()

        # an analyst verifies it from the queue
        analyst = visits.person(world, "analyst")
        assert analyst.url.endswith("/queue")
        analyst.get_by_role("link", name=re.compile(r"mortar .*UA")).click()
        detail = analyst.locator(".queue-detail")
        detail.get_by_text("field-team-7").wait_for()
        assert "Reports side by side" in detail.inner_text()
        settled(analyst)
        analyst.screenshot(path=shots / "queue.png", full_page=True)
        checked["queue"] = serious_violations(analyst, site)
        analyst.get_by_label("Reason", exact=True).first.fill("Crater and debris seen on video.")
        analyst.get_by_role("button", name="Verify").click()
        analyst.get_by_text(re.compile(r"cf-1:inc-\d+ verified\.")).wait_for()

        # the board shows the new case, its phase-1 deadlines counting down
        card = observer.locator("article.case", has_text="cf-1/UA/1")
        card.wait_for()
        countdown = card.locator("time.countdown").first
        first_reading = countdown.inner_text()
        assert re.fullmatch(r"2\d:\d\d:\d\d left", first_reading), first_reading
        observer.wait_for_function(
            "([el, was]) => el.textContent !== was", arg=[countdown.element_handle(), first_reading]
        )
        assert "overdue" not in (countdown.get_attribute("class") or "")
        overdue = observer.locator("article.case", has_text="cf-1/RU/1").locator("time.overdue")
        assert overdue.count() >= 1
        observer.screenshot(path=shots / "cases.png", full_page=True)
        checked["cases"] = serious_violations(observer, site)

        # a decision maker authorises phase 3 of the RU case; the observer's page follows
        observer.goto(f"{site}/cases/cf-1/RU/1")
        observer.get_by_text("Live", exact=True).wait_for()
        us = visits.person(world, "decision_maker:US")
        us.goto(f"{site}/cases/cf-1/RU/1")
        us.get_by_label("Reason").fill("Broad attack confirmed by the monitors.")
        us.get_by_role("button", name="Authorise phase 3").click()
        us.get_by_text("Recorded.").wait_for()
        settled(us)
        us.screenshot(path=shots / "case.png", full_page=True)
        checked["case"] = serious_violations(us, site)
        row = observer.locator("table.quorum tr", has_text="US").first
        observer.wait_for_function(
            "el => el.textContent.replace(/\\s+/g, ' ').includes('US 1 US')",
            arg=row.element_handle(),
        )
        assert "authorised phase 3" in observer.locator("#case-body").inner_text()
    finally:
        visits.close()

    assert visits.requests, "no request recorded"
    assert visits.elsewhere() == [], "requests to other hosts"
    assert {name: found for name, found in checked.items() if found} == {}


def test_defensive_responses_on_a_case_page_and_counted_from_the_queue_in_a_browser(
    playwright_browser: Any, tmp_path: Path, shots: Path
):
    """Rule 7 on the pages: the observer's case page (never reloaded) shows the defender's
    fire as halting the breach when it is verified; an analyst counts it as a violation
    from the queue, and the case page says so."""
    url = f"sqlite:///{tmp_path / 'ceasewatch.db'}"
    init(url)
    system = open_system(url)
    world = build(system, tmp_path)
    app = create_app(system, clock=FixedClock(T0 + 74 * HOUR), web=SETTINGS)
    app.mount("/test-vendor", StaticFiles(directory=VENDOR), name="test-vendor")
    checked: dict[str, list[dict[str, Any]]] = {}
    with serving(app) as site:
        visits = Visits(playwright_browser, site)
        try:
            observer = visits.person(world, "observer")
            observer.goto(f"{site}/cases/cf-1/RU/1")
            observer.get_by_text("Live", exact=True).wait_for()
            key = defend(world, tmp_path)  # UA's fire, verified as it arrives
            observer.get_by_text(HALTING).wait_for()
            observer.get_by_role("heading", name="Defensive responses").wait_for()
            settled(observer)
            observer.screenshot(path=shots / "case-defensive-response.png", full_page=True)
            checked["case with a defensive response"] = serious_violations(observer, site)

            analyst = visits.person(world, "analyst")
            responses = analyst.get_by_role("list", name=re.compile("Defensive responses"))
            responses.get_by_role("link", name=re.compile(r"inc-5 artillery")).click()
            detail = analyst.locator(".queue-detail")
            detail.get_by_text("Defensive response to case cf-1/RU/1").wait_for()
            settled(analyst)
            analyst.screenshot(path=shots / "queue-defensive-response.png", full_page=True)
            checked["queue, a defensive response"] = serious_violations(analyst, site)
            analyst.locator("#count-reason").fill("The battery also fired on the school.")
            analyst.get_by_role("button", name="Count as a violation").click()
            analyst.get_by_text(f"{key} counted as a violation.").wait_for()

            observer.get_by_text("inc-5 counted as a violation by").wait_for()
            assert "Defensive responses" not in observer.locator("#case-body").inner_text()
        finally:
            visits.close()
            system.db.dispose()

    assert visits.elsewhere() == [], "requests to other hosts"
    assert {name: found for name, found in checked.items() if found} == {}


def test_the_api_docs_load_nothing_from_another_host(playwright_browser: Any, site: str):
    context = playwright_browser.new_context(viewport=DESKTOP)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.set_default_timeout(WAIT)
    try:
        page.goto(f"{site}/docs")
        page.get_by_text("/api/v1/reports").first.wait_for()
        settled(page)
    finally:
        context.close()

    assert requests and [u for u in requests if not u.startswith(site + "/")] == []


def test_a_board_left_open_through_a_database_outage_goes_live_again(
    playwright_browser: Any, tmp_path: Path
):
    """While the database is away the stream's reconnection is answered 503, and the
    browser gives up on an error answer: the page connects again itself, and goes on
    following the record once the database is back."""
    with contextmanager(fresh_database)() as url:
        init(url)
        system = open_system(url)
        world = build(system, tmp_path)
        app = create_app(world.system, clock=FixedClock(T0 + 74 * HOUR), web=SETTINGS)
        with serving(app) as site:
            visits = Visits(playwright_browser, site)
            try:
                observer = visits.person(world, "observer")
                observer.goto(f"{site}/cases")
                observer.get_by_text("Live", exact=True).wait_for()
                with cut_off(url), observer.expect_response(away, timeout=30_000):
                    observer.get_by_text("Reconnecting…", exact=True).wait_for()
                observer.get_by_text("Live", exact=True).wait_for(timeout=30_000)
                httpx.post(
                    f"{site}/api/v1/reports",
                    json=violation(30, 74, perpetrator="UA", lat=46.7, lon=32.9),
                    headers=world.headers("reporter:omm"),
                ).raise_for_status()
                observer.locator("article.case", has_text="cf-1/UA/1").wait_for()
            finally:
                visits.close()
        system.db.dispose()


def away(response: Any) -> bool:
    """The stream's reconnection, answered while the database is away."""
    return bool(response.url.endswith("/stream") and response.status == 503)
