"""Beyond axe: a keyboard or screen-reader user runs the whole workshop (WCAG 2.2 AA).

The facilitator starts, pauses, extends, reveals and ends from the keyboard with the
focus kept through every redraw, and no single-key shortcut fires from a focused
control (2.1.4); the end asks in a dialog, and on a page without JavaScript; the
clock's changes are said in live regions that stay. On the phone: nothing focused
under the sticky header or bar (2.4.11), the workshop's Swedish texts marked as
such on Norwegian and English pages (3.1.2), buttons named after what they act on,
edges and key hints with enough contrast (1.4.11, 1.4.3), 320 px with 200 % text
(1.4.4, 1.4.10), and a name typed but not saved kept through a reload.
"""

import re

import pytest
from playwright.sync_api import expect

from discussions.models import Discussion
from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, hold_phone_polls, log_in, set_clock
from tests.browser.test_accessibility import (
    CONTRAST,
    join,
    others_area,
    settled,
    tab_to,
)

pytestmark = pytest.mark.django_db(transaction=True)


def state(site):
    d = Discussion.objects.get(pk=site.discussion.pk)
    return d.duration_seconds, d.ended_at is not None, d.results_revealed


def active_id(page):
    return page.evaluate("() => document.activeElement.id")


# --- The facilitator ---------------------------------------------------------------


