"""The plenary on the projector in Chromium: the keys move between the views and turn
the pages, the projector follows the dashboard's choice, axe finds nothing serious,
and at 1920×1080 and 1280×720 every text is whole, on the screen and large
(test-artifacts/plenary-*.png, to look at)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from discussions.models import Discussion, Group, MissingArea
from tests.base import add_activity, add_area, add_participant
from tests.browser.conftest import (
    BLOCKING_IMPACTS,
    LAPTOP,
    PROJECTOR,
    log_in,
    run_axe,
    screenshot,
    write_artifact,
)

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PROJECTOR = {"width": 1280, "height": 720}

LONG_AREA = (
    "Kultur, idrott och föreningsliv som binder samman människor på båda sidor om "
    "gränsen: gemensamma evenemang, körer, idrottsklubbar och bibliotek som lånar ut "
    "till varandra, så att den som bor i Charlottenberg och den som bor i Eda känner "
    "att det är en och samma bygd. Utan mötesplatser blir samarbetet en fråga för "
    "tjänstemän, och det är människorna som ska bära det i vardagen, år efter år."
)
LONG_ACTIVITY = (
    "En årlig gränskonferens där kommunerna, regionerna och näringslivet på båda "
    "sidor går igenom vad som har hänt sedan förra året, med pendlarna själva på scen."
)
LONG_WHY = (
    "För att den fria rörligheten är grunden för allt annat: utan den blir det ingen "
    "gemensam arbetsmarknad, inga företag som rekryterar över gränsen och ingen framtid "
    "för de unga som vill bo kvar i Värmland men arbeta i Norge."
)


def plenary(site):
    """A discussion after its twenty minutes: rankings, long texts, the results shown."""
    d = site.discussion
    tables = list(Group.objects.filter(discussion=d))
    recs = {r.number: r for r in d.recommendation_set.recommendations.all()}
    # Twelve put 3 first and say why at length, before the others join: the reasons
    # run to several pages, the first ones theirs.
    people = [
        add_participant(d, tables[i % 2], (3, 2, 1), why=f"{LONG_WHY} ({i + 1})", name="Astrid")
        for i in range(12)
    ]
    call_command("crowd", str(d.pk), participants=16, seed=5, verbosity=0)
    add_area(people[0], LONG_AREA, endorsers=people[1:6])
    add_area(people[1], "Språket: att förstå varandra", endorsers=people[2:4])
    add_activity(people[2], LONG_ACTIVITY, recs[3], endorsers=people[3:9])
    add_activity(people[3], "Pendlarnas dag på stationen i Arvika", recs[3])
    Discussion.objects.filter(pk=d.pk).update(results_revealed=True)
    return d


def page_number(page):
    return page.locator(".pj-page-number")


def test_the_keys_move_between_views_and_turn_the_pages(live_server, phone, site):
    base = live_server.url
    d = plenary(site)
    page = phone(viewport=PROJECTOR)
    log_in(page, base)
    page.goto(f"{base}/f/d/{d.pk}/projector/")
    for key, path, heading in [
        ("s", "areas/", "Saknade områden"),
        ("a", "activities/", "Aktiviteter"),
        ("m", "reasons/", "Varför?"),
    ]:
        page.keyboard.press(key)
        page.wait_for_url(f"{base}/f/d/{d.pk}/projector/{path}")
        expect(page.locator("h1")).to_contain_text(heading)
    assert Discussion.objects.get(pk=d.pk).projector_view == "reasons"
    expect(page_number(page)).to_contain_text("Sida 1 av ")
    first = page.locator(".pl-text").first.inner_text()
    page.keyboard.press("ArrowRight")
    expect(page_number(page)).to_contain_text("Sida 2 av ")
    assert page.locator(".pl-text").first.inner_text() != first
    page.keyboard.press("PageDown")  # a presenter's clicker
    expect(page_number(page)).to_contain_text("Sida 3 av ")
    page.keyboard.press("ArrowLeft")
    expect(page_number(page)).to_contain_text("Sida 2 av ")
    page.keyboard.press("PageUp")
    expect(page_number(page)).to_contain_text("Sida 1 av ")
    expect(page.locator(".pl-text").first).to_have_text(first)
    page.keyboard.press("r")
    page.wait_for_url(f"{base}/f/d/{d.pk}/projector/results/")
    expect(page.locator(".pr-row")).to_have_count(8)
    page.keyboard.press("t")
    page.wait_for_url(f"{base}/f/d/{d.pk}/projector/")

    # The facilitator chooses on the dashboard, on another screen: the projector follows.
    desk = phone(viewport=LAPTOP)
    log_in(desk, base)
    desk.goto(f"{base}/f/d/{d.pk}/")
    desk.locator(".dash-projector").get_by_role("button", name="Saknade områden").click()
    page.wait_for_url(f"{base}/f/d/{d.pk}/projector/areas/", timeout=12_000)
    desk.locator(".dash-projector").get_by_role("button", name="Motiveringar").click()
    page.wait_for_url(f"{base}/f/d/{d.pk}/projector/reasons/", timeout=12_000)
    expect(desk.locator(".dash-projector .pj-page-number")).to_contain_text("Sida 1 av ")
    desk.locator(".dash-projector").get_by_role("button", name="Nästa").click()
    expect(page_number(page)).to_contain_text("Sida 2 av ", timeout=12_000)
    # Names only when chosen.
    expect(page.locator(".pl-main")).not_to_contain_text("Astrid")
    desk.locator(".dash-projector").get_by_role("button", name="Visa namnen").click()
    expect(page.locator(".pl-tables").first).to_contain_text("Astrid", timeout=12_000)


VIEWS = ["areas", "activities", "reasons"]

FITS = """() => {
    const main = document.querySelector(".pl-main");
    const out = [];
    if (main.scrollHeight > main.clientHeight + 1) out.push("the page's texts overflow");
    for (const el of document.querySelectorAll(
        ".pl h1, .pl-rec-title, .pl-text, .pl-tables, .pl-plus, .pl-bar button, .pl-bar a"
    )) {
        const r = el.getBoundingClientRect();
        if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) {
            out.push("off the screen: " + el.innerText.slice(0, 40));
        }
        if (el.scrollWidth > el.clientWidth + 1) out.push("cut: " + el.innerText.slice(0, 40));
    }
    return out;
}"""


@pytest.mark.parametrize("viewport", [PROJECTOR, SMALL_PROJECTOR], ids=["1920x1080", "1280x720"])
def test_every_text_whole_large_and_on_the_screen(live_server, phone, site, viewport):
    base = live_server.url
    d = plenary(site)
    size = f"{viewport['width']}x{viewport['height']}"
    page = phone(viewport=viewport)
    log_in(page, base)
    for view in VIEWS:
        page.goto(f"{base}/f/d/{d.pk}/projector/{view}/")
        number = 1
        while True:
            screenshot(page, f"plenary-{view}-{number}-{size}")
            assert page.evaluate(FITS) == [], f"{view}, page {number}, {size}"
            # Read from the back of the hall: the texts at least 3 % of the screen's height.
            smallest = page.evaluate(
                """() => Math.min(...[...document.querySelectorAll(".pl-text")]
                    .map(el => parseFloat(getComputedStyle(el).fontSize) / innerHeight))"""
            )
            assert smallest >= 0.03, f"{view}, page {number}, {size}: {smallest}"
            assert "…" not in page.locator(".pl-main").inner_text()
            if not page.locator("form[data-shortcut='next']").count():
                break
            page.keyboard.press("ArrowRight")
            number += 1
            expect(page_number(page)).to_contain_text(f"Sida {number} av ")
    # The long area is there whole.
    page.keyboard.press("s")
    page.wait_for_url(f"{base}/f/d/{d.pk}/projector/areas/")
    expect(page.locator(".pl-text").filter(has_text=LONG_AREA[:40])).to_have_text(LONG_AREA)
    assert MissingArea.objects.filter(text=LONG_AREA).exists()


def test_no_serious_violation_on_the_plenarys_views(live_server, browser, site):
    base = live_server.url
    d = plenary(site)
    context = browser.new_context(viewport=PROJECTOR, bypass_csp=True, locale="sv-SE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, base)
    found = {}
    for path in [*(f"projector/{view}/" for view in VIEWS), "projector/", ""]:
        page.goto(f"{base}/f/d/{d.pk}/{path}")
        for viewport in (PROJECTOR, SMALL_PROJECTOR, LAPTOP):
            page.set_viewport_size(viewport)
            found[f"{path or 'dashboard'} {viewport['width']}"] = run_axe(page)
    Discussion.objects.filter(pk=d.pk).update(results_revealed=False)
    page.goto(f"{base}/f/d/{d.pk}/projector/reasons/")
    found["reasons, not revealed"] = run_axe(page)
    context.close()
    write_artifact("axe-plenary.json", found)
    serious = {
        label: [(v["id"], v["nodes"][:3]) for v in violations if v["impact"] in BLOCKING_IMPACTS]
        for label, violations in found.items()
    }
    assert {label: v for label, v in serious.items() if v} == {}
