/* The phone: a local countdown that every server answer re-syncs, drafts that
   survive a lost connection or a reload, and a plain message when a save fails.
   Everything works without this file; it only makes the page kinder. */
(function () {
  "use strict";

  var messages = document.getElementById("gf-messages");
  function message(name) {
    return (messages && messages.dataset[name]) || "";
  }

  /* --- Countdown ------------------------------------------------------------ */

  function format(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  var LABELS = { not_started: "notStarted", running: "running", paused: "paused", ended: "ended" };

  function setClock(el, state, seconds) {
    var box = el.closest(".timer-box");
    if (box && el.dataset.state !== state && LABELS[state]) {
      box.className = box.className.replace(/\bstate-\S+/g, "") + " state-" + state;
      var label = box.querySelector(".timer-label");
      if (label) label.textContent = message(LABELS[state]);
    }
    el.dataset.state = state;
    el.dataset.seconds = String(seconds);
    el.gfDeadline = Date.now() + seconds * 1000;
    draw(el);
  }

  function draw(el) {
    var seconds = parseInt(el.dataset.seconds, 10) || 0;
    if (el.dataset.state === "running") {
      if (!el.gfDeadline) el.gfDeadline = Date.now() + seconds * 1000;
      seconds = Math.max(0, Math.ceil((el.gfDeadline - Date.now()) / 1000));
    }
    var text = format(seconds);
    if (el.textContent !== text) el.textContent = text;
    var box = el.closest(".timer-box");
    if (!box) return;
    box.classList.toggle("timer-low", el.dataset.state === "running" && seconds <= 60);
    if (el.dataset.state === "running" && seconds === 0 && !box.classList.contains("state-ended")) {
      box.classList.add("state-ended");
      var label = box.querySelector(".timer-label");
      if (label) label.textContent = message("ended");
    }
    if (el.dataset.state === "ended" || (el.dataset.state === "running" && seconds === 0)) {
      closeForms();
    }
    sayState(el.dataset.state === "running" && seconds === 0 ? "ended" : el.dataset.state);
  }

  /* A change of the clock (paused, going again, out of time) is said once, in the
     live region that stays on the page: the poll replaces #status, and a region
     that has just arrived is not always read. Never the seconds. */
  var heardState = null;
  function sayState(state) {
    var region = document.getElementById("announce");
    if (heardState !== null && state !== heardState && region) {
      var text = message(state === "running" ? "resumed" : LABELS[state]);
      if (text) region.textContent = text;
    }
    heardState = state;
  }

  function tick() {
    document.querySelectorAll("[data-timer]").forEach(draw);
  }
  setInterval(tick, 1000);

  /* The time is up in a big hall: reload at a random moment within the given
     seconds, not all phones at once (phone_views._reload_spread). */
  document.body.addEventListener("gf-reload", function (event) {
    var within = (event.detail && event.detail.within) || 0;
    setTimeout(function () { window.location.reload(); }, Math.random() * within * 1000);
  });

  /* Every answer from the server carries the clock ("running 734"). */
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var header = xhr && xhr.getResponseHeader("X-Timer");
    if (!header) return;
    var parts = header.split(" ");
    document.querySelectorAll("[data-timer]").forEach(function (el) {
      setClock(el, parts[0], parseInt(parts[1], 10) || 0);
    });
  });

  /* --- Drafts: what was typed stays until the server has it ------------------ */
  /* A draft remembers the text the field held when the typing began (its "base").
     It comes back over the page's text only while the server still holds that
     base: an edit lost with the connection returns, an answer saved since from
     another tab is not overwritten. */

  function draftKey(name) {
    return "gf-draft:" + name;
  }

  function readDraft(name) {
    try {
      var raw = localStorage.getItem(draftKey(name));
      if (!raw) return null;
      var draft = JSON.parse(raw);
      return draft && typeof draft.v === "string" ? draft : null;
    } catch (e) {
      return null; /* storage off in private mode, or an old draft: the server keeps drafts too */
    }
  }

  function dropDraft(name) {
    try { localStorage.removeItem(draftKey(name)); } catch (e) { /* see above */ }
  }

  function restoreDrafts(root) {
    root.querySelectorAll("[data-draft]").forEach(function (el) {
      var draft = readDraft(el.dataset.draft);
      var base = el.defaultValue !== undefined ? el.defaultValue : "";
      if (draft && draft.v !== el.value && (draft.b === base || !el.value)) el.value = draft.v;
    });
    showUnsaved(root);
  }

  function keepDraft(event) {
    var el = event.target;
    if (!el.dataset || !el.dataset.draft || el.readOnly) return;
    var previous = readDraft(el.dataset.draft);
    var base = previous ? previous.b : (el.defaultValue || "");
    try {
      localStorage.setItem(draftKey(el.dataset.draft), JSON.stringify({ v: el.value, b: base }));
    } catch (e) { /* see above */ }
  }
  document.addEventListener("input", keepDraft);
  document.addEventListener("change", keepDraft);

  /* Saved (a 2xx): the drafts have done their job. Before the swap, so the new
     part does not get them back; after the request too, for an answer that leads
     on to the next step without a swap. */
  function dropSaved(event) {
    var elt = event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!form || status < 200 || status >= 300) return;
    form.querySelectorAll("[data-draft]").forEach(function (el) { dropDraft(el.dataset.draft); });
  }
  document.body.addEventListener("htmx:beforeSwap", dropSaved);
  document.body.addEventListener("htmx:afterRequest", dropSaved);

  /* On a closed page (the time is up), what never reached the server is shown to
     copy, until the participant dismisses it (templates/discussions/phone_drafts.html). */
  function showUnsaved(root) {
    root.querySelectorAll("[data-unsaved]").forEach(function (box) {
      var draft = readDraft(box.dataset.unsaved);
      if (!draft || !draft.v.trim() || draft.v === draft.b) return;
      box.querySelector("textarea").value = draft.v;
      box.hidden = false;
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-dismiss]") : null;
    var box = button && button.closest("[data-unsaved]");
    if (!box) return;
    dropDraft(box.dataset.unsaved);
    box.hidden = true;
  });

  document.body.addEventListener("htmx:load", function (event) {
    restoreDrafts(event.detail.elt);
    tick();
  });
  restoreDrafts(document);

  /* --- When this phone's clock says the time is up ---------------------------- */
  /* The forms close at once: the text stays, read-only and selectable, and no new
     press goes to the server (its grace period is for requests already on their
     way). "Next" still leads on, without saving. A change of the clock from the
     facilitator (+1 min) reloads the page through the poll. */

  var closed = false;
  function closeForms() {
    if (closed) return;
    closed = true;
    var open = 0;
    document.querySelectorAll("form[data-gf-form]").forEach(function (form) {
      form.querySelectorAll("textarea, input[type=text]").forEach(function (el) { el.readOnly = true; open++; });
      form.querySelectorAll("button, select").forEach(function (el) { el.disabled = true; open++; });
    });
    var next = document.querySelector("button[data-next-url]");
    if (next) {
      next.type = "button";
      next.removeAttribute("form");
      next.addEventListener("click", function () { window.location.href = next.dataset.nextUrl; });
    }
    var notice = document.getElementById("closed-notice");
    if (notice && open) notice.hidden = false;
  }

  /* --- The results revealed: said once, to screen readers too ---------------- */
  var revealed = document.getElementById("results-notice");
  var announcer = document.getElementById("announce");
  if (revealed && announcer) {
    var seenKey = "gf-revealed:" + window.location.pathname.split("/")[2];
    var seen = null;
    try { seen = sessionStorage.getItem(seenKey); } catch (e) { /* private mode */ }
    if (!seen) {
      // After the page has settled, so the live region announces the change.
      setTimeout(function () { announcer.textContent = message("revealed"); }, 800);
      try { sessionStorage.setItem(seenKey, "1"); } catch (e) { /* see above */ }
    }
  }

  /* --- Keyboard focus through a redrawn part -------------------------------- */
  /* htmx puts focus back on the element with the same id after a swap. When that
     element is gone (the card just ranked, "up" on what is now first, a withdrawn
     entry), focus goes to the nearest control that makes sense instead of falling
     back to the top of the page. */

  var focusBefore = null;

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail.target;
    focusBefore = null;
    if (active && active !== document.body && target && target.id && target.contains(active)) {
      var cards = Array.prototype.slice.call(target.querySelectorAll(".rec-card-button"));
      focusBefore = { id: active.id || "", index: cards.indexOf(active), part: target.id };
    }
  });

  // After the settle, when htmx has wired up the new buttons.
  document.body.addEventListener("htmx:afterSettle", function () {
    var before = focusBefore;
    focusBefore = null;
    if (!before) return;
    if (document.activeElement && document.activeElement !== document.body) {
      keepInView(); // htmx kept it (the same id): still, keep it on the screen
      return;
    }
    var part = document.getElementById(before.part);
    if (!part) return;
    var kind = before.id.split("-")[0];
    var number = before.id.split("-")[1];
    var candidates = [];
    if (before.part === "ranking") {
      var cards = part.querySelectorAll(".rec-card-button");
      var ballotButtons = part.querySelectorAll(".ballot-actions button");
      if (kind === "card") {
        candidates.push(cards[Math.min(before.index, cards.length - 1)]);
        candidates.push(ballotButtons[ballotButtons.length - 1]);
      } else if (kind === "up") {
        candidates.push(document.getElementById("down-" + number));
      } else if (kind === "down") {
        candidates.push(document.getElementById("up-" + number));
      } else if (kind === "remove") {
        candidates.push(document.getElementById("card-" + number));
      }
    }
    candidates.push(part.querySelector("textarea, input:not([type=hidden]), select, button, a[href]"));
    for (var i = 0; i < candidates.length; i++) {
      if (candidates[i]) {
        candidates[i].focus({ preventScroll: true });
        break;
      }
    }
    keepInView();
  });

  /* The focused control stays on the screen after a redraw (a moved card, an
     added entry's form): scrolled only as far as needed, clear of the sticky
     header and bar (scroll-padding in app.css; WCAG 2.4.11). */
  function keepInView() {
    var active = document.activeElement;
    if (!active || active === document.body || !active.scrollIntoView) return;
    var card = active.closest(".ballot-item, .rec-card");
    if (card) card.scrollIntoView({ block: "nearest" });
    active.scrollIntoView({ block: "nearest" });
  }

  /* --- When a save does not reach the server -------------------------------- */

  function statusFor(event) {
    var elt = event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    return form ? form.querySelector(".form-status") : null;
  }

  function showProblem(event, text) {
    var elt = event.detail.elt;
    if (elt && elt.id === "poll") {
      var offline = document.getElementById("offline");
      if (offline) offline.hidden = false;
      return;
    }
    var status = statusFor(event);
    if (status) {
      status.textContent = text;
      status.classList.add("error");
    }
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var status = statusFor(event);
    if (status) {
      status.textContent = "";
      status.classList.remove("error");
      // An earlier "Saved ✓" must not stand beside a failure of this request.
      var form = status.closest("form");
      form.querySelectorAll(".saved").forEach(function (el) { el.remove(); });
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && event.detail.elt && event.detail.elt.id === "poll") {
      var offline = document.getElementById("offline");
      if (offline) offline.hidden = true;
    }
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    showProblem(event, message("network"));
  });
  document.body.addEventListener("htmx:timeout", function (event) {
    showProblem(event, message("network"));
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    showProblem(event, status === 404 ? message("gone") : message("server"));
  });
})();