def test_the_dashboard_by_keyboard_keeps_the_focus_after_every_redraw(live_server, phone, site):
    base = live_server.url
    page = phone(viewport=LAPTOP)
    log_in(page, base)
    page.goto(f"{base}/f/d/{site.discussion.pk}/")
    box = page.locator(".f-timer")
    news = page.locator("#clock-news")
    duration, _, _ = state(site)

    # Start: Enter on the button; after the redraw the focus is on the same place,
    # now "Pausa", and the change is said once.
    tab_to(page, "#timer-toggle")
    page.keyboard.press("Enter")
    expect(box).to_have_attribute("data-state", "running")
    settled(page)
    expect(page.locator("#timer-toggle")).to_be_focused()
    expect(page.locator("#timer-toggle")).to_contain_text("Pausa")
    expect(news).to_have_text(re.compile(r"^Pågår, \d+:\d\d$"))

    # Space on the focused button presses that button: it pauses.
    page.keyboard.press("Space")
    expect(box).to_have_attribute("data-state", "paused")
    settled(page)
    expect(page.locator("#timer-toggle")).to_be_focused()
    expect(news).to_have_text(re.compile(r"^Pausad, \d+:\d\d$"))

    # Space on "+1 min" adds a minute; it does not start the clock again.
    page.keyboard.press("Tab")
    expect(page.locator("#timer-extend1")).to_be_focused()
    page.keyboard.press("Space")
    expect(news).to_have_text(re.compile(r"^Mer tid, \d+:\d\d$"))
    settled(page)
    expect(box).to_have_attribute("data-state", "paused")
    expect(page.locator("#timer-extend1")).to_be_focused()
    assert state(site)[0] == duration + 60

    # Space on "Visa resultaten för alla" reveals; the clock stays paused.
    tab_to(page, "#reveal-toggle")
    page.keyboard.press("Space")
    expect(page.locator("#reveal-toggle")).to_contain_text("Dölj resultaten")
    settled(page)
    expect(page.locator("#reveal-toggle")).to_be_focused()
    expect(box).to_have_attribute("data-state", "paused")
    assert state(site)[2] is True

    # No single-key shortcuts on the dashboard: "1" on a link, Space on a link.
    page.locator(".crumbs a").first.focus()
    page.keyboard.press("1")
    page.keyboard.press("5")
    page.keyboard.press("e")
    # Something that does happen, to know the keys above had their chance.
    page.locator("#timer-toggle").focus()
    page.keyboard.press("Enter")
    expect(box).to_have_attribute("data-state", "running")
    assert state(site)[:2] == (duration + 60, False)

    # End: a dialog, focus in it; Escape cancels and the focus comes back.
    settled(page)
    tab_to(page, "#timer-end")
    page.keyboard.press("Enter")
    dialog = page.locator("#end-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#end-dialog-cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#timer-end")).to_be_focused()
    assert state(site)[1] is False
    # Again, and this time yes.
    page.keyboard.press("Enter")
    expect(page.locator("#end-dialog-cancel")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#end-dialog-confirm")).to_be_focused()
    page.keyboard.press("Enter")
    expect(box).to_have_attribute("data-state", "ended")
    expect(dialog).to_be_hidden()
    settled(page)
    # "End now" is gone: the focus is on the first of the controls, not lost.
    expect(page.locator(".f-controls button").first).to_be_focused()
    expect(news).to_have_text(re.compile(r"^Tiden är ute"))
    assert state(site)[1] is True


def test_a_redraw_nobody_here_caused_leaves_the_focus_alone(live_server, phone, site):
    base = live_server.url
    set_clock(site.discussion, "running", left=900)
    page = phone(viewport=LAPTOP)
    log_in(page, base)
    page.goto(f"{base}/f/d/{site.discussion.pk}/")
    summary = page.locator(f"#group-{site.groups[1].pk} summary")
    tab_to(page, f"#group-{site.groups[1].pk} summary")
    # Someone else (another tab, a participant's save) changes the discussion.
    set_clock(site.discussion, "paused", left=600)
    expect(page.locator(".f-timer")).to_have_attribute("data-state", "paused")
    settled(page)
    expect(summary).to_be_focused()


def test_escape_during_a_slow_redraw_is_not_undone(live_server, phone, site):
    """A redraw that settles after the facilitator pressed Escape leaves the page's
    focus alone: the next key is a shortcut, not swallowed by the button the focus
    was on before. htmx settles 20 ms after the swap; on a busy laptop later."""
    base = live_server.url
    d = site.discussion.pk
    page = phone(viewport=PROJECTOR)
    log_in(page, base)
    page.goto(f"{base}/f/d/{d}/projector/")
    box = page.locator(".f-timer")
    page.keyboard.press("Space")
    expect(box).to_have_attribute("data-state", "running")
    settled(page)
    # A slow machine, made slow on purpose: the settle comes 1.5 s after the swap.
    page.evaluate("() => { htmx.config.defaultSettleDelay = 1500; }")
    tab_to(page, "#timer-extend1")
    left = int(box.get_attribute("data-seconds-left"))
    page.keyboard.press("Enter")
    expect(box).to_have_attribute("data-seconds-left", re.compile(r"^\d+$"))
    page.wait_for_function(
        f"() => +document.querySelector('.f-timer').dataset.secondsLeft > {left + 30}"
    )
    expect(page.locator(".htmx-settling").first).to_be_attached()  # swapped, not settled
    page.keyboard.press("Escape")
    settled(page)
    assert page.evaluate("() => document.activeElement === document.body")
    page.keyboard.press("r")
    expect(page).to_have_url(f"{base}/f/d/{d}/projector/results/")


def test_the_projector_keys_only_where_announced_and_they_can_be_turned_off(
    live_server, phone, site
):
    base = live_server.url
    d = site.discussion.pk
    page = phone(viewport=PROJECTOR)
    log_in(page, base)
    page.goto(f"{base}/f/d/{d}/projector/")
    box = page.locator(".f-timer")
    duration, _, _ = state(site)

    # The page has the focus: Space starts.
    page.keyboard.press("Space")
    expect(box).to_have_attribute("data-state", "running")

    # A focused "+1 min": Space presses it, and "5" does nothing.
    settled(page)
    tab_to(page, "#timer-extend1")
    page.keyboard.press("5")
    page.keyboard.press("Space")
    expect(page.locator("#clock-news")).to_have_text(re.compile(r"^Mer tid"))
    settled(page)
    expect(box).to_have_attribute("data-state", "running")
    expect(page.locator("#timer-extend1")).to_be_focused()
    assert state(site)[0] == duration + 60

    # Escape leaves the control: the keys work again.
    page.keyboard.press("Escape")
    page.keyboard.press("5")
    expect(page.locator("#clock-news")).to_have_text(re.compile(r"^Mer tid"))
    expect(box).to_have_attribute("data-seconds-left", re.compile(r"^(1[5-9]|2\d)\d\d$"))
    assert state(site)[0] == duration + 360

    # E asks first, in the dialog; Escape says no.
    page.keyboard.press("e")
    expect(page.locator("#end-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#end-dialog")).to_be_hidden()
    assert state(site)[1] is False

    # Turned off with the switch (beside the views, under "Visa"): no key acts, here
    # or after a reload.
    tab_to(page, "#pj-views > summary")
    page.keyboard.press("Enter")
    tab_to(page, "#shortcuts-toggle")
    page.keyboard.press("Space")
    expect(page.locator("#shortcuts-toggle")).not_to_be_checked()
    page.keyboard.press("Escape")
    page.keyboard.press("1")
    page.keyboard.press("Space")
    page.reload()
    expect(page.locator("#shortcuts-toggle")).not_to_be_checked()
    page.keyboard.press("1")
    page.keyboard.press("r")
    # The buttons still work: pausing is seen, and nothing else happened before it.
    page.locator("#timer-toggle").click()
    expect(box).to_have_attribute("data-state", "paused")
    assert page.url == f"{base}/f/d/{d}/projector/"
    assert state(site)[0] == duration + 360
    # And on again.
    page.locator("#pj-views > summary").click()
    page.locator("#shortcuts-toggle").check()
    page.keyboard.press("Escape")
    left = int(box.get_attribute("data-seconds-left"))
    page.keyboard.press("1")
    expect(box).to_have_attribute("data-seconds-left", str(left + 60))
    assert state(site)[0] == duration + 420


def test_the_end_asks_on_a_page_without_javascript(live_server, phone, site):
    base = live_server.url
    set_clock(site.discussion, "running", left=900)
    page = phone(viewport=LAPTOP, java_script_enabled=False)
    log_in(page, base)
    page.goto(f"{base}/f/d/{site.discussion.pk}/")
    page.locator("#timer-end").click()
    expect(page.locator("h1")).to_have_text("Avsluta nu")
    # "Avbryt" goes back, and nothing ended.
    page.locator("#end-cancel").click()
    page.wait_for_url(f"{base}/f/d/{site.discussion.pk}/")
    assert state(site)[1] is False
    page.locator("#timer-end").click()
    page.locator("#end-confirm").click()
    page.wait_for_url(f"{base}/f/d/{site.discussion.pk}/")
    assert state(site)[1] is True
    expect(page.locator(".f-timer")).to_have_attribute("data-state", "ended")


# --- The phone ---------------------------------------------------------------------

UNDER_BARS = """() => {
    // How much of the focused element a sticky header or bottom bar covers, in px.
    const el = document.activeElement;
    const r = el.getBoundingClientRect();
    const header = document.querySelector(".phone-header");
    const bar = document.querySelector(".step-bar");
    if (header.contains(el) || (bar && bar.contains(el))) return {what: el.id, hidden: 0};
    const top = getComputedStyle(header).position === "sticky"
        ? header.getBoundingClientRect().bottom : 0;
    const bottom = bar && getComputedStyle(bar).position === "sticky"
        ? bar.getBoundingClientRect().top : window.innerHeight;
    const hidden = Math.max(0, top - r.top) + Math.max(0, r.bottom - bottom);
    return {what: el.tagName + "#" + el.id + " " + (el.innerText || "").slice(0, 30),
            hidden: Math.round(hidden), height: Math.round(r.height)};
}"""


def test_shift_tab_through_the_phone_page_never_hides_the_focus(live_server, phone, site):
    base = live_server.url
    set_clock(site.discussion, "running", left=3000)
    page = phone(viewport=PHONE)
    hold_phone_polls(page)
    join(page, base, site.discussion.join_code)
    for number in (3, 1, 6):
        page.locator(f"#card-{number}").click()
        expect(page.locator(f"#remove-{number}")).to_be_visible()
    page.reload()
    # From the end of the page back to its top.
    page.locator("#step-next").focus()
    covered, stops = [], 0
    for _ in range(80):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            break
        stops += 1
        result = page.evaluate(UNDER_BARS)
        if result["hidden"] > 0:
            covered.append(result)
    assert stops > 20
    assert covered == []

    # A card moved with ↑: it and its focused button stay on the screen.
    settled(page)
    page.locator("#up-6").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".ballot-title .rec-label")).to_have_text(["Rek. 3", "Rek. 6", "Rek. 1"])
    settled(page)
    expect(page.locator("#up-6")).to_be_focused()
    assert page.evaluate(UNDER_BARS)["hidden"] == 0
    page.keyboard.press("Enter")
    expect(page.locator(".ballot-title .rec-label")).to_have_text(["Rek. 6", "Rek. 3", "Rek. 1"])
    settled(page)
    expect(page.locator("#down-6")).to_be_focused()
    assert page.evaluate(UNDER_BARS)["hidden"] == 0

    # An entry added: its form's button stays in view.
    page.goto(f"{base}/d/{site.discussion.pk}/area/")
    for text in ("Språket", "Vården", "Skolan", "Tågen"):
        page.locator("#area-text").fill(text)
        page.locator("#area-add").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#areas-list .entry-mine", has_text=text)).to_have_count(1)
        settled(page)
        expect(page.locator("#area-add")).to_be_focused()
        assert page.evaluate(UNDER_BARS)["hidden"] == 0, text


