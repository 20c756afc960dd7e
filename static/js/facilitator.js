// Gränsforum, the facilitator's screens. Small and without dependencies beyond
// htmx: the local countdown, keyboard shortcuts, showing a refused control's
// reason, keeping <details> open or closed across live updates, and asking the
// dashboard for the tables of the groups that are open. Everything
// also works without it: the countdown then moves on each poll, the buttons
// are plain forms.
(function () {
  "use strict";

  // --- Countdown: from the server's seconds left, re-read after every swap ---
  var countdowns = [];

  function mmss(seconds) {
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function readCountdowns() {
    var now = Date.now();
    countdowns = Array.prototype.map.call(document.querySelectorAll("[data-countdown]"), function (el) {
      return {
        el: el,
        running: el.dataset.state === "running",
        left: parseInt(el.dataset.secondsLeft, 10) || 0,
        since: now,
        done: false,
      };
    });
  }

  function tick() {
    var now = Date.now();
    countdowns.forEach(function (c) {
      if (!c.running || c.done) return;
      // Rounded up like the server: 0:00 only when time is really out.
      var left = Math.max(0, Math.ceil((c.left * 1000 - (now - c.since)) / 1000));
      var clock = c.el.querySelector("[data-clock]");
      var text = mmss(left);
      if (clock && clock.textContent !== text) clock.textContent = text;
      // The last minute in the warning colour (LOW_SECONDS in facilitator_views.py).
      c.el.classList.toggle("f-timer-low", left > 0 && left <= 60);
      if (left === 0) {
        c.done = true;
        c.el.classList.remove("f-timer-running");
        c.el.classList.add("f-timer-ended");
        var label = c.el.querySelector("[data-state-label]");
        if (label) label.textContent = label.dataset.endedLabel;
        // Ask the server now: its answer shows the ended state and its buttons.
        if (window.htmx) window.htmx.trigger(document.body, "gf-changed");
      }
    });
  }

  // --- Keyboard shortcuts -----------------------------------------------------
  // The clock: space, 1, 5, e. What the projector shows: t, r, s, a, m; its pages:
  // the arrows, or PageDown and PageUp, which a presenter's clicker sends.
  var PAGE_KEYS = { arrowright: "next", pagedown: "next", arrowleft: "prev", pageup: "prev" };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) return;
    var key = event.key === " " ? "space" : (event.key || "").toLowerCase();
    key = PAGE_KEYS[key] || key;
    if (!/^(space|1|5|e|t|r|s|a|m|next|prev)$/.test(key)) return;
    var target = document.querySelector('[data-shortcut="' + key + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "A") {
      target.click();
    } else if (target.requestSubmit) {
      target.requestSubmit(); // htmx takes it from here, hx-confirm included
    } else {
      target.submit();
    }
  });

  // --- A refused control says why ------------------------------------------
  // Watched on the request itself: by the time the answer comes, a poll may
  // have replaced the button that sent it, and events of a detached element
  // never reach the document.
  var flashTimer = null;

  function flash(text, sticky) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.textContent = text; // plain text from the server, never HTML
    box.hidden = !text;
    window.clearTimeout(flashTimer);
    if (text && !sticky) flashTimer = window.setTimeout(function () { flash(""); }, 8000);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var xhr = event.detail.xhr;
    // A control is a form, or a button in one (an entry's "Dölj" posts its list's form).
    var elt = event.detail.elt;
    var isControl = !!(elt && elt.closest && elt.closest("form"));
    var box = document.getElementById("flash");
    var offline = (box && box.dataset.offline) || "";
    xhr.addEventListener("loadend", function () {
      if (xhr.status === 0) {
        flash(offline, true);
      } else if (xhr.status >= 400) {
        var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
        flash(plain ? xhr.responseText : offline);
      } else if (isControl || (box && box.textContent === offline)) {
        flash("");
      }
    });
  });

  // --- Live updates keep what the facilitator opened or closed --------------
  var openDetails = {};

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelectorAll) return;
    target.querySelectorAll("details[id]").forEach(function (d) {
      openDetails[d.id] = d.open;
    });
  });

  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("details[id]").forEach(function (d) {
      if (Object.prototype.hasOwnProperty.call(openDetails, d.id)) d.open = openDetails[d.id];
    });
    readCountdowns();
  });

  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (d.tagName === "DETAILS" && d.id) openDetails[d.id] = d.open;
    // A group drawn closed has no table yet: ask for it now, not at the next change.
    if (d.open && d.hasAttribute("data-lazy") && window.htmx) {
      window.htmx.trigger(document.body, "gf-changed");
    }
  }, true);

  // --- The dashboard's poll draws only the groups that are open ----------------
  // Forty groups' tables, nearly all closed, were most of a busy hall's redraw.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "live") return;
    var open = [];
    var fresh = false;
    document.querySelectorAll("details.dash-group[open]").forEach(function (d) {
      open.push(d.dataset.group);
      if (d.hasAttribute("data-lazy")) fresh = true;
    });
    if (open.length) event.detail.parameters.open = open.join(",");
    if (fresh) event.detail.parameters.fresh = "1";
  });

  // --- A measure's explanation closes with Escape (WCAG 1.4.13) ---------------
  // It shows on hover and focus (facilitator.css); Escape hides it until the
  // heading is left.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".f-term:hover, .f-term:focus").forEach(function (term) {
      term.classList.add("f-tip-off");
    });
  });
  ["mouseout", "focusout"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (event.target.classList && event.target.classList.contains("f-term")) {
        event.target.classList.remove("f-tip-off");
      }
    });
  });

  readCountdowns();
  window.setInterval(tick, 250);
})();
