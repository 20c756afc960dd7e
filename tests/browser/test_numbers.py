"""The results lists as people see them: places visible on a phone, the points falling
down the projector's list with their sentence, the dashboard's measures explained on
focus; axe clean, and screenshots to look at.

The ballots are those of tests/test_numbers.py, where the points (2 first, then 1)
and Schulze (1 first, then 2) disagree and recommendations 4 to 8 share fourth place.
"""

import pytest
from django.http import HttpResponse
from playwright.sync_api import expect

from discussions.models import Discussion
from discussions.participant_cookie import cookie_name, set_participant_cookie
from tests.base import add_participant
from tests.browser.conftest import (
    ARTIFACTS,
    BLOCKING_IMPACTS,
    LAPTOP,
    PHONE,
    PROJECTOR,
    hold_phone_polls,
    log_in,
    run_axe,
    screenshot,
    set_clock,
)

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1440, "height": 900}
SMALL_PROJECTOR = {"width": 1280, "height": 720}
ROOM_PLACES = ["1", "2", "3", "4", "4", "4", "4", "4"]
ROOM_POINTS = ["32", "31", "27", "10", "10", "10", "10", "10"]


def revealed(site):
    """The hand-counted ballots, the time out and the results shown; the phone of one
    participant at Bord 2."""
    d = site.discussion
    for _ in range(3):
        add_participant(d, site.groups[0], (1, 2, 3))
    owner = None
    for _ in range(2):
        owner = add_participant(d, site.groups[1], (2, 3, 1))
    set_clock(d, "ended")
    Discussion.objects.filter(pk=d.pk).update(results_revealed=True)
    return owner


def as_participant(page, base, participant):
    signed = HttpResponse()
    set_participant_cookie(signed, participant)
    name = cookie_name(participant.discussion_id)
    page.context.add_cookies([{"name": name, "value": signed.cookies[name].value, "url": base}])