@pytest.mark.parametrize("locale,lang", [("nb-NO", "nb"), ("en-GB", "en")])
def test_the_workshops_swedish_texts_say_so_on_other_pages(live_server, phone, site, locale, lang):
    base = live_server.url
    set_clock(site.discussion, "running", left=900)
    page = phone(locale=locale)
    hold_phone_polls(page)
    page.goto(f"{base}/j/{site.discussion.join_code}/")
    page.locator("input[type=radio]").first.check()
    page.locator("button[type=submit]:not(.small)").click()
    page.wait_for_url(re.compile(r"/d/\d+/$"))
    assert page.locator("html").get_attribute("lang") == lang
    title = site.discussion.recommendation_set.recommendations.get(number=2).title
    # Every place the Swedish text shows sits inside lang="sv".
    expect(page.locator(".phone-discussion")).to_have_attribute("lang", "sv")
    expect(page.locator("#fraga-rubrik")).to_have_attribute("lang", "sv")
    expect(page.locator("#card-2 [lang=sv]")).to_have_text(title)
    expect(page.locator(".rec-bullets ul").first).to_have_attribute("lang", "sv")
    page.locator("#card-2").click()
    expect(page.locator(".ballot-title [lang=sv]")).to_have_text([title])
    page.goto(f"{base}/d/{site.discussion.pk}/activity/")
    expect(page.locator("#activity-rec option[value='2']")).to_have_attribute("lang", "sv")
    expect(page.locator("#fraga-rubrik")).to_have_attribute("lang", "sv")
    page.goto(f"{base}/d/{site.discussion.pk}/why/")
    expect(page.locator(".first-choice [lang=sv]")).to_have_text(title)
    page.goto(f"{base}/d/{site.discussion.pk}/done/")
    expect(page.locator(".summary-ballot [lang=sv]")).to_have_text([title])


