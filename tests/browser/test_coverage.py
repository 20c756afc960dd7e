"""The coverage in Chromium: the projector switched to it (by its key K and from the
dashboard) shows the recommendations without an activity marked in words, forty
tables page by ten and fit on the screen at 1920×1080 and 1280×720, and axe finds
nothing serious (test-artifacts/coverage-*.png, to look at)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from discussions import facilitator_writes
from discussions.models import ActivityProposal, Discussion, Group
from tests.base import add_activity, add_participant
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
DASHBOARD = {"width": 1440, "height": 900}
GAPS = "4 av 8 rekommendationer har ingen konkret aktivitet än: Rek. 4, 6, 7, 8."


def covered(site, tables=2):
    """Activities under Rek. 1, 2, 3 and 5; Rek. 4's hidden, Rek. 8's merged into one
    under Rek. 3; `tables` tables in all."""
    d = site.discussion
    for n in range(3, tables + 1):
        Group.objects.create(discussion=d, name=f"Bord {n}", position=n)
    groups = list(Group.objects.filter(discussion=d).order_by("position"))
    recs = {r.number: r for r in d.recommendation_set.recommendations.all()}
    call_command("crowd", str(d.pk), participants=12, seed=5, verbosity=0)
    ActivityProposal.objects.filter(discussion=d).delete()  # the crowd's own
    people = [add_participant(d, group, (2, 1, 3)) for group in groups]
    add_activity(people[0], "Gemensam vision 2040", recs[1])
    add_activity(people[1], "Nattåg Karlstad–Oslo", recs[2])
    kept = add_activity(people[0], "Pendlarkort för hela regionen", recs[3])
    dup = add_activity(people[1], "Statistikdag om pendlingen", recs[8])
    hidden = add_activity(people[1], "Något som inte hör hit", recs[4])
    add_activity(people[-1], "Projektbank för kommunerna", recs[5])
    facilitator_writes.merge(ActivityProposal, d.pk, dup.pk, kept.pk)
    facilitator_writes.set_hidden(ActivityProposal, d.pk, hidden.pk, True)
    Discussion.objects.filter(pk=d.pk).update(results_revealed=True)
    return d


FITS = """() => {
    const main = document.querySelector(".pl-main");
    const out = [];
    if (main.scrollHeight > main.clientHeight + 1) out.push("the page overflows");
    for (const el of document.querySelectorAll(
        ".pl h1, .pl-cov-sentence, .pl-cov th, .pl-cov td, .pl-cov-rule, .pl-bar button"
    )) {
        const r = el.getBoundingClientRect();
        if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) {
            out.push("off the screen: " + el.innerText.slice(0, 40));
        }
    }
    return out;
}"""


def test_the_projector_shows_the_gaps_by_key_and_from_the_dashboard(live_server, phone, site):
    base = live_server.url
    d = covered(site)
    page = phone(viewport=PROJECTOR)
    log_in(page, base)
    page.goto(f"{base}/f/d/{d.pk}/projector/")
    page.keyboard.press("k")
    page.wait_for_url(f"{base}/f/d/{d.pk}/projector/coverage/")
    assert Discussion.objects.get(pk=d.pk).projector_view == "coverage"
    expect(page.locator(".pl-cov-sentence")).to_contain_text(GAPS)
    gaps = page.locator("tr.pl-cov-gap")
    expect(gaps).to_have_count(4)
    expect(gaps.first.locator(".pl-cov-flag")).to_have_text("Ingen aktivitet")
    # Rek. 3's merged one counts under both tables; its row total once.
    rek3 = page.locator("tbody tr").filter(has_text="Rek. 3")
    expect(rek3.locator("td.pl-cov-num")).to_have_text(["1", "1", "1"])
    screenshot(page, "coverage-projector-1920x1080")
    page.keyboard.press("t")
    page.wait_for_url(f"{base}/f/d/{d.pk}/projector/")

    desk = phone(viewport=DASHBOARD)
    log_in(desk, base)
    desk.goto(f"{base}/f/d/{d.pk}/")
    expect(desk.locator("#dash-coverage .f-coverage-sentence")).to_contain_text(GAPS)
    expect(desk.locator("#dash-coverage .f-coverage-flag")).to_have_count(4)
    desk.locator(".dash-projector").get_by_role("button", name="Täckning").click()
    page.wait_for_url(f"{base}/f/d/{d.pk}/projector/coverage/", timeout=12_000)
    desk.locator("#dash-coverage").scroll_into_view_if_needed()
    desk.screenshot(path=str(_shot("coverage-dashboard-1440x900")))


def _shot(name):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


@pytest.mark.parametrize("viewport", [PROJECTOR, SMALL_PROJECTOR], ids=["1920x1080", "1280x720"])
def test_forty_tables_page_by_ten_and_fit(live_server, phone, site, viewport):
    base = live_server.url
    d = covered(site, tables=40)
    size = f"{viewport['width']}x{viewport['height']}"
    page = phone(viewport=viewport)
    log_in(page, base)
    page.goto(f"{base}/f/d/{d.pk}/projector/coverage/")
    for number in range(1, 5):
        expect(page.locator(".pj-page-number")).to_have_text(f"Sida {number} av 4")
        expect(page.locator("thead th.pl-cov-num")).to_have_count(10 + 1)
        screenshot(page, f"coverage-40-tables-{number}-{size}")
        assert page.evaluate(FITS) == [], f"page {number}, {size}"
        # The counts read from the back of the hall: at least 3 % of the screen's height.
        smallest = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll("tbody .pl-cov-num")]
                .map(el => parseFloat(getComputedStyle(el).fontSize) / innerHeight))"""
        )
        assert smallest >= 0.03, f"page {number}, {size}: {smallest}"
        if number < 4:
            page.keyboard.press("ArrowRight")
    expect(page.locator(".pl-sub")).to_contain_text("bord 31–40 av 40")


def test_no_serious_violation_on_the_coverage(live_server, browser, site):
    base = live_server.url
    d = covered(site)
    context = browser.new_context(viewport=PROJECTOR, bypass_csp=True, locale="sv-SE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, base)
    found = {}
    for path in ["projector/coverage/", ""]:
        page.goto(f"{base}/f/d/{d.pk}/{path}")
        for viewport in (PROJECTOR, SMALL_PROJECTOR, LAPTOP):
            page.set_viewport_size(viewport)
            found[f"{path or 'dashboard'} {viewport['width']}"] = run_axe(page)
    Discussion.objects.filter(pk=d.pk).update(results_revealed=False)
    page.goto(f"{base}/f/d/{d.pk}/projector/coverage/")
    found["coverage, not revealed"] = run_axe(page)
    page.goto(f"{base}/f/w/{site.workshop.pk}/export/report/")
    found["report"] = run_axe(page)
    context.close()
    write_artifact("axe-coverage.json", found)
    serious = {
        label: [(v["id"], v["nodes"][:3]) for v in violations if v["impact"] in BLOCKING_IMPACTS]
        for label, violations in found.items()
    }
    assert {label: v for label, v in serious.items() if v} == {}
