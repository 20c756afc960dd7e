"""A facilitator's own list in a real browser: pasted, previewed, saved; the first-run page.

Screenshots in test-artifacts/ (sets-<language>-<screen>-<size>.png) at a laptop's
1440×900, a phone's 390×844 and the narrowest phones' 320 px: the first-run page, the
new-list form and its preview. axe-core finds no serious or critical violation on any
of the list pages, the password pages and the first-run pages.
"""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from recommendations.models import RecommendationSet
from tests.browser.conftest import (
    BLOCKING_IMPACTS,
    PHONE,
    log_in,
    run_axe,
    screenshot,
    write_artifact,
)
from tests.seed import SLIDES

pytestmark = pytest.mark.django_db(transaction=True)

LOCALES = {"sv": "sv-SE", "nb": "nb-NO", "en": "en-GB"}
SIZES = {"laptop": {"width": 1440, "height": 900}, "phone": PHONE}
NARROW = {"width": 320, "height": 640}


def translated(language, text):
    with translation.override(language):
        return translation.gettext(text)


def shoot(page, name):
    for size, viewport in {**SIZES, "320": NARROW}.items():
        page.set_viewport_size(viewport)
        screenshot(page, f"sets-{name}-{size}")


def blocking(found):
    return {
        label: [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        for label, violations in found.items()
        if any(v["impact"] in BLOCKING_IMPACTS for v in violations)
    }


@pytest.mark.parametrize("language", list(LOCALES))
def test_the_first_run_page_shows_the_account_command(live_server, phone, language):
    base = live_server.url
    page = phone(locale=LOCALES[language])
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".first-run code")).to_have_text(".venv/bin/python manage.py facilitator")
    expect(page.locator(".first-run h2")).to_have_text(
        translated(language, "Välkommen till Gränsforum")
    )
    expect(page.locator('a[href="/konto/logga-in/"]')).to_have_count(0)
    shoot(page, f"{language}-first-run")


@pytest.mark.parametrize("language", list(LOCALES))
def test_paste_preview_and_save_the_slides(live_server, phone, site, language):
    base = live_server.url
    page = phone(viewport=SIZES["laptop"], locale=LOCALES[language])
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    log_in(page, base)
    page.get_by_role("link", name=translated(language, "Rekommendationslistor")).click()
    page.get_by_role("link", name=translated(language, "Ny lista")).click()
    expect(page.locator("h1")).to_have_text(translated(language, "Ny rekommendationslista"))
    page.fill("#id_name", "Värmland, från bilderna")
    page.fill("#id_text", SLIDES.read_text(encoding="utf-8"))
    shoot(page, f"{language}-new-form")

    page.get_by_role("button", name=translated(language, "Förhandsgranska")).click()
    expect(page.locator("h1")).to_have_text(translated(language, "Förhandsgranska listan"))
    expect(page.locator(".f-recs > li")).to_have_count(8)
    expect(page.locator(".f-recs > li").first).to_contain_text(
        "Formulera gemensamma mål och visioner för framtiden"
    )
    assert not RecommendationSet.objects.filter(name="Värmland, från bilderna").exists()
    shoot(page, f"{language}-preview")

    # Back to the text, and forward again: nothing typed is lost on the way.
    page.get_by_role("button", name=translated(language, "Ändra texten")).first.click()
    expect(page.locator("#id_text")).to_have_value(SLIDES.read_text(encoding="utf-8"))
    page.get_by_role("button", name=translated(language, "Förhandsgranska")).click()
    page.get_by_role("button", name=translated(language, "Spara listan")).last.click()
    expect(page.locator("h1")).to_have_text("Värmland, från bilderna")
    expect(page.locator(".f-recs > li")).to_have_count(8)
    saved = RecommendationSet.objects.get(name="Värmland, från bilderna")
    assert saved.created_by == site.user
    assert saved.recommendations.count() == 8


def test_a_bad_paste_says_why_and_keeps_the_text(live_server, phone, site):
    base = live_server.url
    page = phone(viewport=PHONE)
    log_in(page, base)
    page.goto(base + "/f/sets/new/")
    page.fill("#id_name", "Dubbel")
    page.fill("#id_text", "1. Alfa\n2. Beta\n2. Gamma")
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.locator(".errorlist")).to_contain_text("Rad 3: numret 2 finns redan ovanför.")
    expect(page.locator("#id_text")).to_have_value("1. Alfa\n2. Beta\n2. Gamma")
    expect(page.locator("#id_text")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "sets-sv-form-error-phone")


def test_no_serious_violation_on_the_list_pages(live_server, browser, site):
    base = live_server.url
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="sv-SE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    found = {}

    def check(label, path=None):
        if path is not None:
            page.goto(base + path)
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            found[f"{label} ({size})"] = run_axe(page)
        page.set_viewport_size(PHONE)

    log_in(page, base)
    check("lists", "/f/sets/")
    check("new list", "/f/sets/new/")
    page.fill("#id_name", "Egen")
    page.fill("#id_text", SLIDES.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Förhandsgranska").click()
    page.locator("details summary").first.click()  # the lines left out, opened
    check("preview")
    page.get_by_role("button", name="Spara listan").first.click()
    check("own list")
    page.get_by_role("link", name="Ändra").click()
    check("edit list")
    page.fill("#id_text", "1. Alfa\n1. Beta")
    page.get_by_role("button", name="Förhandsgranska").click()
    check("edit list, refused")
    check("shared list", f"/f/sets/{site.workshop.recommendation_set_id}/")
    check("password", "/konto/losenord/")
    page.fill("#id_old_password", "fel")
    page.get_by_role("button", name="Byt lösenord").last.click()
    check("password, refused")
    page.goto(base + "/")
    page.context.clear_cookies()
    from django.contrib.auth import get_user_model

    get_user_model().objects.all().delete()
    check("first run", "/")
    check("login, first run", "/konto/logga-in/")
    context.close()
    write_artifact("axe-sets.json", found)
    assert blocking(found) == {}