def test_buttons_say_what_they_act_on(live_server, phone, site):
    base = live_server.url
    set_clock(site.discussion, "running", left=900)
    others_area(site)
    page = phone()
    hold_phone_polls(page)
    join(page, base, site.discussion.join_code)
    recs = site.discussion.recommendation_set.recommendations
    first, second = recs.get(number=1).title, recs.get(number=2).title

    def short(title):  # truncatechars:40
        return title if len(title) <= 40 else title[:39] + "…"

    card = page.locator(".rec-card", has=page.locator("#card-1"))
    expect(card.locator("summary")).to_have_accessible_name("Visa punkterna för rek. 1")
    page.locator("#card-1").click()
    expect(page.locator("#remove-1")).to_be_visible()
    page.locator("#card-2").click()
    expect(page.locator("#remove-2")).to_be_visible()
    expect(page.locator("#down-1")).to_have_accessible_name(
        f"Flytta ‘{short(first)}’ ned till plats 2"
    )
    expect(page.locator("#up-2")).to_have_accessible_name(
        f"Flytta ‘{short(second)}’ upp till plats 1"
    )
    expect(page.locator("#remove-2")).to_have_accessible_name(
        f"Ta bort ‘{short(second)}’ från plats 2 i rangordningen"
    )

    page.goto(f"{base}/d/{site.discussion.pk}/area/")
    expect(page.get_by_role("button", name="+1 för ‘Kultur och idrott’ (0)")).to_have_count(1)
    page.fill("#area-text", "Språket")
    page.locator("#area-add").click()
    expect(page.get_by_role("link", name="Ändra ‘Språket’")).to_have_count(1)
    expect(page.get_by_role("button", name="Ta bort ‘Språket’")).to_have_count(1)
    page.get_by_role("button", name="+1 för ‘Kultur och idrott’ (0)").click()
    expect(
        page.get_by_role("button", name=re.compile(r"^\+1 för ‘Kultur och idrott’ \(1\)"))
    ).to_have_attribute("aria-pressed", "true")


