// Gränsforum, the facilitator's screens. Small and without dependencies beyond
// htmx: the local countdown, keyboard shortcuts, focus kept through a redraw, the
// clock's changes said aloud, the dialog before ending, showing a refused control's
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
      // The last minute in the warning colour (LOW_SECONDS in discussions/live.py).
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
  // Only on the projector's pages, which announce them (<kbd>), and only while the
  // page itself has the focus: a focused link, field or button keeps its own keys
  // (WCAG 2.1.4). A switch on the page turns them off, remembered per browser.
  var PAGE_KEYS = { arrowright: "next", pagedown: "next", arrowleft: "prev", pageup: "prev" };
  var INTERACTIVE = "a[href], button, input, textarea, select, summary, label, dialog, "
    + "[contenteditable], [tabindex], [role=button]";
  var SHORTCUTS = "gf-shortcuts";

  function shortcutsOn() {
    try {
      return window.localStorage.getItem(SHORTCUTS) !== "off";
    } catch (e) {
      return true; // storage off: the switch still works for this page
    }
  }
  var shortcutsHere = shortcutsOn();

  function showShortcutSwitch() {
    document.querySelectorAll("[data-shortcuts-toggle]").forEach(function (box) {
      box.checked = shortcutsHere;
      var wrap = box.closest("[data-shortcuts-switch]");
      if (wrap) wrap.hidden = false;
    });
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-shortcuts-toggle]")) return;
    shortcutsHere = box.checked;
    try {
      window.localStorage.setItem(SHORTCUTS, box.checked ? "on" : "off");
    } catch (e) { /* see shortcutsOn */ }
    showShortcutSwitch();
  });

  function pageHasFocus(target) {
    if (!target || target === document.body || target === document.documentElement) return true;
    return !(target.closest && target.closest(INTERACTIVE));
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!document.body.classList.contains("projector") || !shortcutsHere) return;
    if (!pageHasFocus(event.target) || document.querySelector("dialog[open]")) return;
    var key = event.key === " " ? "space" : (event.key || "").toLowerCase();
    key = PAGE_KEYS[key] || key;
    if (!/^(space|1|5|e|t|r|s|a|m|k|next|prev)$/.test(key)) return;
    var target = document.querySelector('[data-shortcut="' + key + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "A") {
      target.click();
    } else if (target.requestSubmit) {
      target.requestSubmit(); // htmx takes it from here; "end" asks first (below)
    } else {
      target.submit();
    }
  });

  // On the projector, Escape leaves a focused control, so that the keys work again.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !document.body.classList.contains("projector")) return;
    if (document.querySelector("dialog[open]")) return;
    var active = document.activeElement;
    if (active && active !== document.body && active.blur) active.blur();
  });

  // --- "End now" asks first, in a dialog ---------------------------------------
  // Without JavaScript the button opens a page that asks the same; with it, the
  // dialog (templates/facilitator/_end_dialog.html): focus moves into it, Escape
  // or "Avbryt" closes it and focus returns to where it was.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var dialog = form.dataset && form.dataset.confirm && document.getElementById(form.dataset.confirm);
    if (!dialog || !dialog.showModal) return; // the confirmation page, then
    event.preventDefault();
    event.stopPropagation();
    var opener = document.activeElement;
    dialog.gfOpener = opener && opener !== document.body ? opener.id : "";
    if (!dialog.open) dialog.showModal();
  }, true);

  // The browser returns the focus to the button that opened the dialog; if a
  // redraw replaced that button meanwhile, to its successor.
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (!dialog.gfOpener) return;
    window.setTimeout(function () {
      if (document.activeElement && document.activeElement !== document.body) return;
      var back = document.getElementById(dialog.gfOpener) || document.querySelector(".f-controls button");
      if (back) back.focus({ preventScroll: true });
    }, 0);
  }, true);

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest ? event.target.closest("[data-dialog-cancel]") : null;
    var dialog = cancel && cancel.closest("dialog");
    if (dialog) dialog.close();
  });

  // The dialog's own form: htmx posts it (its listener is on the form); then it closes.
  document.addEventListener("submit", function (event) {
    var dialog = event.target.closest && event.target.closest("dialog");
    if (dialog && dialog.open) dialog.close();
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
    announceClock();
    showShortcutSwitch();
  });

  // --- A redraw keeps the focus where it was (WCAG 2.4.3) -----------------------
  // htmx puts it back on an element with the same id; for the rest (a group's row,
  // a control that is gone, like "End now" once ended) it goes to the same place
  // in the redrawn part, or to the first of the clock's controls. A redraw never
  // takes the focus from outside the part it redraws.
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), "
    + "select, textarea, summary, [tabindex]";
  var focusWas = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    focusWas = null;
    if (!target || !active || active === document.body || !target.contains(active)) return;
    var anchor = active.parentElement ? active.parentElement.closest("[id]") : null;
    if (anchor && !target.contains(anchor)) anchor = null;
    focusWas = {
      id: active.id,
      anchor: anchor ? anchor.id : "",
      index: anchor ? Array.prototype.indexOf.call(anchor.querySelectorAll(FOCUSABLE), active) : -1,
      controls: !!active.closest(".f-controls"),
    };
  });

  // Right after the swap, not at the settle: the settle comes 20 ms later, or much
  // later on a busy laptop, and a key pressed in between (Escape leaving the
  // control) must not be undone by it.
  document.addEventListener("htmx:afterSwap", function () {
    keepFocus();
  });

  function keepFocus() {
    var was = focusWas;
    focusWas = null;
    var active = document.activeElement;
    if (!was || (active && active !== document.body)) return;
    var found = was.id ? document.getElementById(was.id) : null;
    if (!found && was.controls) found = document.querySelector(".f-controls button");
    if (!found && was.anchor) {
      var anchor = document.getElementById(was.anchor);
      var list = anchor ? anchor.querySelectorAll(FOCUSABLE) : [];
      found = list[Math.min(Math.max(was.index, 0), list.length - 1)] || null;
    }
    if (found) found.focus({ preventScroll: true });
  }

  // --- The clock's changes, said once in a live region (never every second) -----
  var lastClock = null;

  function announceClock() {
    var box = document.querySelector("[data-countdown]");
    var news = document.getElementById("clock-news");
    if (!box || !news) return;
    var now = {
      state: box.dataset.state,
      left: parseInt(box.dataset.secondsLeft, 10) || 0,
      at: Date.now(),
    };
    var before = lastClock;
    lastClock = now;
    if (!before) return;
    var label = box.querySelector("[data-state-label]");
    var clock = box.querySelector("[data-clock]");
    var time = clock ? clock.textContent.trim() : "";
    var expected = before.state === "running"
      ? before.left - Math.floor((now.at - before.at) / 1000)
      : before.left;
    if (now.state !== before.state) {
      news.textContent = (label ? label.textContent.trim() : now.state) + ", " + time;
    } else if (now.state !== "ended" && now.left > expected + 30) {
      news.textContent = news.dataset.extended + ", " + time;
    }
  }

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
  announceClock();
  showShortcutSwitch();
  window.setInterval(tick, 250);
})();
