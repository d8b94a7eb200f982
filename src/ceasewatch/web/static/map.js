/* ceasewatch maps: the incident map, a case's small map, and the report form's location pick.
   Leaflet (vendored under static/vendor/leaflet), base layers from /geo, incidents from
   /map/data already clustered by the server. */
(function () {
  "use strict";

  var UKRAINE = [[44.2, 22.1], [52.4, 40.3]];
  var SEVERITY = { minor: "#2b7bb9", major: "#d97a00", broad_attack: "#c0182a" };
  var WORST = ["minor", "major", "broad_attack"];

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
      ? "Oblasts: geoBoundaries (CC BY 4.0) · Countries: Natural Earth · Line of contact: approximate, for orientation"
      : "geoBoundaries · Natural Earth · line approximate");
    return map;
  }

  /* Incidents from /map/data for the view; `query` gives the filters. */
  function incidentLayer(map, query, counter) {
    var layer = L.layerGroup().addTo(map);
    var seq = 0;
    function draw(data) {
      layer.clearLayers();
      data.clusters.forEach(function (c) {
        var n = c[2], worst = c[5] ? 2 : (c[4] ? 1 : 0);
        var size = Math.round(22 + Math.min(26, Math.log2(n) * 3));
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
        L.circleMarker([p[0], p[1]], {
          radius: 7, color: SEVERITY[p[3]], weight: 2.5,
          fillColor: SEVERITY[p[3]], fillOpacity: verified ? 0.85 : 0.1,
          dashArray: p[4] === "disputed" ? "3 3" : null
        }).bindTooltip(p[2] + " · " + p[3].replace("_", " ") + " · " + p[4])
          .on("click", function () { window.cwPanel("/map/incidents/" + encodeURIComponent(p[2])); })
          .addTo(layer);
      });
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
      params.set("zoom", Math.round(map.getZoom()));
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
