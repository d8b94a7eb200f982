"""The map in a real browser, over a crowded front: no two markers overlap, so every cluster
can be clicked, and zoomed in the map names places without hiding any incident.

The same Chromium and fixtures as test_dashboard.py; a database of its own, with a
thousand unverified incidents along the front besides the usual world. Screenshots go
beside the dashboard's (`map-zoomed.png`).
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
import test_dashboard
from api_world import World, violation
from test_dashboard import DESKTOP, WAIT, serious_violations, settled

from builders import write_jsonl
from ceasewatch.services.ingest import ingest

# test_dashboard's fixtures, instantiated anew for this module
playwright_browser = test_dashboard.playwright_browser
world = test_dashboard.world
site = test_dashboard.site
shots = test_dashboard.shots

FRONT = [(47.2, 35.0), (47.6, 36.5), (48.0, 37.6), (48.6, 38.0), (49.3, 37.8), (50.0, 37.5)]


def crowded(n: int) -> list[dict[str, Any]]:
    """Unverified reports three hours apart (so each is an incident of its own) along the
    front, most of them in a few towns."""
    rng = random.Random(5)
    reports = []
    for k in range(n):
        if k % 3:
            lat, lon = rng.choice([(48.59, 38.0), (47.84, 35.14), (48.3, 37.2)])
            lat, lon = lat + rng.gauss(0, 0.03), lon + rng.gauss(0, 0.03)
        else:
            i, t = rng.randrange(len(FRONT) - 1), rng.random()
            (a1, o1), (a2, o2) = FRONT[i], FRONT[i + 1]
            lat, lon = a1 + t * (a2 - a1) + rng.gauss(0, 0.05), o1 + t * (o2 - o1)
        reports.append(
            violation(
                100 + k,
                100 + 3 * k,
                id=f"crowd-{k}",
                source="osint-x",
                source_kind="osint",
                reliability="D",
                lat=round(lat, 5),
                lon=round(lon, 5),
            )
        )
    return reports


@pytest.fixture(scope="module")
def crowd(world: World, tmp_path_factory: pytest.TempPathFactory) -> World:
    """The usual world (test_dashboard's, in a database of this module's own), and a
    thousand more incidents along the front."""
    folder = tmp_path_factory.mktemp("crowd")
    ingest(world.system, [str(write_jsonl(folder / "crowd.jsonl", crowded(1000)))])
    return world


MARKERS = """() => {
  const out = [];
  document.querySelectorAll('#map .cluster').forEach(el => {
    const r = el.getBoundingClientRect();
    out.push({kind: 'cluster', x: r.left + r.width / 2, y: r.top + r.height / 2,
              r: r.width / 2 + 1, text: el.textContent});
  });
  const box = document.getElementById('map').getBoundingClientRect();
  cwMap.eachLayer(layer => {
    if (layer instanceof L.CircleMarker) {
      const p = cwMap.latLngToContainerPoint(layer.getLatLng());
      out.push({kind: 'point', x: box.left + p.x, y: box.top + p.y,
                r: layer.getRadius() + layer.options.weight / 2});
    }
  });
  return out;
}"""

LABELS = """() => Array.from(document.querySelectorAll('#map .place-name')).map(el => {
  const r = el.getBoundingClientRect();
  return {name: el.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom};
})"""


def overlaps(markers: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(markers):
        for b in markers[i + 1 :]:
            if ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5 < a["r"] + b["r"]:
                found.append(
                    (f"{a['kind']} {a.get('text', '')}", f"{b['kind']} {b.get('text', '')}")
                )
    return found


def covered(label: dict[str, Any], marker: dict[str, Any]) -> bool:
    nearest_x = min(max(marker["x"], label["left"]), label["right"])
    nearest_y = min(max(marker["y"], label["top"]), label["bottom"])
    return (nearest_x - marker["x"]) ** 2 + (nearest_y - marker["y"]) ** 2 < marker["r"] ** 2


def test_crowded_markers_never_overlap_and_names_hide_none(
    playwright_browser: Any, crowd: World, site: str, shots: Path
):
    context = playwright_browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT)
        page.goto(f"{site}/login?next=/map")
        page.get_by_label("Token").fill(crowd.tokens["observer"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/map")
        page.get_by_text(re.compile(r"1,0\d\d incidents in view")).wait_for()
        views = [(48.6, 34.0, 5.5), (48.6, 38.0, 10), (48.4, 37.0, 7), (48.3, 37.6, 8.5)]
        for lat, lon, zoom in views:
            page.evaluate(f"cwMap.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
            settled(page)
            page.wait_for_function("() => !document.querySelector('#map .leaflet-zoom-anim')")
            markers = page.evaluate(MARKERS)
            clusters = [m for m in markers if m["kind"] == "cluster"]
            assert clusters, zoom
            assert overlaps(markers) == [], zoom
            for cluster in clusters:  # the topmost element at each cluster's centre is it
                on_top = page.evaluate(
                    "([x, y]) => document.elementFromPoint(x, y).closest('.cluster') !== null",
                    [cluster["x"], cluster["y"]],
                )
                assert on_top, (zoom, cluster)
            labels = page.evaluate(LABELS)
            hidden = [(la["name"], m) for la in labels for m in markers if covered(la, m)]
            assert hidden == [], zoom
            if zoom >= 7:
                assert labels, zoom
        names = {label["name"] for label in page.evaluate(LABELS)}
        assert {"Horlivka", "Kramatorsk"} & names
        page.screenshot(path=shots / "map-zoomed.png")
        assert serious_violations(page, site) == []
    finally:
        context.close()
