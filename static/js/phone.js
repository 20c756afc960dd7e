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

  function draftKey(el) {
    return "gf-draft:" + el.dataset.draft;
  }

  function restoreDrafts(root) {
    root.querySelectorAll("[data-draft]").forEach(function (el) {
      try {
        var saved = localStorage.getItem(draftKey(el));
        if (saved && !el.value) el.value = saved;
      } catch (e) { /* storage may be off in private mode: the server keeps drafts too */ }
    });
  }

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el.dataset || !el.dataset.draft) return;
    try { localStorage.setItem(draftKey(el), el.value); } catch (e) { /* see above */ }
  });
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.dataset || !el.dataset.draft) return;
    try { localStorage.setItem(draftKey(el), el.value); } catch (e) { /* see above */ }
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!form || !form.querySelectorAll) return;
    var status = event.detail.xhr.status;
    if (status >= 200 && status < 300) {
      // Saved: the draft has done its job.
      form.querySelectorAll("[data-draft]").forEach(function (el) {
        try { localStorage.removeItem(draftKey(el)); } catch (e) { /* see above */ }
      });
    }
  });

  document.body.addEventListener("htmx:load", function (event) {
    restoreDrafts(event.detail.elt);
    tick();
  });
  restoreDrafts(document);

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
    if (document.activeElement && document.activeElement !== document.body) return;
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
        candidates[i].focus();
        return;
      }
    }
  });

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
