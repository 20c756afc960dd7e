"""Issue 24 in a browser: an invitation on the invitee's list, answered with the
keyboard; leaving a workshop; what a phone that mistyped too often and a password
guesser are told. Screenshots at a phone's size and at 320 px."""

import re

import pytest
from playwright.sync_api import expect

from discussions.models import Invitation, Workshop
from tests.base import PASSWORD, make_user
from tests.browser.conftest import LAPTOP, PHONE, log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

NARROW = {"width": 320, "height": 640}


def test_accept_an_invitation_with_the_keyboard_then_leave(live_server, phone, site):
    base = live_server.url
    colleague = make_user("kollega")
    theirs = Workshop.objects.create(
        title="Gränsdialog i Arvika",
        place="Arvika",
        recommendation_set=site.workshop.recommendation_set,
    )
    theirs.members.add(colleague)
    Invitation.objects.create(workshop=theirs, invitee=site.user, invited_by=colleague)

    page = phone(viewport=PHONE)
    log_in(page, base)
    invitations = page.get_by_role("region", name="Inbjudningar")
    expect(invitations).to_contain_text("Gränsdialog i Arvika")
    expect(invitations).to_contain_text("Inbjuden av kollega")
    screenshot(page, "invitation-phone")
    page.set_viewport_size(NARROW)
    screenshot(page, "invitation-320")
    page.set_viewport_size(PHONE)

    accept = invitations.get_by_role("button", name="Gå med")
    accept.focus()
    expect(accept).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/f/w/{theirs.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gränsdialog i Arvika")
    assert theirs.members.filter(pk=site.user.pk).exists()
    assert not Invitation.objects.exists()

    page.get_by_role("link", name="Lämna workshoppen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lämna workshoppen?")
    screenshot(page, "leave-phone")
    page.get_by_role("button", name="Lämna workshoppen").click()
    page.wait_for_url(re.compile(r"/f/$"))
    assert not theirs.members.filter(pk=site.user.pk).exists()


def test_invite_answers_the_same_for_any_name(live_server, phone, site):
    page = phone(viewport=LAPTOP)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/f/w/{site.workshop.pk}/")
    page.fill("#id_username", "finns-inte")
    page.get_by_role("button", name="Bjud in").click()
    expect(page.get_by_role("status")).to_contain_text("Om det finns ett konto")
    screenshot(page, "invitation-sent-laptop")
    page.set_viewport_size(NARROW)
    screenshot(page, "invitation-sent-320")


def test_a_phone_that_mistyped_too_often_is_told_so(live_server, phone, site, settings):
    settings.JOIN_FAILURE_LIMIT = 2
    page = phone(viewport=NARROW)
    for code in ("AAAAAA", "BBBBBB", "CCCCCC"):
        page.goto(f"{live_server.url}/j/{code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("För många felaktiga koder")
    expect(page.locator("main")).to_contain_text("Den här telefonen har skickat för många")
    screenshot(page, "join-too-many-320")


def test_a_password_guesser_is_told_how_long_to_wait(live_server, phone, site):
    page = phone(viewport=NARROW)
    page.goto(f"{live_server.url}/konto/logga-in/")
    for i in range(4):  # three go free; the fourth comes within the 2 s wait
        page.fill("#id_username", "facilitator")
        page.fill("#id_password", f"{PASSWORD} {i}")
        page.press("#id_password", "Enter")
        page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("För många misslyckade inloggningar")
    expect(page.locator("main")).to_contain_text(re.compile(r"Vänta [12] sekund"))
    screenshot(page, "login-wait-320")
    page.get_by_role("link", name="Tillbaka till inloggningen").click()
    expect(page.locator("#id_username")).to_be_visible()
