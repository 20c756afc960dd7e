"""The phone, the projector and the dashboard in each language, as artefacts to look at.

test-artifacts/<language>-<screen>.png: the phone at 390×844, the projector and its
results view at 1920×1080, the dashboard at 1366×768 (full pages). The language comes
from the chooser's cookie, as when a person picks it. Each page must be in that
language: its <html lang>, and a string of the interface in its translation (the
Swedish one until the catalogue has it).
"""

import re

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from discussions.models import Discussion
from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, log_in, screenshot, set_clock

pytestmark = pytest.mark.django_db(transaction=True)

LOCALES = {"sv": "sv-SE", "nb": "nb-NO", "en": "en-GB"}


def translated(language, text):
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize("language", list(LOCALES))
def test_the_main_screens_in_every_language(live_server, phone, site, language):
    base = live_server.url
    d = site.discussion
    call_command("crowd", str(d.pk), participants=40, seed=11, verbosity=0)
    set_clock(d, "running", left=14 * 60 + 32)

    def person(viewport):
        page = phone(viewport=viewport, locale=LOCALES[language])
        page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        return page

    mobile = person(PHONE)
    mobile.goto(f"{base}/j/{d.join_code}/")
    expect(mobile.locator("html")).to_have_attribute("lang", language)
    mobile.locator("input[name=group]").first.check()
    mobile.locator("form.card button[type=submit]").click()
    mobile.wait_for_url(re.compile(r"/d/\d+/$"))
    for i, number in enumerate((3, 8, 1), start=1):
        mobile.locator(f"#card-{number}").click()
        expect(mobile.locator(".ballot-item")).to_have_count(i)
    expect(mobile.locator("#ranking h3").first).to_have_text(
        translated(language, "Din rangordning")
    )
    screenshot(mobile, f"{language}-phone")
    mobile.locator("#step-next").click()
    mobile.wait_for_url(re.compile(r"/why/$"))
    mobile.fill("#why-text", "Pendlingen är vardag för oss.")
    mobile.locator("#why-save").click()
    expect(mobile.locator("#varfor .saved")).to_be_visible()
    expect(mobile.locator(".step-count")).to_have_text(
        translated(language, "Fråga %(n)s av %(total)s") % {"n": 2, "total": 4}
    )
    screenshot(mobile, f"{language}-phone-why")
    mobile.locator("#step-next").click()
    mobile.wait_for_url(re.compile(r"/area/$"))
    screenshot(mobile, f"{language}-phone-areas")
    mobile.locator("#step-next").click()
    mobile.wait_for_url(re.compile(r"/activity/$"))
    screenshot(mobile, f"{language}-phone-activities")
    mobile.locator("#step-next").click()
    mobile.wait_for_url(re.compile(r"/done/$"))
    screenshot(mobile, f"{language}-phone-summary")

    projector = person(PROJECTOR)
    log_in(projector, base)
    projector.goto(f"{base}/f/d/{d.pk}/projector/")
    expect(projector.locator("html")).to_have_attribute("lang", language)
    expect(projector.locator(".f-timer-state")).to_have_text(translated(language, "Pågår"))
    screenshot(projector, f"{language}-projector")

    dashboard = person(LAPTOP)
    log_in(dashboard, base)
    dashboard.goto(f"{base}/f/d/{d.pk}/")
    dashboard.locator("details.dash-group summary").first.click()
    expect(dashboard.locator("#ranking-overall h2")).to_contain_text(
        translated(language, "Rangordning, alla grupper")
    )
    screenshot(dashboard, f"{language}-dashboard")

    Discussion.objects.filter(pk=d.pk).update(results_revealed=True)
    projector.goto(f"{base}/f/d/{d.pk}/projector/results/")
    expect(projector.locator(".pr-row")).to_have_count(8)
    screenshot(projector, f"{language}-projector-results")
    # The phone notices the reveal by itself and reloads: the news at the top.
    expect(mobile.locator("#results-notice")).to_be_visible(timeout=12_000)
    screenshot(mobile, f"{language}-phone-revealed")
    mobile.locator("#results-link").click()
    expect(mobile.locator(".phone-results")).to_be_visible()
    screenshot(mobile, f"{language}-phone-results")


PROJECTORS = [(1920, 1080), (1366, 768), (1280, 720), (1024, 768)]

FITS = """selector => [...document.querySelectorAll(selector)].map(el => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return {
        what: selector + " " + el.innerText.trim().slice(0, 30),
        inside: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth,
        lines: Math.round(r.height / parseFloat(cs.lineHeight === "normal"
            ? parseFloat(cs.fontSize) * 1.2 : cs.lineHeight)),
        size: parseFloat(cs.fontSize) / innerHeight,
    };
})"""


@pytest.mark.parametrize(("width", "height"), PROJECTORS)
def test_the_projector_fits_every_common_screen(live_server, phone, site, width, height):
    """Everything on the screen, nothing below the fold (a projector has no scrolling),
    the code on one line, and the code and the timer large for the back of the room."""
    base = live_server.url
    d = site.discussion
    call_command("crowd", str(d.pk), participants=40, seed=11, verbosity=0)
    set_clock(d, "running", left=45 * 60)
    page = phone(viewport={"width": width, "height": height})
    log_in(page, base)

    def check(selector, lines=None, size=None):
        found = page.evaluate(FITS, selector)
        assert found, selector
        for item in found:
            assert item["inside"], f"{width}×{height}: {item['what']} is off the screen"
            if lines is not None:
                assert item["lines"] == lines, f"{width}×{height}: {item['what']}: {item}"
            if size is not None:
                assert item["size"] >= size, f"{width}×{height}: {item['what']} is too small"

    page.goto(f"{base}/f/d/{d.pk}/projector/")
    check(".pj-code", lines=1, size=0.08)
    check(".f-timer-clock", lines=1, size=0.15)
    check(".pj-url, .pj-groups li, .pj-controls button, .pj-controls a")
    screenshot(page, f"projector-{width}x{height}")

    Discussion.objects.filter(pk=d.pk).update(results_revealed=True)
    page.goto(f"{base}/f/d/{d.pk}/projector/results/")
    expect(page.locator(".pr-row")).to_have_count(8)
    check(".pr-row, .pr-group, .pr-controls button, .pr-controls a")
    check(".pr-points", lines=1)
    screenshot(page, f"projector-results-{width}x{height}")
