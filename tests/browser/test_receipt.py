"""A phone's receipt in a real browser: after the reveal, its own places beside its
table's and the room's, and what became of what it wrote (one entry merged into
another's, one hidden by the facilitator), in Swedish and Norwegian, readable at
320 px without scrolling sideways.

The places (the points, as tests/test_receipt.py counts them by hand): the phone
ranks 3 then 1 (the six it leaves share the 15 points left over, 2.5 each); Bord 1's
other ballot is 1 2 4 5 6 7 8 3 and Bord 2's three are 1 2 4 5 3 6 7 8. Then 3 has
7 + 0 + 3 × 3 = 16 points, behind 1 (34), 2 (26.5), 4 (22.5) and 5 (18.5): the
room's fifth. At Bord 1, 3 has 7 behind 1 (13), 2 (8.5) and 4 (7.5): its fourth.
"""

import re

import pytest
from django.db.models import F
from playwright.sync_api import expect

from discussions import facilitator_writes
from discussions.models import ActivityProposal, Discussion, MissingArea
from tests.base import add_area, add_participant
from tests.browser.conftest import ARTIFACTS, hold_phone_polls, screenshot, set_clock

pytestmark = pytest.mark.django_db(transaction=True)

SMALL = {"width": 320, "height": 640}


def card(page, number):
    return page.locator(".rec-card-button").filter(has_text=re.compile(rf"^\s*Rek\. {number}\b"))


def test_the_receipt_tells_a_merged_and_a_hidden_entry(live_server, phone, site):
    base, discussion = live_server.url, site.discussion
    d = discussion.pk
    page = phone()
    hold_phone_polls(page)  # the test reloads the pages itself
    page.goto(f"{base}/j/{discussion.join_code}/")
    page.get_by_label("Bord 1").check()
    page.get_by_role("button", name="Gå med").click()
    page.wait_for_url(f"{base}/d/{d}/")
    set_clock(discussion, "running", left=600)
    page.reload()
    for i, number in enumerate((3, 1), start=1):
        card(page, number).click()
        expect(page.locator(".ballot-item")).to_have_count(i)
    page.goto(f"{base}/d/{d}/area/")
    for text in ("Fler cykelvägar", "Tågen borde gå oftare"):
        page.fill("#area-text", text)
        page.get_by_role("button", name="Lägg till område").click()
        expect(page.locator("#areas-list .entry-mine").filter(has_text=text)).to_be_visible()
    page.goto(f"{base}/d/{d}/activity/")
    page.select_option("#activity-rec", "2")
    page.fill("#activity-text", "Något olämpligt")
    page.get_by_role("button", name="Föreslå aktivitet").click()
    expect(page.locator("#activities-list .entry-mine")).to_be_visible()

    table1, table2 = site.groups
    neighbour = add_participant(discussion, table1, (1, 2, 4, 5, 6, 7, 8, 3))
    for _ in range(3):
        add_participant(discussion, table2, (1, 2, 4, 5, 3, 6, 7, 8))
    target = add_area(neighbour, "Tåg till Oslo varje timme")
    # The facilitator merges one of the phone's areas into the neighbour's, and hides
    # its activity.
    duplicate = MissingArea.objects.get(text="Tågen borde gå oftare")
    facilitator_writes.merge(MissingArea, d, duplicate.pk, target.pk)
    activity = ActivityProposal.objects.get(text="Något olämpligt")
    facilitator_writes.set_hidden(ActivityProposal, d, activity.pk, True)

    # On the step page where it was written, the author is told; nothing to press.
    page.goto(f"{base}/d/{d}/activity/")
    hidden_row = page.locator("#activities-list .entry-fate")
    expect(hidden_row).to_contain_text("Något olämpligt")
    expect(hidden_row).to_contain_text("Facilitatorn dolde det här. Bara du ser det.")
    expect(hidden_row.get_by_role("button")).to_have_count(0)
    screenshot(page, "receipt-step-hidden")

    # And on the summary, under what the phone saved.
    page.goto(f"{base}/d/{d}/done/")
    summary = page.locator(".summary-list li")
    expect(summary.filter(has_text="Något olämpligt")).to_contain_text(
        "Facilitatorn dolde det här. Bara du ser det."
    )
    expect(summary.filter(has_text="Tågen borde gå oftare").locator("blockquote")).to_have_text(
        "Tåg till Oslo varje timme"
    )
    expect(summary.filter(has_text="Fler cykelvägar").locator(".fate")).to_have_count(0)
    screenshot(page, "receipt-summary")

    # Before the reveal the results page shows none of it.
    page.goto(f"{base}/d/{d}/results/")
    expect(page.locator(".receipt")).to_have_count(0)

    Discussion.objects.filter(pk=d).update(results_revealed=True, revision=F("revision") + 1)
    page.goto(f"{base}/d/{d}/")
    page.click("#results-link")
    page.wait_for_url(re.compile(r"/results/$"))
    receipt = page.locator(".receipt")
    expect(receipt).to_contain_text("Ditt förstahandsval: Rek. 3")
    expect(receipt).to_contain_text("Er grupp satte det på plats 4 av 8.")
    expect(receipt).to_contain_text("Alla grupper tillsammans satte det på plats 5 av 8.")
    expect(receipt).to_contain_text("Alla gruppers förstaval är Rek. 1. Du satte det på plats 2.")
    first = receipt.locator("tbody").first
    expect(first).to_have_class("receipt-mine-first")
    expect(first.locator("th")).to_contain_text("Stärk den fria rörligheten")
    expect(first.locator("td")).to_have_text(["1", "4", "5"])
    merged = receipt.locator(".receipt-merged")
    expect(merged).to_contain_text("Tågen borde gå oftare")
    expect(merged).to_contain_text("Facilitatorn slog ihop det med ett liknande förslag:")
    expect(merged.locator("blockquote")).to_have_text("Tåg till Oslo varje timme")
    hidden = receipt.locator(".receipt-hidden")
    expect(hidden).to_contain_text("Något olämpligt")
    expect(hidden).to_contain_text("Facilitatorn dolde det här. Bara du ser det.")
    expect(receipt.locator(".receipt-shown")).to_contain_text("Fler cykelvägar")

    def fits(name):
        """No sideways scrolling, at a phone's size and at 320 px."""
        for size, viewport in (("390", {"width": 390, "height": 844}), ("320", SMALL)):
            page.set_viewport_size(viewport)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= viewport["width"], (name, size, width)
            screenshot(page, f"receipt-{name}-{size}")
            ARTIFACTS.mkdir(exist_ok=True)
            receipt.screenshot(path=str(ARTIFACTS / f"receipt-{name}-{size}-part.png"))
        page.set_viewport_size({"width": 390, "height": 844})

    fits("sv")
    for language, hidden_text, merged_text in (
        ("nb", "Fasilitatoren skjulte dette. Bare du ser det.", "Fasilitatoren slo det sammen"),
        ("en", "The facilitator hid this. Only you can see it.", "The facilitator merged it"),
    ):
        page.select_option("#language-choice", language)
        page.locator(".language-form button").click()
        page.wait_for_url(re.compile(r"/results/$"))
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(receipt.locator(".receipt-hidden")).to_contain_text(hidden_text)
        expect(receipt.locator(".receipt-merged")).to_contain_text(merged_text)
        expect(receipt.locator(".receipt-merged blockquote")).to_have_text(
            "Tåg till Oslo varje timme"
        )
        fits(language)
