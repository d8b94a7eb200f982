/* ceasewatch pages: live countdowns, live regions fed by the event stream, detail panels.
   Plain JavaScript, no build step; served by the app itself. */
(function () {
  "use strict";

  /* Deadlines count against the store's clock. With a live ticker it keeps pace with the
     wall clock, and so do the countdowns; without one (data-clock="still") the page shows
     them as of the stored clock, as the server wrote them. */
  var serverNow = Date.parse(document.body.dataset.now || "");
  var offset = isNaN(serverNow) ? 0 : serverNow - Date.now();
  var still = document.body.dataset.clock === "still";
  function now() { return Date.now() + offset; }

  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (d ? d + " d " : "") + pad(h) + ":" + pad(m) + ":" + pad(sec);
  }

  function tick() {
    if (still) return;
    var items = document.querySelectorAll("time.countdown");
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) continue;
      var left = due - now();
      if (left <= 0 || el.dataset.overdue) {
        el.classList.add("overdue");
        el.textContent = "overdue by " + span(left);
      } else {
        el.textContent = span(left) + " left";
      }
      el.title = "due " + new Date(due).toISOString().replace(".000Z", "Z");
    }
  }

  /* Replace a live region with its fresh HTML, keeping what was typed and the focus. */
  function refresh(region) {
    var url = region.dataset.live;
    fetch(url, { headers: { "X-Fragment": "1" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var kept = {}, focused = document.activeElement && document.activeElement.id;
        region.querySelectorAll("input[id], textarea[id]").forEach(function (f) {
          if (f.type !== "hidden" && f.value) kept[f.id] = f.value;
        });
        region.innerHTML = html;
        Object.keys(kept).forEach(function (id) {
          var f = document.getElementById(id);
          if (f) f.value = kept[id];
        });
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        tick();
        document.dispatchEvent(new CustomEvent("cw:refreshed", { detail: region }));
      })
      .catch(function () { /* the next event tries again */ });
  }

  var EVENTS = ["case_opened", "violation_added", "severity_raised", "phase_recommended",
    "action_overdue", "action_done", "action_still_overdue", "decision_recorded",
    "phase_authorised", "phase_declined", "incident_rejected", "incident_merged",
    "defensive_response", "response_reclassified", "case_closed", "message"];

  /* The browser reconnects a stream cut off by itself, resuming after the last event it
     had. An error answer (503 while the database is away) makes it give up for good: the
     page then connects again itself, waiting longer each time, and once it is back
     refreshes its live regions, since a new stream does not resume. */
  var FIRST_RETRY = 2000, LAST_RETRY = 60000;

  function live() {
    var regions = document.querySelectorAll("[data-live]");
    var status = document.getElementById("live-status");
    if (!window.EventSource) return;
    var timer = null, retry = FIRST_RETRY, reconnected = false;
    var onEvent = function (e) {
      document.dispatchEvent(new CustomEvent("cw:event", { detail: e }));
      if (!regions.length) return;
      clearTimeout(timer);
      timer = setTimeout(function () { regions.forEach(refresh); }, 250);
    };
    function connect() {
      var stream = new EventSource("/stream");
      EVENTS.forEach(function (name) { stream.addEventListener(name, onEvent); });
      stream.onopen = function () {
        if (status) status.textContent = "Live";
        if (reconnected) regions.forEach(refresh);
        retry = FIRST_RETRY;
      };
      stream.onerror = function () {
        if (status) status.textContent = "Reconnecting…";
        if (stream.readyState !== EventSource.CLOSED) return;
        reconnected = true;
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, LAST_RETRY);
      };
    }
    connect();
  }

  /* Links marked data-panel open their page's fragment in the #panel beside them. */
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-panel]");
    var panel = document.getElementById("panel");
    if (!link || !panel) return;
    e.preventDefault();
    window.cwPanel(link.getAttribute("href"));
  });

  window.cwPanel = function (href) {
    var panel = document.getElementById("panel");
    if (!panel) { window.location.href = href; return; }
    fetch(href, { headers: { "X-Fragment": "1" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        panel.innerHTML = html;
        panel.classList.add("open");
        var title = panel.querySelector("h2");
        if (title) { title.setAttribute("tabindex", "-1"); title.focus(); }
      })
      .catch(function () { panel.textContent = "Could not load the details."; });
  };

  tick();
  setInterval(tick, 1000);
  if (document.querySelector("header.top nav")) live();
})();