BORDER_CONTRAST = """el => {
    // The contrast of el's top border against the background behind el.
    const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = rgb => {
        const [r, g, b] = rgb.slice(0, 3).map(v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    let bg = [255, 255, 255];
    for (let e = el.parentElement; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || c[3] === 1) { bg = c; break; }
    }
    const border = parse(getComputedStyle(el).borderTopColor);
    const [hi, lo] = [lum(border), lum(bg)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
}"""


def test_edges_and_key_hints_have_enough_contrast(live_server, phone, site):
    base = live_server.url
    set_clock(site.discussion, "running", left=900)
    others_area(site)
    page = phone()
    hold_phone_polls(page)
    page.goto(f"{base}/j/{site.discussion.join_code}/")
    measured = [("join .choice", page.locator(".choice").first.evaluate(BORDER_CONTRAST))]
    join(page, base, site.discussion.join_code)
    measured.append(("rank .rec-card", page.locator(".rec-card").first.evaluate(BORDER_CONTRAST)))
    measured.append(("rank .question", page.locator(".question").evaluate(BORDER_CONTRAST)))
    measured.append(("footer select", page.locator("#language-choice").evaluate(BORDER_CONTRAST)))
    page.goto(f"{base}/d/{site.discussion.pk}/area/")
    measured.append(("area textarea", page.locator("#area-text").evaluate(BORDER_CONTRAST)))
    measured.append(("area .entry", page.locator(".entry").first.evaluate(BORDER_CONTRAST)))
    page.goto(f"{base}/d/{site.discussion.pk}/activity/")
    measured.append(("activity select", page.locator("#activity-rec").evaluate(BORDER_CONTRAST)))
    low = [(what, round(ratio, 2)) for what, ratio in measured if ratio < 3]
    assert low == [], low

    # The projector's key hints, and the dashboard's coloured places: text, 4.5:1.
    desk = phone(viewport=PROJECTOR)
    log_in(desk, base)
    desk.goto(f"{base}/f/d/{site.discussion.pk}/projector/")
    hints = [
        (kbd.inner_text(), round(kbd.evaluate(CONTRAST)["ratio"], 2))
        for kbd in desk.locator(".f-controls kbd").all()
    ]
    assert hints, "no key hints on the projector"
    assert [h for h in hints if h[1] < 4.5] == [], hints
    # A second place in the matrix of groups, as the dashboard draws it.
    desk.goto(f"{base}/f/d/{site.discussion.pk}/")
    desk.evaluate(
        """() => {
            const row = document.querySelector(".f-table tbody tr");
            row.closest("table").classList.add("f-matrix");
            const td = document.createElement("td");
            td.className = "f-num f-place f-place-2";
            td.textContent = "2";
            row.appendChild(td);
        }"""
    )
    ratio = desk.locator(".f-place-2").evaluate(CONTRAST)["ratio"]
    assert ratio >= 4.5, ratio


