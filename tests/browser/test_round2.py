"""A second round in Chromium: the facilitator opens it on the dashboard, a phone
starts from its round-1 ballot and changes it, and the projector shows what moved.
axe finds nothing serious on the changed pages; the phone speaks sv, nb and en.
Screenshots in test-artifacts/round2-*.png, to look at.

The hand count (eight recommendations: 7 points for a first place, 6 for a second,
5 for a third; the unranked share what is left equally):

  Anna (Bord 1) and Bo (Bord 2) rank 1, 3, 2 in both rounds. The phone (Bord 1)
  ranks 2, 3 in round 1: #2 7, #3 6, the other six 2.5 each.
  Round 1: #3 6 + 6 + 6 = 18, #2 5 + 5 + 7 = 17, #1 7 + 7 + 2.5 = 16.5.
  Round 2, the phone adds #1 in third place (5 points): #1 19, #3 18, #2 17.
  So #1 climbs from 3rd to 1st: ▲ +2 on the projector.
"""

import re

import pytest
from playwright.sync_api import expect

from discussions.models import Discussion, FirstRoundRanking
from tests.base import add_participant
from tests.browser.conftest import (
    ARTIFACTS,
    BLOCKING_IMPACTS,
    PHONE,
    PROJECTOR,
    log_in,
    run_axe,
    screenshot,
    set_clock,
    write_artifact,
)

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1440, "height": 900}


def card(page, number):
    return page.locator(".rec-card-button").filter(has_text=re.compile(rf"^\s*Rek\. {number}\b"))


def test_a_second_round_moves_a_recommendation_and_the_projector_shows_it(
    live_server, browser, phone, site
):
    base = live_server.url
    d = site.discussion
    bord1, bord2 = site.groups
    set_clock(d, "running", left=600)
    add_participant(d, bord1, (1, 3, 2), name="Anna")
    add_participant(d, bord2, (1, 3, 2), name="Bo")

    # Round 1 on the phone: 2, then 3.
    mine = phone()
    mine.goto(f"{base}/j/{d.join_code}/")
    mine.get_by_label("Bord 1").check()
    mine.get_by_role("button", name="Gå med").click()
    mine.wait_for_url(f"{base}/d/{d.pk}/")
    for i, number in enumerate((2, 3), start=1):
        card(mine, number).click()
        expect(mine.locator(".ballot-item")).to_have_count(i)
    set_clock(d, "ended")

    # The facilitator opens round 2 on the dashboard, with five minutes.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="sv-SE")
    context.set_default_timeout(10_000)
    board = context.new_page()
    log_in(board, base)
    board.goto(f"{base}/f/d/{d.pk}/")
    board.fill("#round-minutes", "5")
    board.locator("#open-round-2").click()
    expect(board.locator("#round-status")).to_contain_text("Runda 2")
    assert FirstRoundRanking.objects.filter(participant__discussion=d).count() == 8
    assert Discussion.objects.get(pk=d.pk).duration_seconds == 300

    # The phone starts from its round-1 ballot, says it is round 2, and changes it.
    mine.goto(f"{base}/d/{d.pk}/")
    expect(mine.locator("#round-notice")).to_contain_text("Runda 2")
    expect(mine.locator(".ballot-item")).to_have_count(2)
    card(mine, 1).click()
    expect(mine.locator(".ballot-item")).to_have_count(3)
    # What the phone shows first, at 390 and at 320 wide: the notice, then the ballot.
    ARTIFACTS.mkdir(exist_ok=True)
    for name, size in (("390", PHONE), ("320", {"width": 320, "height": 700})):
        mine.set_viewport_size(size)
        mine.evaluate("() => window.scrollTo({top: 0, behavior: 'instant'})")
        mine.wait_for_timeout(200)  # let a redraw settle before the picture
        mine.screenshot(path=str(ARTIFACTS / f"round2-phone-{name}.png"))
    mine.set_viewport_size(PHONE)

    # The dashboard shows what moved, in words.
    board.goto(f"{base}/f/d/{d.pk}/")
    movement = board.locator("#dash-movement")
    expect(movement).to_contain_text("upp 2 platser sedan runda 1")
    board.locator("#reveal-toggle").click()
    expect(board.locator("#reveal-toggle")).to_have_text("Dölj resultaten")
    movement.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)  # the viewport: the movement where the eye is
    board.screenshot(path=str(ARTIFACTS / "round2-dashboard.png"))
    found = {"dashboard, round 2": run_axe(board)}

    # The projector's timer says it is round 2, for the room.
    board.set_viewport_size(PROJECTOR)
    board.goto(f"{base}/f/d/{d.pk}/projector/")
    expect(board.locator(".pj-round")).to_contain_text("Runda 2")
    screenshot(board, "round2-projector-timer")
    found["projector, round 2"] = run_axe(board)

    # The projector: #1 first, with ▲ +2 beside it and words for a screen reader.
    board.set_viewport_size(PROJECTOR)
    board.goto(f"{base}/f/d/{d.pk}/projector/results/")
    first = board.locator(".pr-row").first
    expect(first).to_contain_text("Rek. 1")
    expect(first.locator(".pr-move.pr-up")).to_contain_text("▲ +2")
    expect(first.locator(".pr-move .visually-hidden")).to_have_text("upp 2 platser sedan runda 1")
    expect(board.locator(".pr-row").nth(2).locator(".pr-move.pr-down")).to_contain_text("▼ −1")
    box = first.locator(".pr-move").bounding_box()
    assert box is not None and box["height"] >= 28, box  # big enough for the back row
    screenshot(board, "round2-projector")
    found["results projector, round 2"] = run_axe(board)
    board.set_viewport_size(DESKTOP)
    board.goto(f"{base}/f/w/{site.workshop.pk}/export/report/")
    expect(board.locator("body")).to_contain_text("Vad som flyttade mellan runda 1 och runda 2")
    found["report, round 2"] = run_axe(board)

    # The phone's page, checked by axe too (a context that may inject it).
    cookies = mine.context.cookies()
    context.add_cookies([c for c in cookies if c["name"].startswith("gf_p")])
    board.set_viewport_size(PHONE)
    board.goto(f"{base}/d/{d.pk}/")
    found["phone, round 2"] = run_axe(board)
    context.close()

    write_artifact("axe-round2.json", found)
    blocking = [
        f"{label}: {v['id']} {[n['target'] for n in v['nodes']]}"
        for label, violations in found.items()
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, "\n".join(blocking)


@pytest.mark.parametrize(
    ("locale", "words"), [("sv-SE", "Runda 2."), ("nb-NO", "Runde 2."), ("en-GB", "Round 2.")]
)
def test_the_phone_says_round_two_in_its_language(live_server, phone, site, locale, words):
    base = live_server.url
    d = site.discussion
    set_clock(d, "running", left=600)
    page = phone(locale=locale)
    page.goto(f"{base}/j/{d.join_code}/")
    page.locator("input[name=group]").first.check()
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(f"{base}/d/{d.pk}/")
    set_clock(d, "ended")
    from discussions import rounds

    rounds.open_second_round(d.pk)
    page.goto(f"{base}/d/{d.pk}/")
    expect(page.locator("#round-notice strong")).to_have_text(words)
