"""Fetch the web dashboard's third-party files from the npm registry, pinned, and lay them out.

    make vendor        # or: .venv/bin/python scripts/vendor_web.py

Each package is fetched with `npm pack NAME@VERSION` (npm checks the tarball against the
registry's integrity hash, and this script checks it against the one pinned below), then:

- leaflet -> src/ceasewatch/web/static/vendor/leaflet/ (leaflet.js, leaflet.css, images/,
  LICENSE): the map library the pages load from the app itself, never from a CDN;
- swagger-ui-dist -> src/ceasewatch/web/static/vendor/swagger-ui/ (the bundle, its CSS,
  the favicon, LICENSE): the API's interactive docs at /docs, served by the app too;
- axe-core -> tests/browser/vendor/axe-core/ (axe.min.js, LICENSE): the accessibility
  checker the browser tests inject into each page;
- world-atlas -> src/ceasewatch/geodata/neighbours.geojson: the countries around Ukraine
  (Natural Earth 1:50m, public domain) decoded from TopoJSON, clipped to the region, with
  Ukraine itself cut out (the oblasts draw it), coordinates rounded to 0.001 degrees.

To update: change a version and its integrity below (`npm pack NAME@VERSION --json
--dry-run` prints it), run the script, look at the pages (the browser tests take
screenshots), and commit the changed files with NOTICE.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import box, mapping, shape

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "leaflet": (
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
    ),
    "axe-core": (
        "4.10.3",
        "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg==",
    ),
    "swagger-ui-dist": (
        "5.35.0",
        "sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==",
    ),
    "world-atlas": (
        "2.0.2",
        "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==",
    ),
}
LEAFLET = ROOT / "src/ceasewatch/web/static/vendor/leaflet"
SWAGGER = ROOT / "src/ceasewatch/web/static/vendor/swagger-ui"
AXE = ROOT / "tests/browser/vendor/axe-core"
NEIGHBOURS = ROOT / "src/ceasewatch/geodata/neighbours.geojson"
REGION = box(12.0, 40.0, 50.0, 60.0)
"""Lon/lat box of the countries kept: Ukraine and its neighbours, with some margin."""


def fetch(name: str, into: Path) -> Path:
    version, integrity = PACKAGES[name]
    subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--pack-destination", str(into), "--silent"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    [tarball] = into.glob(f"{name}-{version}.tgz")
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != integrity:
        sys.exit(f"{tarball.name}: integrity {digest} is not the pinned {integrity}")
    unpacked = into / name
    with tarfile.open(tarball) as archive:
        archive.extractall(unpacked, filter="data")
    return unpacked / "package"


def copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def topojson_features(topology: dict[str, Any], name: str) -> list[tuple[str, Any]]:
    """(name, shapely geometry) of each object of a quantised TopoJSON collection."""
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)

    def ring(indices: list[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for index in indices:
            points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
            out.extend(points[1:] if out else points)
        return out

    features = []
    for geometry in topology["objects"][name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            coordinates: Any = [ring(r) for r in geometry["arcs"]]
        elif kind == "MultiPolygon":
            coordinates = [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
        else:
            continue
        features.append(
            (geometry["properties"]["name"], shape({"type": kind, "coordinates": coordinates}))
        )
    return features


def neighbours(world_atlas: Path) -> dict[str, Any]:
    topology = json.loads((world_atlas / "countries-50m.json").read_text(encoding="utf-8"))
    countries = topojson_features(topology, "countries")
    ukraine = shapely.union_all([g for n, g in countries if n == "Ukraine"])
    oblasts_file = ROOT / "src/ceasewatch/geodata/geoBoundaries-UKR-ADM1_simplified.geojson"
    oblasts = json.loads(oblasts_file.read_text(encoding="utf-8"))
    ukraine = ukraine.union(shapely.union_all([shape(f["geometry"]) for f in oblasts["features"]]))
    features = []
    for name, geometry in countries:
        if name == "Ukraine" or not geometry.intersects(REGION):
            continue
        kept = shapely.make_valid(geometry).intersection(REGION).difference(ukraine.buffer(0.002))
        kept = shapely.set_precision(kept.simplify(0.005), 0.001)
        if kept.is_empty:
            continue
        features.append(
            {"type": "Feature", "properties": {"name": name}, "geometry": mapping(kept)}
        )
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:50m admin-0 countries (public domain), via world-atlas "
        f"{PACKAGES['world-atlas'][0]} (ISC); clipped, Ukraine cut out, by scripts/vendor_web.py",
        "features": sorted(features, key=lambda f: f["properties"]["name"]),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ceasewatch-vendor-") as folder:
        work = Path(folder)
        leaflet = fetch("leaflet", work)
        if LEAFLET.exists():
            shutil.rmtree(LEAFLET)
        for name in ("leaflet.js", "leaflet.css"):
            copy(leaflet / "dist" / name, LEAFLET / name)
        for image in (leaflet / "dist" / "images").iterdir():
            copy(image, LEAFLET / "images" / image.name)
        copy(leaflet / "LICENSE", LEAFLET / "LICENSE")

        swagger = fetch("swagger-ui-dist", work)
        for name in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"):
            copy(swagger / name, SWAGGER / name)

        axe = fetch("axe-core", work)
        copy(axe / "axe.min.js", AXE / "axe.min.js")
        copy(axe / "LICENSE", AXE / "LICENSE")

        atlas = fetch("world-atlas", work)
        NEIGHBOURS.write_text(json.dumps(neighbours(atlas), separators=(",", ":")) + "\n")
    for name, (version, _) in PACKAGES.items():
        print(f"{name} {version}")


if __name__ == "__main__":
    main()