def big_text(page):
    """The phone's text at 200 %: its own default size doubled, as a phone's setting does."""
    session = page.context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})


def test_320_px_with_200_percent_text_stays_within_bounds(live_server, phone, site):
    base = live_server.url
    set_clock(site.discussion, "running", left=900)
    page = phone(viewport={"width": 320, "height": 640})
    hold_phone_polls(page)
    join(page, base, site.discussion.join_code)
    big_text(page)
    page.reload()
    assert page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") >= 30
    for step in ("", "why/", "area/", "activity/", "done/", "group/"):
        page.goto(f"{base}/d/{site.discussion.pk}/{step}")
        size = page.evaluate(
            r"""() => {
                const header = document.querySelector(".phone-header");
                const bar = document.querySelector(".step-bar");
                const title = document.querySelector(".phone-discussion");
                const stuck = e => e && ["sticky", "fixed"].includes(getComputedStyle(e).position);
                const part = e => stuck(e) ? e.getBoundingClientRect().height : 0;
                // A word broken in two makes more lines than it has words.
                const lines = e => {
                    const range = document.createRange();
                    range.selectNodeContents(e);
                    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
                };
                const words = e => e.innerText.trim().split(/\s+/).length;
                return {
                    width: document.documentElement.scrollWidth,
                    covered: (part(header) + part(bar)) / window.innerHeight,
                    titleCut: title.scrollWidth > title.clientWidth + 1
                        || lines(title) > words(title),
                    labelCut: [...document.querySelectorAll(".steps a")].some(
                        a => a.scrollWidth > a.clientWidth + 1),
                };
            }"""
        )
        assert size["width"] <= 320, (step, size)
        assert size["covered"] <= 0.35, (step, size)
        assert not size["titleCut"] and not size["labelCut"], (step, size)

    # The projector's ranking, opened on a phone: the heading whole, beside nothing.
    Discussion.objects.filter(pk=site.discussion.pk).update(results_revealed=True)
    desk = phone(viewport={"width": 390, "height": 844})
    log_in(desk, base)
    desk.goto(f"{base}/f/d/{site.discussion.pk}/projector/results/")
    layout = desk.evaluate(
        """() => {
            const h = document.querySelector(".pr-overall h1");
            const t = document.querySelector(".pr-controls .f-timer").getBoundingClientRect();
            const r = h.getBoundingClientRect();
            const apart = r.bottom <= t.top || t.bottom <= r.top || r.right <= t.left
                || t.right <= r.left;
            return {cut: h.scrollWidth > h.clientWidth + 1 || h.scrollHeight > h.clientHeight + 1,
                    apart: apart, width: document.documentElement.scrollWidth,
                    hidden: getComputedStyle(h.closest(".pr-overall")).overflow};
        }"""
    )
    assert layout["width"] <= 390, layout
    assert not layout["cut"] and layout["apart"], layout


def test_the_phone_keeps_a_name_typed_and_says_the_clock_changed(live_server, phone, site):
    base = live_server.url
    set_clock(site.discussion, "running", left=900)
    page = phone()
    join(page, base, site.discussion.join_code)
    page.goto(f"{base}/d/{site.discussion.pk}/group/")
    page.locator("#group-name").fill("Maja")
    # The page reloads itself (the clock changed): the name typed is still there.
    page.reload()
    expect(page.locator("#group-name")).to_have_value("Maja")

    # Paused by the facilitator: said in the live region that was already there.
    page.goto(f"{base}/d/{site.discussion.pk}/")
    announce = page.locator("#announce")
    handle = announce.element_handle()
    set_clock(site.discussion, "paused", left=600)
    # The phone polls every 5 s.
    expect(page.locator(".timer-label")).to_have_text("Pausad", timeout=15_000)
    expect(announce).to_have_text("Pausad")
    assert handle.evaluate("el => el.isConnected")
    assert page.locator(".timer-label").get_attribute("aria-live") is None
