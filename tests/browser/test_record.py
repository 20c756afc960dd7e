"""The organiser's record in a real browser: the report printed to PDF (A4) with no
table's block split across pages, the comparison of workshops, the dashboard's
moderation log with its undo button; axe on each, screenshots and the PDF left in
test-artifacts/ to look at (pdftoppm -png turns the PDF into pages)."""

import pytest
from django.core.management import call_command

from discussions import facilitator_writes
from discussions.models import Discussion, Group, MissingArea, ModerationEvent, Workshop
from tests.base import add_area, add_participant
from tests.browser.conftest import (
    ARTIFACTS,
    BLOCKING_IMPACTS,
    LAPTOP,
    PHONE,
    log_in,
    run_axe,
    screenshot,
    set_clock,
)

pytestmark = pytest.mark.django_db(transaction=True)
SMALL_PHONE = {"width": 320, "height": 640}


def no_blocking(page, label):
    blocking = [
        f"{label}: {v['id']} – {v['help']}: " + ", ".join(n["target"] for n in v["nodes"])
        for v in run_axe(page)
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, "\n".join(blocking)


def a_busy_workshop(site):
    """Forty people at six tables, texts, a merge and a hide, the time ended."""
    d = site.discussion
    for i in (3, 4, 5, 6):
        site.groups.append(Group.objects.create(discussion=d, name=f"Bord {i}", position=i))
    call_command("crowd", str(d.pk), participants=40, seed=7, verbosity=0)
    people = list(d.participants.order_by("pk")[:3])
    kept = add_area(people[0], "Kultur och idrott över gränsen", endorsers=people[1:])
    duplicate = add_area(people[1], "Kultur", endorsers=[people[2]])
    facilitator_writes.merge(MissingArea, d.pk, duplicate.pk, kept.pk, by=site.user)
    other = add_area(people[2], "Ett inlägg om något annat")
    facilitator_writes.set_hidden(
        MissingArea, d.pk, other.pk, True, by=site.user, reason="Hör inte hit"
    )
    set_clock(d, "ended")


def test_the_report_as_a_pdf(live_server, browser, site):
    a_busy_workshop(site)
    Workshop.objects.filter(pk=site.workshop.pk).update(date="2026-05-12")
    context = browser.new_context(viewport=LAPTOP, bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/f/w/{site.workshop.pk}/export/report/")
    no_blocking(page, "report")
    screenshot(page, "record-report")
    for name, viewport in (("390", PHONE), ("320", SMALL_PHONE)):
        page.set_viewport_size(viewport)
        no_blocking(page, f"report {name}")
        wide = page.evaluate(
            """() => [...document.querySelectorAll('main *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(e => !e.closest('.r-wide'))
                .filter(e => e.tagName === 'TABLE')
                .map(e => e.closest('section').querySelector('h2').textContent)"""
        )
        assert wide == [], f"tables wider than the screen, under: {wide}"
        screenshot(page, f"record-report-{name}")
        for n, block in enumerate(page.locator(".r-keep").all()[:3]):
            block.screenshot(path=str(ARTIFACTS / f"record-report-{name}-block{n}.png"))
    page.set_viewport_size(LAPTOP)
    page.emulate_media(media="print")
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "record-report.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
    # Each group's ranking table stays whole on one page: its top and bottom are on
    # the same printed page (A4 at 96 px per inch, less the 16 + 18 mm margins).
    page_height = (297 - 34) / 25.4 * 96
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.r-group, .r-keep')].map(
            e => { const r = e.getBoundingClientRect();
                   return [r.top + window.scrollY, r.bottom + window.scrollY]; })"""
    )
    assert boxes
    for top, bottom in boxes:
        if bottom - top < page_height:
            # Not a proof of the printed layout, but a block taller than a page would
            # have to split: none is.
            continue
        pytest.fail(f"a block {bottom - top:.0f} px tall cannot stay on one page")
    context.close()


def test_the_comparison_page(live_server, browser, site):
    a_busy_workshop(site)
    second = Workshop.objects.create(
        title="Gränssamarbete i Dalsland",
        place="Åmål",
        recommendation_set=site.workshop.recommendation_set,
    )
    second.members.add(site.user)
    discussion = Discussion.objects.create(
        workshop=second, title="Runda", recommendation_set=second.recommendation_set
    )
    table = Group.objects.create(discussion=discussion, name="Bord 1", position=1)
    for ballot in [(5, 4, 3), (5, 3), (4, 5, 1)]:
        add_participant(discussion, table, ballot)
    context = browser.new_context(viewport=LAPTOP, bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/f/")
    page.get_by_role("link", name="Jämför flera workshoppar").click()
    page.get_by_label("Gränssamarbete i Värmland").check()
    page.get_by_label("Gränssamarbete i Dalsland").check()
    page.get_by_role("button", name="Jämför", exact=True).click()
    page.wait_for_selector(".r-compare")
    no_blocking(page, "comparison")
    for name, viewport in (("laptop", LAPTOP), ("390", PHONE), ("320", SMALL_PHONE)):
        page.set_viewport_size(viewport)
        no_blocking(page, f"comparison {name}")
        screenshot(page, f"record-compare-{name}")
    page.emulate_media(media="print")
    page.pdf(path=str(ARTIFACTS / "record-compare.pdf"), format="A4")
    context.close()


def test_the_dashboard_log_and_undo(live_server, browser, site):
    a_busy_workshop(site)
    context = browser.new_context(viewport=LAPTOP, bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/f/d/{site.discussion.pk}/")
    log = page.locator("#dash-log")
    log.scroll_into_view_if_needed()
    no_blocking(page, "dashboard with the log")
    page.set_viewport_size(PHONE)
    log.screenshot(path=str(ARTIFACTS / "record-dashboard-log-390.png"))
    page.set_viewport_size(LAPTOP)
    log.screenshot(path=str(ARTIFACTS / "record-dashboard-log.png"))
    button = log.get_by_role("button", name="Ångra")
    button.focus()
    page.keyboard.press("Enter")
    page.locator("#dash-log").get_by_text("ångrad", exact=True).wait_for()
    merge = ModerationEvent.objects.get(action="merge")
    assert merge.undone_by is not None
    assert MissingArea.objects.get(pk=merge.object_id).merged_into_id is None
    context.close()