def assert_no_blocking(page, label):
    blocking = [
        f"{label}: {v['id']} – {v['help']}: " + ", ".join(n["target"] for n in v["nodes"])
        for v in run_axe(page)
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, "\n".join(blocking)


def test_the_phone_shows_each_place_beside_its_recommendation(live_server, phone, site):
    base = live_server.url
    owner = revealed(site)
    for name, viewport in (("390", PHONE), ("320", SMALL_PHONE)):
        page = phone(viewport=viewport)
        hold_phone_polls(page)
        as_participant(page, base, owner)
        page.goto(f"{base}/d/{site.discussion.pk}/results/")
        room = page.locator("#resultat .result-list").last
        places = room.locator(".result-place")
        expect(places).to_have_count(8)
        expect(places).to_have_text([f"Plats {p}" for p in ROOM_PLACES])
        expect(room.locator(".result-points")).to_have_text([f"{p} poäng" for p in ROOM_POINTS])
        expect(room.locator(".rec-label").first).to_have_text("Rek. 2")
        for i in range(8):
            place = places.nth(i).bounding_box()
            title = room.locator(".result-title").nth(i).bounding_box()
            # The number is drawn, inside the screen, left of its title, and large.
            assert place["width"] > 8 and place["height"] > 16, (name, i, place)
            assert place["x"] >= 0 and place["x"] + place["width"] <= title["x"], (name, i)
            assert title["x"] + title["width"] <= viewport["width"], (name, i, title)
        size = places.first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 20
        expect(page.locator(".result-explain")).to_contain_text("7 för en förstaplats")
        screenshot(page, f"numbers-phone-results-{name}")
        # The results alone, as the phone's screen shows them once scrolled to.
        page.locator("#resultat").screenshot(path=str(ARTIFACTS / f"numbers-phone-{name}.png"))
        page.evaluate("() => document.querySelectorAll('.result-list')[1].scrollIntoView()")
        page.screenshot(path=str(ARTIFACTS / f"numbers-phone-{name}-screen.png"))


def test_the_projector_lists_the_points_falling_and_says_what_they_are(live_server, phone, site):
    base = live_server.url
    revealed(site)
    page = phone(viewport=PROJECTOR)
    log_in(page, base)
    for name, viewport in (("1920x1080", PROJECTOR), ("1280x720", SMALL_PROJECTOR)):
        page.set_viewport_size(viewport)
        page.goto(f"{base}/f/d/{site.discussion.pk}/projector/results/")
        expect(page.locator(".pr-row .pr-pos")).to_have_text([f"Plats {p}" for p in ROOM_PLACES])
        expect(page.locator(".pr-row .pr-points")).to_have_text([f"{p} p" for p in ROOM_POINTS])
        explain = page.locator(".pr-explain")
        expect(explain).to_contain_text("7 för en förstaplats, 6 för en andraplats")
        screenshot(page, f"numbers-projector-results-{name}")
        box = explain.bounding_box()
        # On the screen (a projector does not scroll), drawn and not clipped or
        # covered, and readable from the back.
        assert box["y"] + box["height"] <= viewport["height"], (name, box)
        for x, y in ((box["x"] + 4, box["y"] + 4), (box["x"] + 4, box["y"] + box["height"] - 4)):
            on_top = page.evaluate(
                "([x, y]) => !!document.elementFromPoint(x, y)?.closest('.pr-explain')", [x, y]
            )
            assert on_top, (name, x, y)
        # The list is not clipped to make room for it.
        last = page.locator(".pr-row").last.bounding_box()
        overall = page.locator(".pr-overall").bounding_box()
        assert last["y"] + last["height"] <= overall["y"] + overall["height"], (name, last)
        assert last["y"] + last["height"] <= box["y"], (name, last, box)
        size = explain.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 0.019 * viewport["height"], (name, size)


def test_the_dashboard_explains_each_measure_on_focus(live_server, phone, site):
    base = live_server.url
    revealed(site)
    page = phone(viewport=DESKTOP)
    log_in(page, base)
    page.goto(f"{base}/f/d/{site.discussion.pk}/")
    room = page.locator("#ranking-overall")
    expect(room.locator(".f-methods")).to_have_text(
        "Schulze-metoden och poängen är oense om platserna 1–2. "
        "Kemeny och poängen är oense om platserna 1–2."
    )
    tip = room.locator("#tip-room-points")
    expect(tip).to_be_hidden()
    # By keyboard: Tab from the table's region reaches the first heading.
    room.locator(".scroll-x").focus()
    page.keyboard.press("Tab")
    expect(room.locator("#tip-room-place")).to_be_visible()
    page.keyboard.press("Tab")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("7 för en förstaplats")
    screenshot(page, "numbers-dashboard-tip")
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    # By a pointer.
    room.locator('[aria-describedby="tip-room-schulze"]').hover()
    expect(room.locator("#tip-room-schulze")).to_be_visible()
    page.mouse.move(0, 0)
    expect(room.locator("#tip-room-schulze")).to_be_hidden()
    expect(room.locator(".f-legend dt")).to_have_count(9)
    # The room's table fits its card on a laptop: no column hidden behind a scroll.
    for viewport in (DESKTOP, LAPTOP):
        page.set_viewport_size(viewport)
        region = room.locator(".scroll-x")
        sizes = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert sizes[0] <= sizes[1], (viewport, sizes)
    page.locator("details.dash-group summary").first.click()
    screenshot(page, "numbers-dashboard")


def test_the_results_pages_are_axe_clean(live_server, browser, site):
    base = live_server.url
    owner = revealed(site)
    # Injecting axe is an inline script: this context alone bypasses the CSP.
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="sv-SE")
    context.set_default_timeout(10_000)
    hold_phone_polls(context)
    page = context.new_page()
    as_participant(page, base, owner)
    page.goto(f"{base}/d/{site.discussion.pk}/results/")
    assert_no_blocking(page, "phone results, 390")
    page.set_viewport_size(SMALL_PHONE)
    assert_no_blocking(page, "phone results, 320")
    log_in(page, base)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/f/d/{site.discussion.pk}/")
    page.locator("details.dash-group summary").first.click()
    page.locator('[aria-describedby="tip-room-points"]').focus()
    assert_no_blocking(page, "dashboard, a tip shown")
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{base}/f/d/{site.discussion.pk}/projector/results/")
    assert_no_blocking(page, "projector results")
    page.goto(f"{base}/f/w/{site.workshop.pk}/export/report/")
    assert_no_blocking(page, "report")
    context.close()
