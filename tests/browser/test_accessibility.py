"""WCAG 2.2 AA, checked by hand and kept as tests: the keyboard alone, ranking
without dragging and announced, target sizes, visible focus, no sideways scrolling
at 320 px, the timer's contrast in every state, and a countdown that is not read
out every second. (axe-core's automatic checks are in test_axe.py.)
"""

import re

import pytest
from playwright.sync_api import expect

from discussions.models import (
    ActivityProposal,
    Discussion,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
    Ranking,
)
from tests.browser.conftest import (
    LAPTOP,
    PROJECTOR,
    hold_phone_polls,
    log_in,
    screenshot,
    set_clock,
)

pytestmark = pytest.mark.django_db(transaction=True)

OTHERS_AREA = "Kultur och idrott"


def join(page, base, code, group="Bord 1"):
    page.goto(f"{base}/j/{code}/")
    page.get_by_label(group).check()
    page.get_by_role("button", name="Gå med").click()
    page.wait_for_url(re.compile(r"/d/\d+/$"))


def others_area(site):
    """Someone else at Bord 1 has written a missing area: something to +1."""
    other = Participant.objects.create(discussion=site.discussion, group=site.groups[0])
    return MissingArea.objects.create(
        discussion=site.discussion, group=site.groups[0], author=other, text=OTHERS_AREA
    )


def settled(page):
    """Wait until htmx has swapped in and wired up what the server sent."""
    expect(
        page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
    ).to_have_count(0)


def focused(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return el ? {tag: el.tagName.toLowerCase(), id: el.id, text: el.innerText || ""} : null;
        }"""
    )


def tab_to(page, selector, backwards=False, limit=80):
    """Press Tab (or Shift+Tab) until `selector` has the focus, as a keyboard user would."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} cannot be reached with {key}; stuck at {focused(page)}")


# --- The keyboard alone --------------------------------------------------------------


