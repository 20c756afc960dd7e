"""Two phones of one table writing the table's agreed answer (table_views.py).

One saves; the other, which had the form open on the old version, sees the first's
answer arrive by its poll while its own typing stays put, saves on the stale base
and is shown both: the other's version (who, what) and its own text kept in the
form, with the choice to save over it knowingly. In Swedish, Norwegian and
English, axe clean, with screenshots of each screen.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from discussions.models import Discussion, Group, Participant, Ranking, TableAnswer
from recommendations.models import Recommendation
from tests.browser.conftest import PHONE, PROJECTOR, log_in, run_axe, screenshot, set_clock

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "table-answer"
# What each language calls the form's main button and the conflict's: the page in
# the phone's language, not Swedish with a foreign header.
WORDS = {
    "sv-SE": ("sv", "Spara bordets svar", "Spara mitt svar ändå"),
    "nb-NO": ("nb", "Lagre bordets svar", "Lagre mitt svar likevel"),
    "en-GB": ("en", "Save the table's answer", "Save my answer anyway"),
}


def join(page, base, code, group, name):
    page.goto(f"{base}/j/{code}/")
    page.get_by_label(group).check()
    page.fill("#name", name)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r"/d/\d+/$"))


def no_serious(page):
    blocking = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert blocking == [], blocking


@pytest.mark.parametrize("locale", list(WORDS))
def test_a_stale_save_shows_both_answers_and_keeps_the_text(live_server, browser, site, locale):
    lang, save_label, over_label = WORDS[locale]
    base, d = live_server.url, site.discussion.pk
    set_clock(site.discussion, "running", left=900)
    phones = []
    for name in ("Anna", "Bo"):
        context = browser.new_context(viewport=PHONE, locale=locale, bypass_csp=True)
        context.set_default_timeout(10_000)
        phones.append(context.new_page())
        join(phones[-1], base, site.discussion.join_code, "Bord 1", name)
    anna, bo = phones

    # Both open the table's page from the summary.
    for page in phones:
        page.goto(f"{base}/d/{d}/done/")
        page.locator("#table-link").click()
        page.wait_for_url(f"{base}/d/{d}/table/")
        assert page.locator("html").get_attribute("lang") == lang
    expect(anna.locator("#table-save")).to_have_text(save_label)
    if locale == "sv-SE":
        SHOTS.mkdir(parents=True, exist_ok=True)
        screenshot(anna, "table-answer/phone-empty")
    no_serious(anna)

    # Bo starts typing while Anna saves.
    bo.locator("input[name=recommendation][value='5']").check()
    bo.fill("#table-why", "Bos egen text om vården")
    anna.locator("input[name=recommendation][value='3']").check()
    anna.fill("#table-why", "Tåget binder ihop regionen")
    anna.locator("#table-save").click()
    expect(anna.locator("#table-current")).to_contain_text("Tåget binder ihop regionen")
    expect(anna.locator("#table-current")).to_contain_text("Anna")

    # Bo's poll brings Anna's version; his typing stays where it was.
    expect(bo.locator("#table-current")).to_contain_text("Tåget binder", timeout=20_000)
    expect(bo.locator("#table-why")).to_have_value("Bos egen text om vården")
    bo.locator("#table-save").click()

    conflict = bo.locator(".table-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Anna")
    expect(conflict).to_contain_text("Tåget binder ihop regionen")
    expect(bo.locator("#table-why")).to_have_value("Bos egen text om vården")
    expect(bo.locator("input[name=recommendation][value='5']")).to_be_checked()
    expect(bo.locator("#table-save")).to_have_text(over_label)
    assert TableAnswer.objects.count() == 1  # nothing overwritten
    no_serious(bo)
    if locale == "sv-SE":
        screenshot(bo, "table-answer/phone-conflict")
        bo.set_viewport_size({"width": 320, "height": 700})
        screenshot(bo, "table-answer/phone-conflict-320")
        bo.set_viewport_size(PHONE)

    # Saving over it, knowingly: a second version, both kept.
    bo.locator("#table-save").click()
    expect(bo.locator("#table-current")).to_contain_text("Bos egen text om vården")
    expect(bo.locator("#table-history li")).to_have_count(2)
    assert list(TableAnswer.objects.order_by("number").values_list("author_name", "why")) == [
        ("Anna", "Tåget binder ihop regionen"),
        ("Bo", "Bos egen text om vården"),
    ]
    no_serious(bo)
    if locale == "sv-SE":
        screenshot(bo, "table-answer/phone-saved-over")

        # Anna's and Bo's own ballots put Rek. 1 first: the dashboard and the
        # projector say the table agreed on something else.
        for member, order in zip(Participant.objects.order_by("pk"), ([1, 2], [1, 5]), strict=True):
            for position, number in enumerate(order, start=1):
                Ranking.objects.create(
                    participant=member,
                    recommendation=Recommendation.objects.get(number=number),
                    position=position,
                )
        Group.bump_revision(site.groups[0].pk)
        Discussion.objects.filter(pk=d).update(results_revealed=True)

        laptop = browser.new_context(
            viewport={"width": 1440, "height": 900}, bypass_csp=True, locale="sv-SE"
        ).new_page()
        log_in(laptop, base)
        laptop.goto(f"{base}/f/d/{d}/")
        expect(laptop.locator("#agreed")).to_contain_text(
            "Bord 1 enades om Rek. 5; medlemmarnas egna rangordningar satte Rek. 1 först."
        )
        no_serious(laptop)
        laptop.locator("#agreed").scroll_into_view_if_needed()
        laptop.screenshot(path=str(SHOTS / "dashboard-agreed.png"))

        laptop.set_viewport_size(PROJECTOR)
        laptop.goto(f"{base}/f/d/{d}/projector/results/")
        expect(laptop.locator(".pr-agreed")).to_contain_text("(egna rangordningar: Rek. 1 först)")
        no_serious(laptop)
        laptop.screenshot(path=str(SHOTS / "projector-agreed.png"))
