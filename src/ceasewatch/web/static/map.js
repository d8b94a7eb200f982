/* ceasewatch maps: the incident map, a case's small map, and the report form's location pick.
   Leaflet (vendored under static/vendor/leaflet), base layers and place names from /geo,
   incidents from /map/data already clustered by the server, no two markers overlapping. */
(function () {
  "use strict";

  var UKRAINE = [[44.2, 22.1], [52.4, 40.3]];
  var SEVERITY = { minor: "#2b7bb9", major: "#d97a00", broad_attack: "#c0182a" };
  var WORST = ["minor", "major", "broad_attack"];
  var POINT_RADIUS = 7;  /* with its 2.5-px stroke, mapindex.POINT_PX across */
  var LABEL_FONT = "600 12px system-ui, sans-serif", CITY_FONT = "700 13px system-ui, sans-serif";
  var LABEL_HEIGHT = 15, CITY = 500000, EARLIER = 0.5;

  function json(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.json() : Promise.reject(r.status);
    });
  }

  /* A map of Ukraine and its neighbours from the shipped outlines (and tiles, if configured). */
  function baseMap(el, options) {
    var map = L.map(el, Object.assign({ preferCanvas: true, zoomSnap: 0.5, minZoom: 4, maxZoom: 16 }, options || {}));
    map.attributionControl.setPrefix(false);
    var tiles = document.body.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { attribution: document.body.dataset.tileAttribution || "" }).addTo(map);
    }
    map.fitBounds(UKRAINE);
    el.classList.add("offline-base");
    json("/geo/neighbours.geojson").then(function (data) {
      L.geoJSON(data, { interactive: false, style: { color: "#8a8f98", weight: 1, fillColor: "#e4e2dc", fillOpacity: tiles ? 0 : 1 } }).addTo(map).bringToBack();
    });
    json("/geo/oblasts.geojson").then(function (data) {
      L.geoJSON(data, {
        style: { color: "#6b7280", weight: 1, fillColor: "#fbfaf6", fillOpacity: tiles ? 0 : 1 },
        onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name, { sticky: true }); }
      }).addTo(map);
      return json("/geo/contact.geojson");
    }).then(function (data) {
      L.geoJSON(data, { interactive: false, style: { color: "#7a2e0e", weight: 2.5, dashArray: "6 4" } }).addTo(map);
    }).catch(function () {});
    map.attributionControl.addAttribution(el.offsetWidth > 600
      ? "Oblasts: geoBoundaries (CC BY 4.0) · Countries, places: Natural Earth · Line of contact: approximate, for orientation"
      : "geoBoundaries · Natural Earth · line approximate");
    map.cwLabels = placeLabels(map);
    return map;
  }

  /* Place names from the shipped gazetteer: those Natural Earth labels at this zoom (or
     half a step closer), the biggest first, each beside its place where it hides no
     incident marker and no other name (its dot is left out where a marker stands on it).
     They sit in a pane above the outlines, take no clicks, and `avoid` is told where the
     incident markers are whenever they are drawn. */
  function placeLabels(map) {
    var pane = map.createPane("labels");
    pane.style.zIndex = 450;  /* the outlines and incident circles are at 400, clusters at 600 */
    pane.style.pointerEvents = "none";
    var layer = L.layerGroup().addTo(map);
    var places = [], markers = [], widths = {};
    var measure = document.createElement("canvas").getContext("2d");

    function width(name, font) {
      var key = font + name;
      if (!(key in widths)) { measure.font = font; widths[key] = Math.ceil(measure.measureText(name).width) + 4; }
      return widths[key];
    }
    function hit(box, taken) {
      for (var i = 0; i < taken.length; i++) {
        var t = taken[i];
        if (box[0] < t[2] && t[0] < box[2] && box[1] < t[3] && t[1] < box[3]) return t;
      }
      return null;
    }
    function draw() {
      layer.clearLayers();
      var zoom = map.getZoom(), size = map.getSize(), taken = [];
      var frame = map.getContainer().getBoundingClientRect();
      map.getContainer().querySelectorAll(".leaflet-control").forEach(function (control) {
        var r = control.getBoundingClientRect();  /* the zoom buttons, the attribution */
        taken.push([r.left - frame.left - 2, r.top - frame.top - 2, r.right - frame.left + 2, r.bottom - frame.top + 2]);
      });
      markers.forEach(function (m) {
        var p = map.latLngToContainerPoint(m[0]), r = m[1] + 2;
        taken.push([p.x - r, p.y - r, p.x + r, p.y + r, "marker"]);
      });
      places.forEach(function (place) {
        if (place.zoom > zoom + EARLIER) return;
        var p = map.latLngToContainerPoint(place.at);
        if (p.x < 0 || p.y < 0 || p.x > size.x || p.y > size.y) return;
        var city = place.population >= CITY, w = width(place.name, city ? CITY_FONT : LABEL_FONT);
        var h = LABEL_HEIGHT, dot = [p.x - 3, p.y - 3, p.x + 3, p.y + 3], covered = hit(dot, taken);
        if (covered && covered[4] !== "marker") return;  /* a bigger place's name is there */
        var a = covered ? [Math.min(dot[0], covered[0]), Math.min(dot[1], covered[1]),
          Math.max(dot[2], covered[2]), Math.max(dot[3], covered[3])] : dot;  /* beside what stands there */
        var spots = [[a[2] + 2, p.y - h / 2], [a[0] - 2 - w, p.y - h / 2], [p.x - w / 2, a[1] - 1 - h], [p.x - w / 2, a[3] + 1]];
        for (var i = 0; i < spots.length; i++) {
          var s = spots[i], box = [s[0], s[1], s[0] + w, s[1] + h];
          if (box[0] < 0 || box[1] < 0 || box[2] > size.x || box[3] > size.y || hit(box, taken)) continue;
          taken.push(box);
          if (!covered) {
            taken.push(dot);
            L.marker(place.at, { pane: "labels", interactive: false, keyboard: false,
              icon: L.divIcon({ className: "place-dot", iconSize: [6, 6] }) }).addTo(layer);
          }
          L.marker(place.at, { pane: "labels", interactive: false, keyboard: false,
            icon: L.divIcon({ className: "place-name" + (city ? " city" : ""), html: place.label,
              iconSize: [w, h], iconAnchor: [p.x - s[0], p.y - s[1]] }) }).addTo(layer);
          return;
        }
      });
    }
    json("/geo/places.geojson").then(function (data) {
      places = data.features.map(function (f) {
        var span = document.createElement("span");
        span.textContent = f.properties.name;
        return { name: f.properties.name, label: span.outerHTML, population: f.properties.population,
          zoom: f.properties.min_zoom, at: L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]) };
      });
      draw();
    }).catch(function () {});
    map.on("moveend", draw);
    return { avoid: function (list) { markers = list; draw(); } };
  }

  /* Incidents from /map/data for the view; `query` gives the filters. */
  function incidentLayer(map, query, counter) {
    var layer = L.layerGroup().addTo(map);
    var seq = 0;
    function draw(data) {
      layer.clearLayers();
      var drawn = [];
      data.clusters.forEach(function (c) {
        var n = c[2], worst = c[5] ? 2 : (c[4] ? 1 : 0);
        var size = c[7];  /* the server sized it, and kept it clear of every other marker */
        drawn.push([L.latLng(c[0], c[1]), size / 2 + 1]);
        var icon = L.divIcon({
          className: "cluster sev-" + WORST[worst] + (c[6] === n ? " verified" : ""),
          html: "<span>" + n + "</span>",
          iconSize: [size, size]
        });
        L.marker([c[0], c[1]], { icon: icon, keyboard: false, title: n + " incidents" })
          .on("click", function () { map.setView([c[0], c[1]], Math.min(map.getZoom() + 2, 16)); })
          .addTo(layer);
      });
      data.points.forEach(function (p) {
        var verified = p[4] === "verified";
        drawn.push([L.latLng(p[0], p[1]), POINT_RADIUS + 2]);
        L.circleMarker([p[0], p[1]], {
          radius: POINT_RADIUS, color: SEVERITY[p[3]], weight: 2.5,
          fillColor: SEVERITY[p[3]], fillOpacity: verified ? 0.85 : 0.1,
          dashArray: p[4] === "disputed" ? "3 3" : null
        }).bindTooltip(p[2] + " · " + p[3].replace("_", " ") + " · " + p[4])
          .on("click", function () { window.cwPanel("/map/incidents/" + encodeURIComponent(p[2])); })
          .addTo(layer);
      });
      if (map.cwLabels) map.cwLabels.avoid(drawn);
      if (counter) {
        counter.textContent = data.total.toLocaleString("en") + " incident" + (data.total === 1 ? "" : "s") + " in view";
      }
    }
    function load() {
      var b = map.getBounds();
      var clamp = function (v, lo, hi) { return Math.max(lo, Math.min(hi, v)); };
      var params = new URLSearchParams(query());
      params.set("bbox", [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
        clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].map(function (v) { return v.toFixed(4); }).join(","));
      params.set("zoom", map.getZoom());
      var mine = ++seq;
      return json("/map/data?" + params.toString()).then(function (data) {
        if (mine === seq) draw(data);
        return data;
      });
    }
    map.on("moveend", load);
    return { load: load, layer: layer };
  }

  function filters(form) {
    return function () {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (!value) return;
        if (key === "since" || key === "until") value = value + "T00:00:00Z";
        params.append(key, value);
      });
      return params;
    };
  }

  var bigMap = document.getElementById("map");
  if (bigMap) {
    var map = baseMap(bigMap);
    window.cwMap = map;  /* for the browser tests and the console */
    var form = document.getElementById("filters");
    var incidents = incidentLayer(map, filters(form), document.getElementById("map-count"));
    form.addEventListener("change", incidents.load);
    form.addEventListener("submit", function (e) { e.preventDefault(); incidents.load(); });
    incidents.load();
    var again = null;
    document.addEventListener("cw:event", function () { clearTimeout(again); again = setTimeout(incidents.load, 500); });
    var wanted = new URLSearchParams(window.location.search).get("incident");
    if (wanted) window.cwPanel("/map/incidents/" + encodeURIComponent(wanted));
  }

  var caseMap = document.getElementById("case-map");
  if (caseMap) {
    var small = baseMap(caseMap, { minZoom: 3 });
    var only = function () { return new URLSearchParams({ case: caseMap.dataset.case, status: "verified" }); };
    var theirs = incidentLayer(small, only, null);
    theirs.load().then(function () {
      var group = L.featureGroup(theirs.layer.getLayers());
      if (group.getLayers().length) small.fitBounds(group.getBounds().pad(0.5), { maxZoom: 7 });
    });
    document.addEventListener("cw:event", function () { theirs.load(); });
  }

  var pick = document.getElementById("pick-map");
  if (pick) {
    var pickMap = baseMap(pick, { minZoom: 3 });
    var lat = document.getElementById("lat"), lon = document.getElementById("lon");
    var marker = null;
    var place = function (at) {
      if (marker) marker.setLatLng(at); else marker = L.marker(at, { keyboard: false, title: "Report location" }).addTo(pickMap);
    };
    var typed = function () {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (!isNaN(a) && !isNaN(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) place([a, b]);
    };
    pickMap.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(5);
      lon.value = e.latlng.lng.toFixed(5);
      place(e.latlng);
    });
    lat.addEventListener("change", typed);
    lon.addEventListener("change", typed);
    typed();
  }
})();
