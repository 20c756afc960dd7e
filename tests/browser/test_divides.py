"""Issue 25 on the screens: two tables that see it the other way round. The dashboard
flags the table in words, shows a contested recommendation with its bars and says
that places are too close to call; the projector says the same sentence, readable
from the back row and on the screen; axe clean; screenshots to look at.

Bord 1: six ballots 1..8; Bord 2: four ballots 8..1. Rec k earns 6 × (8 − k) +
4 × (k − 1) = 44 − 2k points: the room orders 1..8 as Bord 1, Bord 2 is its reverse
(every pair the other way round). Rec 1 gets six first places and four last ones:
contested. Drawn again, ten ballots six to four often come out the other way: no
place is sure, and the sentence says so ("too close to call").
"""

import re

import pytest
from playwright.sync_api import expect

from discussions.models import Discussion
from tests.base import add_participant
from tests.browser.conftest import (
    BLOCKING_IMPACTS,
    PROJECTOR,
    hold_phone_polls,
    log_in,
    run_axe,
    screenshot,
    set_clock,
)

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1440, "height": 900}
SMALL_PROJECTOR = {"width": 1280, "height": 720}
FORWARD = [1, 2, 3, 4, 5, 6, 7, 8]
CLOSE = re.compile(r"^Ingen plats är säker: rangordningen är för jämn för att avgöra\.$")


def disagreeing(site):
    d = site.discussion
    for _ in range(6):
        add_participant(d, site.groups[0], FORWARD)
    for _ in range(4):
        add_participant(d, site.groups[1], FORWARD[::-1])
    set_clock(d, "ended")
    Discussion.objects.filter(pk=d.pk).update(results_revealed=True)


def test_the_dashboard_flags_the_table_the_contested_and_the_close(live_server, phone, site):
    base = live_server.url
    disagreeing(site)
    title = site.discussion.recommendation_set.recommendations.get(number=8).title
    page = phone(viewport=DESKTOP)
    log_in(page, base)
    page.goto(f"{base}/f/d/{site.discussion.pk}/")
    flags = page.locator("#dash-divides .f-flag")
    expect(flags).to_have_count(1)
    expect(flags.first).to_contain_text(
        f"Bord 2 sätter rek. 8 ”{title}” först; rummet sätter den på plats 8."
    )
    expect(flags.first).to_contain_text("ordnar gruppen 100 % tvärtom mot rummet")
    contested = page.locator("#dash-contested tr.f-flagged")
    expect(contested.first).to_contain_text("Rek. 1")
    expect(contested.first.locator(".f-split-words")).to_have_text(
        "Delad: 6 satte den bland de 2 första platserna, 4 bland de 2 sista."
    )
    expect(contested.first.locator("svg.f-dist rect")).to_have_count(8)
    expect(page.locator("#dash-certainty .f-certainty")).to_have_text(CLOSE)
    # Each measure explains itself on focus.
    tip = page.locator("#tip-div-consensus")
    expect(tip).to_be_hidden()
    page.locator('[aria-describedby="tip-div-consensus"]').focus()
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("1 när alla gav den samma plats")
    page.locator("#dash-divides").scroll_into_view_if_needed()
    page.screenshot(path=_shot("divides-dashboard-1440x900-screen"))
    page.keyboard.press("Escape")
    for section in ("dash-divides", "dash-contested", "dash-certainty"):
        page.locator(f"#{section}").screenshot(path=_shot(f"divides-{section}-1440"))
    screenshot(page, "divides-dashboard-1440x900")
    # A facilitator checking on a phone: the sections fit its width, the wide
    # tables scroll inside their own region.
    page.set_viewport_size({"width": 390, "height": 844})
    for section in ("dash-divides", "dash-contested", "dash-certainty"):
        box = page.locator(f"#{section}").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (section, box)
        page.locator(f"#{section}").screenshot(path=_shot(f"divides-{section}-390"))


def test_the_words_in_english_and_norwegian(live_server, phone, site):
    base = live_server.url
    disagreeing(site)
    for locale, flag, close in (
        ("en-GB", "first; the room puts it in place 8.", "the ranking is too close to call."),
        ("nb-NO", "først; rommet setter den på plass 8.", "rangeringen er for jevn til å avgjøre."),
    ):
        page = phone(viewport=DESKTOP, locale=locale)
        log_in(page, base)
        page.goto(f"{base}/f/d/{site.discussion.pk}/")
        expect(page.locator("#dash-divides .f-flag").first).to_contain_text(flag)
        expect(page.locator("#dash-certainty .f-certainty")).to_contain_text(close)
        page.goto(f"{base}/f/d/{site.discussion.pk}/projector/results/")
        expect(page.locator(".pr-certainty")).to_contain_text(close)


def test_the_projector_says_it_for_the_back_row(live_server, phone, site):
    base = live_server.url
    disagreeing(site)
    page = phone(viewport=PROJECTOR)
    log_in(page, base)
    for name, viewport in (("1920x1080", PROJECTOR), ("1280x720", SMALL_PROJECTOR)):
        page.set_viewport_size(viewport)
        page.goto(f"{base}/f/d/{site.discussion.pk}/projector/results/")
        sentence = page.locator(".pr-certainty")
        expect(sentence).to_have_text(CLOSE)
        box = sentence.bounding_box()
        # On the screen, not covered, under the whole list, and large.
        assert box["y"] + box["height"] <= viewport["height"], (name, box)
        on_top = page.evaluate(
            "([x, y]) => !!document.elementFromPoint(x, y)?.closest('.pr-certainty')",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert on_top, name
        last = page.locator(".pr-row").last.bounding_box()
        assert last["y"] + last["height"] <= box["y"], (name, last, box)
        size = sentence.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 0.035 * viewport["height"], (name, size)
        page.screenshot(path=_shot(f"divides-projector-{name}"))


def test_the_sections_are_axe_clean(live_server, browser, site):
    base = live_server.url
    disagreeing(site)
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="sv-SE")
    context.set_default_timeout(10_000)
    hold_phone_polls(context)
    page = context.new_page()
    log_in(page, base)
    for label, path, viewport in (
        ("dashboard", f"/f/d/{site.discussion.pk}/", DESKTOP),
        ("projector results", f"/f/d/{site.discussion.pk}/projector/results/", PROJECTOR),
        ("report", f"/f/w/{site.workshop.pk}/export/report/", DESKTOP),
    ):
        page.set_viewport_size(viewport)
        page.goto(base + path)
        if label == "dashboard":
            page.locator('[aria-describedby="tip-div-distance"]').focus()
        blocking = [
            f"{label}: {v['id']} – {v['help']}: " + ", ".join(n["target"] for n in v["nodes"])
            for v in run_axe(page)
            if v["impact"] in BLOCKING_IMPACTS
        ]
        assert not blocking, "\n".join(blocking)
    context.close()


def _shot(name):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")