def test_a_participant_does_everything_with_the_keyboard(live_server, phone, site):
    base = live_server.url
    set_clock(site.discussion, "running", left=900)
    others_area(site)
    page = phone()

    # Join: the code, the table, the button.
    page.goto(base + "/")
    tab_to(page, "#code")
    page.keyboard.type(site.discussion.join_code.lower())
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/j/{site.discussion.join_code}/")
    tab_to(page, "input[type=radio]")
    page.keyboard.press("Space")
    expect(page.get_by_label("Bord 1")).to_be_checked()
    tab_to(page, "button[type=submit]:not(.small)")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/d/\d+/$"))
    announce = page.locator("#announce")
    expect(announce).to_have_attribute("aria-live", "polite")

    # Rank by pressing Enter on a card: no dragging anywhere. Focus moves on to the
    # next card, so Enter again ranks that one.
    tab_to(page, "#card-3")
    page.keyboard.press("Enter")
    expect(page.locator(".ballot-title .rec-label")).to_have_text(["Rek. 3"])
    expect(announce).to_have_text("Din rangordning: 3.")
    settled(page)
    expect(page.locator("#card-4")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".ballot-title .rec-label")).to_have_text(["Rek. 3", "Rek. 4"])
    expect(announce).to_have_text("Din rangordning: 3, 4.")

    # Move 4 up with its button; focus stays with 4 (now first: its "down" button).
    settled(page)
    tab_to(page, "#up-4", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator(".ballot-title .rec-label")).to_have_text(["Rek. 4", "Rek. 3"])
    expect(announce).to_have_text("Din rangordning: 4, 3.")
    settled(page)
    expect(page.locator("#down-4")).to_be_focused()
    page.keyboard.press("Enter")
    expect(announce).to_have_text("Din rangordning: 3, 4.")
    settled(page)
    expect(page.locator("#up-4")).to_be_focused()
    # Take 3 out again: it goes back among the cards, and so does the focus.
    settled(page)
    tab_to(page, "#remove-3", backwards=True)
    page.keyboard.press("Enter")
    expect(announce).to_have_text("Din rangordning: 4.")
    settled(page)
    expect(page.locator("#card-3")).to_be_focused()

    # On to the why, the next step.
    settled(page)
    tab_to(page, "#step-next")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/why/$"))
    tab_to(page, "#why-text")
    page.keyboard.type("Kompetensen avgör.")
    page.keyboard.press("Tab")
    expect(page.locator("#why-save")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#varfor .saved")).to_be_visible()
    expect(announce).to_have_text("Sparat.")
    settled(page)
    tab_to(page, "#step-next")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/area/$"))

    # A missing area of one's own.
    tab_to(page, "#area-text")
    page.keyboard.type("Språket")
    page.keyboard.press("Tab")
    expect(page.locator("#area-add")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#areas-list .entry-mine")).to_contain_text("Språket")
    expect(announce).to_have_text("Tillagt.")

    # +1 what someone else at the table wrote; focus stays on the button.
    settled(page)
    others = "#areas-list .entry:not(.entry-mine) button.plus"
    tab_to(page, others)
    page.keyboard.press("Enter")
    plus = page.locator(others)
    expect(plus).to_have_attribute("aria-pressed", "true")
    settled(page)
    expect(plus).to_be_focused()
    tab_to(page, "#step-next")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/activity/$"))

    # An activity: the recommendation chosen with the arrow keys.
    tab_to(page, "#activity-rec")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#activity-rec")).to_have_value("2")
    page.keyboard.press("Tab")
    page.keyboard.type("En tågdag")
    page.keyboard.press("Tab")
    expect(page.locator("#activity-add")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#activities-list .entry-mine")).to_contain_text("En tågdag")

    me = Participant.objects.get(display_name="", why="Kompetensen avgör.")
    assert list(
        Ranking.objects.filter(participant=me).values_list("recommendation__number", flat=True)
    ) == [4]
    assert MissingAreaEndorsement.objects.get().participant == me
    assert ActivityProposal.objects.get(author=me).recommendation.number == 2


def test_the_facilitator_runs_the_clock_with_the_keyboard(live_server, phone, site):
    base = live_server.url
    d = site.discussion.pk
    page = phone(viewport=PROJECTOR)
    log_in(page, base)
    page.goto(f"{base}/f/d/{d}/projector/")
    box = page.locator(".f-timer")

    def duration():
        return Discussion.objects.get(pk=d).duration_seconds

    page.keyboard.press("Space")
    expect(box).to_have_attribute("data-state", "running")
    page.keyboard.press("Space")
    expect(box).to_have_attribute("data-state", "paused")
    page.keyboard.press("Space")
    expect(box).to_have_attribute("data-state", "running")
    before = duration()
    page.keyboard.press("1")
    expect(box).to_have_attribute("data-seconds-left", re.compile(r"^1[23]\d\d$"))
    page.keyboard.press("5")
    expect(box).to_have_attribute("data-seconds-left", re.compile(r"^1[5-6]\d\d$"))
    assert duration() == before + 360
    # The same controls are buttons that Tab reaches and Enter presses.
    tab_to(page, "form[data-shortcut='1'] button")
    page.keyboard.press("Enter")
    expect(box).to_have_attribute("data-seconds-left", re.compile(r"^1[6-7]\d\d$"))
    assert duration() == before + 420
    # A focused control keeps its keys; Escape gives them back to the page.
    settled(page)
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    expect(page).to_have_url(f"{base}/f/d/{d}/projector/results/")
    page.keyboard.press("t")
    page.wait_for_url(f"{base}/f/d/{d}/projector/")
    # "End now" asks first, in a dialog; the facilitator says yes.
    page.keyboard.press("e")
    expect(page.locator("#end-dialog-cancel")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(box).to_have_attribute("data-state", "ended")
    assert Discussion.objects.get(pk=d).ended_at is not None


# --- Sizes, focus, reflow ---------------------------------------------------------------

MEASURE_TARGETS = """() => {
    const inline = el => {
        // Inline links in running text are exempt (WCAG 2.5.8, "inline").
        if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
        const parent = el.parentElement;
        return [...parent.childNodes].some(n => n !== el && n.textContent.trim() !== "");
    };
    const visible = el => {
        const r = el.getBoundingClientRect();
        const cs = getComputedStyle(el);
        return r.width > 0 && r.height > 0 && cs.visibility !== "hidden"
            && !el.closest(".visually-hidden");
    };
    const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary,"
        + " [role=button], [tabindex]";
    const measured = [...document.querySelectorAll(controls)].filter(e => visible(e) && !inline(e));
    return measured.map(el => {
        const r = el.getBoundingClientRect();
        return {
            what: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " "
                + (el.innerText || el.name || "").trim().slice(0, 40),
            width: Math.round(r.width * 10) / 10,
            height: Math.round(r.height * 10) / 10,
        };
    });
}"""


def small_targets(page):
    targets = page.evaluate(MEASURE_TARGETS)
    assert targets, "nothing to measure"
    return [t for t in targets if t["width"] < 24 or t["height"] < 24]


def test_targets_are_at_least_24_px(live_server, phone, site):
    base = live_server.url
    set_clock(site.discussion, "running", left=900)
    others_area(site)
    page = phone()
    page.goto(base + "/")
    assert small_targets(page) == []
    page.goto(f"{base}/j/{site.discussion.join_code}/")
    assert small_targets(page) == []
    join(page, base, site.discussion.join_code)
    assert small_targets(page) == []
    for number in (2, 5, 7):
        page.locator(f"#card-{number}").click()
        expect(page.locator(f"#remove-{number}")).to_be_visible()
    page.locator("details.rec-bullets summary").first.click()
    assert small_targets(page) == []
    page.goto(f"{base}/d/{site.discussion.pk}/area/")
    page.fill("#area-text", "Språket")
    page.locator("#area-add").click()
    expect(page.locator("#areas-list .entry-mine")).to_be_visible()
    assert small_targets(page) == []
    for step in ("why/", "activity/", "done/", "group/"):
        page.goto(f"{base}/d/{site.discussion.pk}/{step}")
        assert small_targets(page) == [], step

    projector = phone(viewport=PROJECTOR)
    log_in(projector, base)
    assert small_targets(projector) == []
    for path in ("projector/", "projector/results/", ""):
        projector.goto(f"{base}/f/d/{site.discussion.pk}/{path}")
        assert small_targets(projector) == [], path
    # The dashboard on a laptop.
    laptop = phone(viewport=LAPTOP)
    log_in(laptop, base)
    laptop.goto(f"{base}/f/d/{site.discussion.pk}/")
    assert small_targets(laptop) == []


FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const style = e => {
        const cs = getComputedStyle(e);
        return [cs.outlineStyle, cs.outlineWidth, cs.outlineColor, cs.boxShadow].join(" | ");
    };
    const before = window.gfPrevious;
    const result = {
        what: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " "
            + (el.innerText || "").trim().slice(0, 30),
        focused: style(el),
        previous: before
            ? {what: before.what, focused: before.focused, now: style(before.el)}
            : null,
    };
    window.gfPrevious = {el: el, what: result.what, focused: result.focused};
    return result;
}"""


def assert_focus_visible(page, stops):
    """Tab through the first `stops` elements: each must look different while focused."""
    page.evaluate("() => { document.activeElement.blur(); window.gfPrevious = null; }")
    seen, invisible = 0, []
    for _ in range(stops + 1):
        page.keyboard.press("Tab")
        result = page.evaluate(FOCUS_STYLE)
        previous = result["previous"]
        if previous is not None:
            seen += 1
            if previous["focused"] == previous["now"]:
                invisible.append(previous["what"])
        if result["what"].startswith("body"):
            break
    assert seen >= min(stops, 5), f"only {seen} focus stops"
    assert invisible == [], f"no visible focus on: {invisible}"


def test_focus_is_always_visible(live_server, phone, site):
    base = live_server.url
    set_clock(site.discussion, "running", left=900)
    others_area(site)
    page = phone()
    join(page, base, site.discussion.join_code)
    page.locator("#card-1").click()
    expect(page.locator("#remove-1")).to_be_visible()
    # From the top of the page: the card just ranked left Tab's starting point near
    # the end of a step's page, with only a few stops after it.
    page.reload()
    assert_focus_visible(page, 60)
    page.goto(f"{base}/d/{site.discussion.pk}/area/")
    assert_focus_visible(page, 20)

    desk = phone(viewport=LAPTOP)
    log_in(desk, base)
    assert_focus_visible(desk, 10)
    for path in ("", "projector/", "projector/results/", "groups/"):
        desk.goto(f"{base}/f/d/{site.discussion.pk}/{path}")
        assert_focus_visible(desk, 40)


def test_no_sideways_scrolling_at_320_px(live_server, phone, site):
    base = live_server.url
    d = site.discussion
    others_area(site)
    page = phone(viewport={"width": 320, "height": 640})
    hold_phone_polls(page)

    def fits(what):
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 320, f"{what}: {width} px wide"

    for path in ("/", "/j/ZZZZZZ/", "/rekommendationer/", "/konto/logga-in/", "/finns-inte/"):
        page.goto(base + path)
        fits(path)
    page.goto(base + "/rekommendationer/")
    page.locator("main a").first.click()
    fits("a recommendation set")
    page.goto(f"{base}/j/{d.join_code}/")
    fits("join")
    join(page, base, d.join_code)
    fits("phone, not started")
    set_clock(d, "running", left=3000)
    page.reload()
    for number in (8, 2, 1, 5):
        page.locator(f"#card-{number}").click()
        expect(page.locator(f"#remove-{number}")).to_be_visible()
    page.locator("details.rec-bullets summary").first.click()
    fits("phone, running")
    page.goto(f"{base}/d/{d.pk}/area/")
    page.fill("#area-text", "Ett långt ord: gränsöverskridandesamverkansplattformsutveckling")
    page.locator("#area-add").click()
    expect(page.locator("#areas-list .entry-mine")).to_be_visible()
    fits("phone, areas")
    screenshot(page, "phone-320-areas")
    for step in ("why/", "activity/", "done/", "group/"):
        page.goto(f"{base}/d/{d.pk}/{step}")
        fits(f"phone, {step}")
        screenshot(page, f"phone-320-{step[:-1]}")
    page.goto(f"{base}/d/{d.pk}/area/")
    page.locator("#areas-list .entry-mine a").click()
    fits("phone, edit an entry")
    Discussion.objects.filter(pk=d.pk).update(results_revealed=True)
    page.goto(f"{base}/d/{d.pk}/")
    fits("phone, results revealed")
    screenshot(page, "phone-320-revealed")
    page.goto(f"{base}/d/{d.pk}/results/")
    fits("phone, results")
    screenshot(page, "phone-320-results")
    set_clock(d, "ended")
    page.reload()
    fits("phone, ended")
    page.context.clear_cookies()
    page.goto(f"{base}/j/{d.join_code}/")
    fits("join, time is out")


# --- The timer: contrast, and silence ------------------------------------------------------

CONTRAST = """el => {
    // The contrast of el's text against what is behind it: colours with their alpha
    // and every ancestor's opacity, over the first opaque background found.
    const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
    const over = (top, bottom) => {
        const a = top[3] === undefined ? 1 : top[3];
        return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a));
    };
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg.length === 4 && bg[3] === 0) continue;
        layers.push(bg);
        if (bg.length === 3 || bg[3] === 1) break;
    }
    let background = [255, 255, 255];
    for (const layer of layers.reverse()) background = over(layer, background);
    const fg = parse(getComputedStyle(el).color);
    const alpha = (fg[3] === undefined ? 1 : fg[3]) * opacity;
    const text = over([fg[0], fg[1], fg[2], alpha], background);
    const lum = rgb => {
        const [r, g, b] = rgb.map(v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [hi, lo] = [lum(text), lum(background)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    return {ratio: ratio, color: getComputedStyle(el).color, text: el.innerText};
}"""

STATES = [("not_started", None), ("running", 900), ("low", 30), ("paused", 300), ("ended", None)]


def test_the_timer_has_enough_contrast_in_every_state(live_server, phone, site):
    base = live_server.url
    d = site.discussion
    projector = phone(viewport=PROJECTOR)
    log_in(projector, base)
    mobile = phone()
    hold_phone_polls(mobile)
    join(mobile, base, d.join_code)

    screens = [
        (projector, f"/f/d/{d.pk}/projector/", ".f-timer", [".f-timer-clock", ".f-timer-state"]),
        (mobile, f"/d/{d.pk}/", ".timer-box", [".timer", ".timer-label"]),
    ]
    measured = []
    for state, left in STATES:
        set_clock(d, "running" if state == "low" else state, left=left)
        for page, path, box, parts in screens:
            page.goto(base + path)
            if state == "low":
                # The warning colour of the last minute.
                expect(page.locator(box)).to_have_class(re.compile(r"timer-low"))
            for part in parts:
                result = page.locator(part).first.evaluate(CONTRAST)
                measured.append((state, path, part, round(result["ratio"], 2), result["color"]))
    low_contrast = [m for m in measured if m[3] < 4.5]
    assert low_contrast == [], low_contrast
    # The warning is a colour of its own.
    colours = {(m[0], m[2]): m[4] for m in measured if m[1].endswith("projector/")}
    assert colours[("low", ".f-timer-clock")] != colours[("running", ".f-timer-clock")]


LIVE_ANCESTOR = """el => {
    // The nearest element (el or an ancestor) that makes its content a live region.
    const live = ["status", "alert", "log"];
    for (let e = el; e; e = e.parentElement) {
        const attr = e.getAttribute("aria-live");
        if (attr && attr !== "off") return e.tagName + "#" + e.id + " aria-live=" + attr;
        if (attr === "off") return null;
        const role = e.getAttribute("role");
        if (live.includes(role)) return e.tagName + "#" + e.id + " role=" + role;
    }
    return null;
}"""


def test_the_countdown_is_not_read_out_every_second(live_server, phone, site):
    base = live_server.url
    d = site.discussion
    set_clock(d, "running", left=900)
    mobile = phone()
    join(mobile, base, d.join_code)
    desk = phone(viewport=PROJECTOR)
    log_in(desk, base)

    screens = [(mobile, f"/d/{d.pk}/", "[data-timer]")]
    for path in ("projector/", "", "projector/results/"):
        page = desk.context.new_page()
        page.goto(f"{base}/f/d/{d.pk}/{path}")
        screens.append((page, path, "[data-clock]"))
    mobile.goto(base + screens[0][1])
    # This is the text that changes every second (all clocks tick at once) ...
    readings = [
        (page.locator(clock), page.locator(clock).inner_text()) for page, _, clock in screens
    ]
    for element, first in readings:
        expect(element).not_to_have_text(first)
    # ... and it is in no live region: role=timer is aria-live=off by default.
    for (_page, path, _), (element, _first) in zip(screens, readings, strict=True):
        assert element.get_attribute("role") == "timer", path
        assert element.get_attribute("aria-live") in (None, "off"), path
        assert element.evaluate(LIVE_ANCESTOR) is None, path
