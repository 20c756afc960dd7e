"""Phones in a real browser: join, answer the questions step by step, lose the network, be late."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from discussions import timer
from discussions.models import (
    ActivityProposal,
    Discussion,
    Group,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
    Ranking,
    Workshop,
)
from recommendations.models import RecommendationSet
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

TITLES = {
    1: "Formulera gemensamma mål",
    2: "Knyt ihop Oslo och Stockholm",
    3: "Stärk den fria rörligheten",
    5: "Satsa på gemensamma",
    8: "Samarbeta kring statistik",
}


@pytest.fixture
def discussion(transactional_db):
    call_command("loaddata", "recommendations", verbosity=0)
    rec_set = RecommendationSet.objects.get()
    workshop = Workshop.objects.create(title="Värmland", recommendation_set=rec_set)
    discussion = Discussion.objects.create(
        workshop=workshop, title="Gruppdiskussion", recommendation_set=rec_set, join_code="VARM26"
    )
    for i in (1, 2):
        Group.objects.create(discussion=discussion, name=f"Bord {i}", position=i)
    discussion.set_clock(timer.start(discussion.clock, timezone.now()))
    discussion.save()
    return discussion


def join(page, base, group, code="varm26"):
    page.goto(base + "/")
    page.fill("#code", code)
    page.click("button[type=submit]")
    page.get_by_label(group).check()
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/d/\d+/$"))


def tap(page, number):
    """Tap a card to rank it, and wait for the ballot to show it."""
    before = page.locator(".ballot-item").count()
    page.locator(f'button.rec-card-button:has-text("{TITLES[number]}")').click()
    expect(page.locator(".ballot-item")).to_have_count(before + 1)


def ballot(participant):
    return list(
        Ranking.objects.filter(participant=participant)
        .order_by("position")
        .values_list("recommendation__number", flat=True)
    )


def next_step(page, path):
    """Press "Next" at the bottom of the screen and land on the step at `path`."""
    page.click("#step-next")
    page.wait_for_url(re.compile(rf"/d/\d+/{path}$"))


def test_four_phones_in_two_groups_answer_all_three_questions(live_server, phone, discussion):
    base = live_server.url
    plans = [
        ("Bord 1", [3, 2, 5], "Pendlingen är vardag här.", "Turism"),
        ("Bord 1", [2, 3], "Tåget knyter ihop oss.", None),
        ("Bord 2", [8, 1], "Statistiken saknas.", "Hälsa och vård"),
        ("Bord 2", [1], "Först ett mål.", None),
    ]
    pages = []
    for group, order, why, area in plans:
        page = phone()
        join(page, base, group)
        expect(page.locator(".step-count")).to_have_text("Fråga 1 av 4")
        for number in order:
            tap(page, number)
        next_step(page, "why/")
        expect(page.locator(".step-count")).to_have_text("Fråga 2 av 4")
        # The why is asked about the first choice, right after the ranking.
        expect(page.locator(".first-choice")).to_contain_text(TITLES[order[0]])
        page.fill("#why-text", why)
        page.click("text=Spara motiveringen")
        page.wait_for_selector("text=Sparat ✓")
        next_step(page, "area/")
        if area:
            page.fill("#area-text", area)
            page.click("text=Lägg till område")
            page.wait_for_selector(f'#areas-list .entry-text:has-text("{area}")')
        pages.append(page)

    # The second phone at Bord 1 sees Bord 1's area (by the poll, within ~5 s),
    # +1s it, and proposes an activity under recommendation 2.
    second = pages[1]
    second.wait_for_selector('#areas-list .entry-text:has-text("Turism")', timeout=12_000)
    assert second.locator("#areas-list").inner_text().count("Hälsa och vård") == 0
    second.locator('#areas-list .entry:has-text("Turism") button.plus').click()
    second.wait_for_selector('#areas-list button[aria-pressed="true"]')
    next_step(second, "activity/")
    second.select_option("#activity-rec", "2")
    second.fill("#activity-text", "En gemensam tågdag Karlstad–Oslo")
    second.click("text=Föreslå aktivitet")
    second.wait_for_selector('#activities-list .entry-text:has-text("tågdag")')
    next_step(second, "done/")
    summary = second.locator(".summary").inner_text()
    assert "Tåget knyter ihop oss." in summary
    assert "En gemensam tågdag Karlstad–Oslo" in summary

    # Time left shows and counts down locally.
    first_reading = pages[0].locator("[data-timer]").inner_text()
    assert re.fullmatch(r"\d+:\d\d", first_reading)
    expect(pages[0].locator("[data-timer]")).not_to_have_text(first_reading)
    screenshot(pages[0], "phone-running")

    # Everything stored exactly once.
    participants = list(Participant.objects.order_by("pk"))
    assert len(participants) == 4
    for participant, (group, order, why, _area) in zip(participants, plans, strict=True):
        assert participant.group.name == group
        assert ballot(participant) == order
        assert participant.why == why
    assert sorted(MissingArea.objects.values_list("text", flat=True)) == [
        "Hälsa och vård",
        "Turism",
    ]
    assert MissingAreaEndorsement.objects.get().participant == participants[1]
    activity = ActivityProposal.objects.get()
    assert (activity.recommendation.number, activity.author) == (2, participants[1])


def test_next_saves_what_was_typed_and_back_returns_to_any_step(live_server, phone, discussion):
    page = phone()
    join(page, live_server.url, "Bord 1")
    tap(page, 2)
    next_step(page, "why/")
    # Typed, not saved with its own button: "Next" saves it on the way.
    page.fill("#why-text", "Tåget först")
    next_step(page, "area/")
    page.fill("#area-text", "Kultur")
    next_step(page, "activity/")
    next_step(page, "done/")
    participant = Participant.objects.get()
    assert participant.why == "Tåget först"
    assert MissingArea.objects.get().text == "Kultur"
    assert not ActivityProposal.objects.exists()  # nothing typed, nothing added
    # The steps at the top lead back to any question while the clock runs.
    page.click(".steps a:has-text('Rangordna')")
    page.wait_for_url(re.compile(r"/d/\d+/$"))
    tap(page, 5)
    assert ballot(participant) == [2, 5]
    page.click(".steps a:has-text('Varför')")
    assert page.input_value("#why-text") == "Tåget först"
    # "Next" is on screen without scrolling, on every step.
    for path in ("why/", "area/", "activity/", ""):
        page.goto(live_server.url + f"/d/{discussion.pk}/{path}")
        assert page.locator("#step-next").is_visible()
        box = page.locator("#step-next").bounding_box()
        assert box["y"] + box["height"] <= page.viewport_size["height"]


def test_the_whole_phone_flow_without_javascript(live_server, phone, discussion):
    page = phone(java_script_enabled=False)
    join(page, live_server.url, "Bord 2")
    for number in (5, 1):
        page.locator(f'button.rec-card-button:has-text("{TITLES[number]}")').click()
        page.wait_for_load_state()
    # Move 1 up: a plain form post of the whole resulting ballot.
    page.locator("#up-1").click()
    next_step(page, "why/")
    page.fill("#why-text", "Utan JavaScript")
    page.click("text=Spara motiveringen")
    page.wait_for_url(re.compile(r"/why/$"))
    next_step(page, "area/")
    page.fill("#area-text", "Kultur")
    page.click("text=Lägg till område")
    page.wait_for_selector('#areas-list .entry-text:has-text("Kultur")')
    next_step(page, "activity/")
    page.select_option("#activity-rec", "5")
    page.fill("#activity-text", "Batterikluster")
    next_step(page, "done/")
    assert "Batterikluster" in page.locator(".summary").inner_text()
    screenshot(page, "phone-no-javascript")

    participant = Participant.objects.get()
    assert ballot(participant) == [1, 5]
    assert participant.why == "Utan JavaScript"
    assert MissingArea.objects.get().text == "Kultur"
    assert ActivityProposal.objects.get().recommendation.number == 5


def test_a_lost_connection_keeps_the_draft_and_saves_on_retry(live_server, phone, discussion):
    page = phone()
    join(page, live_server.url, "Bord 1")
    page.goto(live_server.url + f"/d/{discussion.pk}/area/")
    page.route("**/area/", lambda route: route.abort("internetdisconnected"))
    page.fill("#area-text", "Gränshandel")
    page.click("text=Lägg till område")
    # Said once, under the field that was typed in (the list has its own status
    # line, for its +1 buttons, which stays empty).
    status = page.locator("#areas .add-form .form-status")
    status.wait_for(state="visible")
    assert "ingen kontakt" in status.inner_text()
    assert page.locator("#areas .entries-form .form-status").inner_text() == ""
    assert page.input_value("#area-text") == "Gränshandel"
    assert not MissingArea.objects.exists()

    # Even a reload does not lose it: the draft is kept on the phone.
    page.unroute("**/area/")
    page.reload()
    assert page.input_value("#area-text") == "Gränshandel"

    page.click("text=Lägg till område")
    page.wait_for_selector('#areas-list .entry-text:has-text("Gränshandel")')
    assert page.input_value("#area-text") == ""
    assert MissingArea.objects.get().text == "Gränshandel"
    # Saved, so the draft is gone: a reload shows an empty field.
    page.reload()
    assert page.input_value("#area-text") == ""


def test_a_failed_save_leaves_no_earlier_saved_mark(live_server, phone, discussion):
    page = phone()
    join(page, live_server.url, "Bord 1")
    page.goto(live_server.url + f"/d/{discussion.pk}/why/")
    page.fill("#why-text", "Första")
    # A text box the participant resized carries a style attribute: the swap that
    # follows a save must not copy it (an inline style, refused by the CSP; the
    # `phone` fixture fails the test on any CSP violation).
    page.evaluate("document.getElementById('why-text').style.height = '9rem'")
    page.click("#why-save")
    expect(page.locator("#varfor .saved")).to_have_text("Sparat ✓")
    page.route("**/why/", lambda route: route.abort("internetdisconnected"))
    page.fill("#why-text", "Andra")
    page.click("#why-save")
    status = page.locator("#varfor .form-status")
    expect(status).to_contain_text("ingen kontakt")
    expect(page.locator("#varfor .saved")).to_have_count(0)
    assert Participant.objects.get().why == "Första"


def test_an_edit_lost_with_the_connection_comes_back(live_server, phone, discussion):
    page = phone()
    join(page, live_server.url, "Bord 1")
    page.goto(live_server.url + f"/d/{discussion.pk}/area/")
    page.fill("#area-text", "Turism")
    page.click("text=Lägg till område")
    page.wait_for_selector('#areas-list .entry-text:has-text("Turism")')
    page.click("#areas-list a:has-text('Ändra')")
    page.wait_for_url(re.compile(r"/edit/$"))
    page.route(
        "**/edit/",
        lambda route: (
            route.abort("internetdisconnected")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    page.fill("#edit-text", "Turism och kultur")
    page.click("button:has-text('Spara')")
    expect(page.locator(".form-status")).to_contain_text("ingen kontakt")
    assert page.input_value("#edit-text") == "Turism och kultur"
    # Away and back: the typed text is there again, over the saved one.
    page.go_back()
    page.wait_for_url(re.compile(r"/area/$"))
    page.click("#areas-list a:has-text('Ändra')")
    page.wait_for_url(re.compile(r"/edit/$"))
    assert page.input_value("#edit-text") == "Turism och kultur"
    page.unroute("**/edit/")
    page.click("button:has-text('Spara')")
    page.wait_for_url(re.compile(r"/area/$"))
    assert MissingArea.objects.get().text == "Turism och kultur"
    # Saved: the draft is gone, and the page shows what the server holds.
    page.click("#areas-list a:has-text('Ändra')")
    assert page.input_value("#edit-text") == "Turism och kultur"


def test_when_the_phones_clock_runs_out_its_forms_close(live_server, phone, discussion):
    # Three seconds left.
    now = timezone.now()
    Discussion.objects.filter(pk=discussion.pk).update(
        started_at=now - timedelta(seconds=discussion.duration_seconds - 3)
    )
    page = phone()
    join(page, live_server.url, "Bord 1")
    page.goto(live_server.url + f"/d/{discussion.pk}/area/")
    page.fill("#area-text", "Skrivet i sista stund")
    expect(page.locator(".timer-label")).to_contain_text("Tiden är ute", timeout=8_000)
    expect(page.locator("#closed-notice")).to_be_visible()
    # Read-only, the text still there to copy; no new press reaches the server.
    assert page.locator("#area-text").evaluate("el => el.readOnly")
    assert page.input_value("#area-text") == "Skrivet i sista stund"
    expect(page.locator("#area-add")).to_be_disabled()
    # "Next" still leads on, without saving.
    next_step(page, "activity/")
    assert not MissingArea.objects.exists()
    screenshot(page, "phone-own-clock-ended")


def test_a_late_phone_is_refused_and_keeps_its_text(live_server, phone, discussion):
    page = phone()
    join(page, live_server.url, "Bord 1")
    page.goto(live_server.url + f"/d/{discussion.pk}/area/")
    page.fill("#area-text", "Sent förslag")
    now = timezone.now()
    Discussion.objects.filter(pk=discussion.pk).update(
        started_at=now - timedelta(minutes=5), ended_at=now - timedelta(minutes=1)
    )
    page.click("text=Lägg till område")
    page.wait_for_selector("#areas .unsaved")
    assert "Tiden är ute" in page.locator("#areas").inner_text()
    assert page.locator("#areas .unsaved textarea").input_value() == "Sent förslag"
    expect(page.locator(".timer-label")).to_contain_text("Tiden är ute")
    screenshot(page, "phone-late")
    assert not MissingArea.objects.exists()
    # The reload to the read-only page (the poll's) keeps it, until dismissed.
    page.reload()
    kept = page.locator(f'[data-unsaved$="area-{discussion.pk}"]')
    expect(kept).to_be_visible()
    assert kept.locator("textarea").input_value() == "Sent förslag"
    page.goto(live_server.url + f"/d/{discussion.pk}/done/")
    expect(kept).to_be_visible()
    kept.locator("button:has-text('Stäng')").click()
    expect(kept).to_be_hidden()
    page.reload()
    expect(kept).to_be_hidden()


def test_the_phone_says_when_results_are_revealed(live_server, phone, discussion):
    page = phone()
    join(page, live_server.url, "Bord 1")
    tap(page, 3)
    next_step(page, "why/")
    assert page.locator("#results-notice").count() == 0
    Discussion.objects.filter(pk=discussion.pk).update(
        results_revealed=True, revision=discussion.revision + 100
    )
    # The next poll reloads the page: a status message at the top, one tap away.
    notice = page.locator("#results-notice")
    expect(notice).to_be_visible(timeout=12_000)
    assert notice.get_attribute("role") == "status"
    assert notice.bounding_box()["y"] < page.viewport_size["height"]
    expect(page.locator("#announce")).to_have_text("Facilitatorn har visat resultaten.")
    screenshot(page, "phone-results-revealed")
    page.click("#results-link")
    page.wait_for_url(re.compile(r"/results/$"))
    expect(page.locator(".phone-results")).to_contain_text(TITLES[3])
    screenshot(page, "phone-results")
