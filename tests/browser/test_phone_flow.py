"""Phones in a real browser: join, answer all three questions, lose the network, be late."""

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
        for number in order:
            tap(page, number)
        page.fill("#why-text", why)
        page.click("text=Spara motiveringen")
        page.wait_for_selector("text=Sparat ✓")
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
    second.select_option("#activity-rec", "2")
    second.fill("#activity-text", "En gemensam tågdag Karlstad–Oslo")
    second.click("text=Föreslå aktivitet")
    second.wait_for_selector('#activities-list .entry-text:has-text("tågdag")')

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


def test_the_whole_phone_flow_without_javascript(live_server, phone, discussion):
    page = phone(java_script_enabled=False)
    join(page, live_server.url, "Bord 2")
    for number in (5, 1):
        page.locator(f'button.rec-card-button:has-text("{TITLES[number]}")').click()
        page.wait_for_load_state()
    # Move 1 up: a plain form post of the whole resulting ballot.
    page.locator('button[aria-label="Flytta rekommendation 1 upp"]').click()
    page.fill("#why-text", "Utan JavaScript")
    page.click("text=Spara motiveringen")
    page.fill("#area-text", "Kultur")
    page.click("text=Lägg till område")
    page.select_option("#activity-rec", "5")
    page.fill("#activity-text", "Batterikluster")
    page.click("text=Föreslå aktivitet")
    assert "Batterikluster" in page.locator("#activities-list").inner_text()
    screenshot(page, "phone-no-javascript")

    participant = Participant.objects.get()
    assert ballot(participant) == [1, 5]
    assert participant.why == "Utan JavaScript"
    assert MissingArea.objects.get().text == "Kultur"
    assert ActivityProposal.objects.get().recommendation.number == 5


def test_a_lost_connection_keeps_the_draft_and_saves_on_retry(live_server, phone, discussion):
    page = phone()
    join(page, live_server.url, "Bord 1")
    page.route("**/area/", lambda route: route.abort("internetdisconnected"))
    page.fill("#area-text", "Gränshandel")
    page.click("text=Lägg till område")
    # Said once, under the field that was typed in (the list above has its own
    # status line, for its +1 buttons, which stays empty).
    status = page.locator("#areas .add-form .form-status")
    status.wait_for(state="visible")
    assert "ingen kontakt" in status.inner_text()
    assert page.locator("#areas .entries-form .form-status").inner_text() == ""
    assert page.input_value("#area-text") == "Gränshandel"
    assert not MissingArea.objects.exists()

    # Even a reload does not lose it: the draft is kept on the phone.
    page.reload()
    assert page.input_value("#area-text") == "Gränshandel"

    page.unroute("**/area/")
    page.click("text=Lägg till område")
    page.wait_for_selector('#areas-list .entry-text:has-text("Gränshandel")')
    assert page.input_value("#area-text") == ""
    assert MissingArea.objects.get().text == "Gränshandel"
    # Saved, so the draft is gone: a reload shows an empty field.
    page.reload()
    assert page.input_value("#area-text") == ""


def test_a_late_phone_is_refused_and_keeps_its_text(live_server, phone, discussion):
    page = phone()
    join(page, live_server.url, "Bord 1")
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
