"""A Norwegian phone from the QR code onward: bokmål on the join page and after it,
the language switch at the top of the join page, by touch and by keyboard."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    BLOCKING_IMPACTS,
    PHONE,
    run_axe,
    screenshot,
    set_clock,
    write_artifact,
)

pytestmark = pytest.mark.django_db(transaction=True)

NARROW = {"width": 320, "height": 640}
QUESTION = {
    "nb": "Hvilken gruppe (hvilket bord) sitter du ved?",
    "sv": "Vilken grupp (vilket bord) sitter du vid?",
}


def test_a_norwegian_phone_reads_bokmal_from_the_qr_code_on(live_server, phone, site):
    base = live_server.url
    d = site.discussion
    set_clock(d, "running", left=15 * 60)
    page = phone(locale="nb-NO")  # Accept-Language: nb-NO, no cookie of any kind

    page.goto(f"{base}/j/{d.join_code}/")  # the QR code's link
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.locator("legend")).to_have_text(QUESTION["nb"])
    switch = page.get_by_role("form", name="Språk")
    expect(switch.locator("[aria-pressed=true]")).to_have_text("Norsk bokmål")
    screenshot(page, "nb-join")
    page.set_viewport_size(NARROW)
    screenshot(page, "nb-join-320")
    page.set_viewport_size(PHONE)

    page.get_by_label("Bord 1").check()
    page.get_by_role("button", name="Bli med").click()
    page.wait_for_url(f"{base}/d/{d.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.locator(".site-footer button")).to_have_text("Bytt språk")
    screenshot(page, "nb-phone-after-joining")
    # And on every later load of the phone's page.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "nb")


def test_the_switch_at_the_top_of_the_join_page(live_server, phone, site):
    base = live_server.url
    d = site.discussion
    set_clock(d, "running", left=15 * 60)
    page = phone(locale="nb-NO")
    page.goto(f"{base}/j/{d.join_code}/")
    # By keyboard: the first stop after the site's name is the switch's first language.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Svenska")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/j/{d.join_code}/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("legend")).to_have_text(QUESTION["sv"])
    expect(page.get_by_role("button", name="Svenska")).to_have_attribute("aria-pressed", "true")

    # The pick outlives the page: joining, the phone's page is Swedish too.
    page.get_by_label("Bord 2").check()
    page.get_by_role("button", name="Gå med").click()
    page.wait_for_url(f"{base}/d/{d.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    # A tap on another phone: English.
    other = phone(locale="nb-NO")
    other.goto(f"{base}/j/{d.join_code}/")
    other.get_by_role("button", name="English").click()
    expect(other.locator("legend")).to_have_text("Which group (table) are you sitting at?")


@pytest.mark.parametrize("viewport", [PHONE, NARROW], ids=["390", "320"])
def test_the_join_page_with_its_switch_is_axe_clean(live_server, browser, site, viewport):
    # Injecting axe is an inline script: this context alone bypasses the CSP.
    context = browser.new_context(viewport=viewport, bypass_csp=True, locale="nb-NO")
    page = context.new_page()
    try:
        for name, path in [("join", f"/j/{site.discussion.join_code}/"), ("home", "/")]:
            page.goto(live_server.url + path)
            expect(page.locator(".language-switch")).to_be_visible()
            violations = run_axe(page)
            write_artifact(f"axe-nb-{name}-{viewport['width']}.json", violations)
            blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
            assert blocking == [], (path, blocking)
            # Nothing wider than the screen.
            assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    finally:
        context.close()
