"""Make the map's gazetteer, src/ceasewatch/geodata/places.geojson, from Natural Earth.

    .venv/bin/python scripts/vendor_places.py [ne_10m_populated_places_simple.csv]

The source is Natural Earth's 1:10m populated places (public domain,
https://www.naturalearthdata.com), in the CSV conversion of its attribute table
(`ne_10m_populated_places_simple.dbf`, which holds each place's latitude and longitude)
published in the GitHub repository Raysphere24/NaturalEarthCsvTsv, pinned below by commit
and SHA-256. Without an argument the script downloads that file (a developer's machine;
the app never fetches anything); with one it reads the given copy, which must be the same
file.

What it keeps: the places within the box of the map's neighbouring countries (12-50 E,
40-60 N, as scripts/vendor_web.py), each as a GeoJSON point (5 decimals) with its name,
its population (`pop_max`) and Natural Earth's `min_zoom`, the web-map zoom from which
Natural Earth's own cartography labels it. Nothing else (no country: the map shows no
claim). The places are sorted biggest first, the order in which the page places labels.

What it changes: places in Ukraine are spelt in Ukraine's national romanisation, as
ceasewatch names the oblasts (geodata/oblasts.yaml): Natural Earth's release of 2022 still
has "Kiev", "Lvov", "Odessa", "Kirovohrad" (now Kropyvnytskyi) and so on; RENAMED lists
every change, and the script fails if one of them is no longer in the source.

To update: change SOURCE and SHA256, run the script, look at the map (`make screenshots`),
and commit places.geojson with NOTICE.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLACES = ROOT / "src/ceasewatch/geodata/places.geojson"
COMMIT = "7cc9ef2bd1e761f382238908066713be36dc30f0"
SOURCE = (
    "https://raw.githubusercontent.com/Raysphere24/NaturalEarthCsvTsv/"
    f"{COMMIT}/csv_with_names/10m_cultural/ne_10m_populated_places_simple.csv"
)
SHA256 = "c1a60bb2f6fd7f4cd498cd47140490cea03b5f406993db082f413525b5164c1c"
WEST, SOUTH, EAST, NORTH = 12.0, 40.0, 50.0, 60.0

RENAMED = {
    "Kiev": "Kyiv",
    "Lvov": "Lviv",
    "Odessa": "Odesa",
    "Zaporizhzhya": "Zaporizhzhia",
    "Kryvyy Rih": "Kryvyi Rih",
    "Mykolayiv": "Mykolaiv",
    "Khmelnytskyy": "Khmelnytskyi",
    "Makiyivka": "Makiivka",
    "Vinnytsya": "Vinnytsia",
    "Kirovohrad": "Kropyvnytskyi",
    "Uzhgorod": "Uzhhorod",
    "Berdyansk": "Berdiansk",
    "Kamyanets-Podilskyy": "Kamianets-Podilskyi",
    "Izmayil": "Izmail",
    "Kupyansk": "Kupiansk",
    "Illichivsk": "Chornomorsk",
    "Chernobyl": "Chornobyl",
    "Sevastapol": "Sevastopol",
    "Yevpatoriya": "Yevpatoriia",
    "Dzhankoy": "Dzhankoi",
}
"""Natural Earth's name -> the national romanisation, for places in Ukraine."""


def source(argv: list[str]) -> bytes:
    if argv:
        data = Path(argv[0]).read_bytes()
    else:
        with urllib.request.urlopen(SOURCE, timeout=60) as response:
            data = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        sys.exit(f"the source's SHA-256 is {digest}, not the pinned {SHA256}")
    return data


def places(data: bytes) -> dict[str, Any]:
    features = []
    renamed = set()
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        lat, lon = float(row["latitude"]), float(row["longitude"])
        if not (WEST <= lon <= EAST and SOUTH <= lat <= NORTH):
            continue
        name = row["name"]
        if name in RENAMED:
            renamed.add(name)
            name = RENAMED[name]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": name,
                    "population": int(float(row["pop_max"])),
                    "min_zoom": float(row["min_zoom"]),
                },
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            }
        )
    missing = sorted(set(RENAMED) - renamed)
    if missing:
        sys.exit(f"no longer in the source, so not renamed: {', '.join(missing)}")
    features.sort(key=lambda f: (-f["properties"]["population"], f["properties"]["name"]))
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:10m populated places (public domain), via "
        f"Raysphere24/NaturalEarthCsvTsv@{COMMIT[:12]}; clipped to {WEST:g}-{EAST:g} E, "
        f"{SOUTH:g}-{NORTH:g} N, places in Ukraine in its national romanisation, by "
        "scripts/vendor_places.py",
        "features": features,
    }


def main(argv: list[str]) -> None:
    collection = places(source(argv))
    PLACES.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(collection['features'])} places -> {PLACES.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
