"""axe-core on every page, at a phone's size and a laptop's: no serious or critical
violation (WCAG 2.2 A and AA, and axe's best practices).

Each page is checked at both sizes in turn, without loading it again, so the walk
through the pages (and the states they show) is made once. The less severe
findings are printed and written to test-artifacts/axe.json.
"""

import re

import pytest
from django.core.management import call_command
from django.db.models import F
from playwright.sync_api import expect

from discussions import rounds
from discussions.models import (
    ActivityProposal,
    Discussion,
    Invitation,
    MissingArea,
    Participant,
    Workshop,
)
from tests.base import PASSWORD, make_user
from tests.browser.conftest import (
    BLOCKING_IMPACTS,
    LAPTOP,
    PHONE,
    hold_phone_polls,
    log_in,
    run_axe,
    set_clock,
    write_artifact,
)

pytestmark = pytest.mark.django_db(transaction=True)


def card(page, number):
    return page.locator(".rec-card-button").filter(has_text=re.compile(rf"^\s*Rek\. {number}\b"))


SIZES = {"phone": PHONE, "laptop": LAPTOP}


def test_no_serious_violation_on_any_page(live_server, browser, site, settings):
    settings.JOIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_LIMIT = 3
    base = live_server.url
    discussion, workshop = site.discussion, site.workshop
    d = discussion.pk
    # Others at the tables, so that lists, tables and charts have something in them.
    call_command("crowd", str(d), participants=16, seed=3, verbosity=0)

    # Injecting axe is an inline script, which the Content Security Policy blocks:
    # this context alone bypasses it. Every other browser test runs under the CSP
    # and fails on a violation of it. The walk changes the discussion's state and
    # reloads the phone's page itself, so the phone's own polls are held.
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="sv-SE")
    context.set_default_timeout(10_000)
    hold_phone_polls(context)
    page = context.new_page()
    found = {size: {} for size in SIZES}

    def check(label, path=None):
        if path is not None:
            page.goto(base + path)
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            found[size][label] = run_axe(page)
        page.set_viewport_size(PHONE)

    # --- Anyone
    check("home", "/")
    check("home, unknown code", "/j/ZZZZZZ/")
    check("recommendations", "/rekommendationer/")
    page.locator("main a").first.click()
    check("recommendation set")
    check("login", "/konto/logga-in/")
    check("404", "/finns-inte/")

    # --- A participant, through the discussion's states
    check("join", f"/j/{discussion.join_code}/")
    page.get_by_label("Bord 1").check()
    page.fill("#name", "Astrid")
    page.get_by_role("button", name="Gå med").click()
    page.wait_for_url(f"{base}/d/{d}/")
    check("phone, not started")

    set_clock(discussion, "running", left=600)
    page.reload()
    for i, number in enumerate((3, 1), start=1):
        card(page, number).click()
        expect(page.locator(".ballot-item")).to_have_count(i)
    page.locator("details.rec-bullets summary").first.click()
    check("phone, running")
    page.locator("#step-next").click()
    page.wait_for_url(f"{base}/d/{d}/why/")
    page.fill("#why-text", "Pendlingen är vardag.")
    page.get_by_role("button", name="Spara motiveringen").click()
    expect(page.locator("#varfor .saved")).to_be_visible()
    check("phone, why")
    page.locator("#step-next").click()
    page.wait_for_url(f"{base}/d/{d}/area/")
    page.fill("#area-text", "Kultur och idrott")
    page.get_by_role("button", name="Lägg till område").click()
    expect(page.locator("#areas-list .entry-mine")).to_be_visible()
    check("phone, missing areas")
    page.locator("#step-next").click()
    page.wait_for_url(f"{base}/d/{d}/activity/")
    page.select_option("#activity-rec", "2")
    page.fill("#activity-text", "En tågdag")
    page.get_by_role("button", name="Föreslå aktivitet").click()
    expect(page.locator("#activities-list .entry-mine")).to_be_visible()
    check("phone, activities")
    check("phone, summary", f"/d/{d}/done/")
    page.locator("#table-link").click()
    page.wait_for_url(f"{base}/d/{d}/table/")
    check("phone, the table's answer")
    page.get_by_label("Rek. 3").check()
    page.fill("#table-why", "Vi enades om tåget.")
    page.get_by_role("button", name="Spara bordets svar").click()
    expect(page.locator("#table-current")).to_contain_text("Vi enades om tåget.")
    check("phone, the table's answer saved")
    check("phone, group", f"/d/{d}/group/")
    check("phone, results not yet", f"/d/{d}/results/")
    page.goto(f"{base}/d/{d}/area/")
    page.locator("#areas-list .entry-mine").get_by_role("link", name="Ändra").click()
    check("phone, edit an entry")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(re.compile(rf"/d/{d}/area/"))
    # A refusal: the reason and the typed text, kept.
    page.fill("#area-text", "Ett sent förslag")
    set_clock(discussion, "ended")
    page.get_by_role("button", name="Lägg till område").click()
    expect(page.locator("#areas .unsaved")).to_be_visible()
    check("phone, refused")
    set_clock(discussion, "paused", left=300)
    check("phone, paused", f"/d/{d}/")

    # --- The facilitator
    log_in(page, base)
    check("workshop list")
    # A colleague's invitation waits on the list.
    theirs = Workshop.objects.create(
        title="Gränsdialog i Arvika",
        place="Arvika",
        recommendation_set=discussion.recommendation_set,
    )
    Invitation.objects.create(workshop=theirs, invitee=site.user, invited_by=make_user("kollega"))
    check("workshop list, an invitation", "/f/")
    check("workshop", f"/f/w/{workshop.pk}/")
    check("workshop, invitation sent", f"/f/w/{workshop.pk}/?invited=1")
    check("leave a workshop", f"/f/w/{workshop.pk}/leave/")
    check("new workshop", "/f/new/")
    check("edit workshop", f"/f/w/{workshop.pk}/edit/")
    page.fill("#id_title", "")
    page.get_by_role("button", name="Spara").click()
    check("edit workshop, with an error")
    check("new discussion", f"/f/w/{workshop.pk}/new/")
    check("edit discussion", f"/f/d/{d}/edit/")
    check("groups", f"/f/d/{d}/groups/")
    check("dashboard", f"/f/d/{d}/")
    # Dispatched, not clicked: a click first waits for two animation frames in which
    # the summary stands still, and once in CI (PostgreSQL, the machine loaded) no
    # frame came for ten seconds. What is checked here is the opened group's markup.
    page.locator("details.dash-group summary").first.dispatch_event("click")
    expect(page.locator("details.dash-group").first).to_have_attribute("open", "")
    check("dashboard, a group opened")
    check("projector", f"/f/d/{d}/projector/")
    check("results projector, hidden", f"/f/d/{d}/projector/results/")
    check("coverage projector", f"/f/d/{d}/projector/coverage/")
    area = MissingArea.objects.filter(discussion_id=d).first()
    check("merge", f"/f/d/{d}/area/{area.pk}/merge/")
    activity = ActivityProposal.objects.filter(discussion_id=d).first()
    check("merge an activity", f"/f/d/{d}/activity/{activity.pk}/merge/")
    check("export", f"/f/w/{workshop.pk}/export/")
    check("report", f"/f/w/{workshop.pk}/export/report/")
    check("delete answers", f"/f/w/{workshop.pk}/export/delete-participants/")
    check("delete workshop", f"/f/w/{workshop.pk}/export/delete-workshop/")

    # Astrid's receipt tells every fate: her area merged into another's, her
    # activity hidden (a shown one is the crowd's, not hers: see test_receipt.py).
    astrid = MissingArea.objects.get(discussion_id=d, text="Kultur och idrott").author
    other = MissingArea.objects.filter(discussion_id=d, hidden=False, merged_into=None)
    other = other.exclude(author=astrid).first()
    MissingArea.objects.filter(author=astrid).update(merged_into=other)
    ActivityProposal.objects.filter(author=astrid).update(hidden=True)
    Discussion.objects.filter(pk=d).update(results_revealed=True, revision=F("revision") + 1)
    check("results projector, revealed", f"/f/d/{d}/projector/results/")
    check("phone, results revealed", f"/d/{d}/")
    check("phone, results and receipt", f"/d/{d}/results/")
    expect(page.locator(".receipt-merged")).to_have_count(1)
    expect(page.locator(".receipt-hidden")).to_have_count(1)
    check("phone, own merged area", f"/d/{d}/area/")
    check("phone, own hidden activity", f"/d/{d}/activity/")
    expect(page.locator("#activities-list .entry-fate")).to_have_count(1)
    set_clock(discussion, "ended")
    check("projector, ended", f"/f/d/{d}/projector/")
    check("dashboard, ended", f"/f/d/{d}/")
    check("phone, ended with results", f"/d/{d}/")
    Discussion.objects.filter(pk=d).update(results_revealed=False)
    check("phone, ended", f"/d/{d}/")
    check("phone, ended, why", f"/d/{d}/why/")
    check("phone, ended, summary", f"/d/{d}/done/")
    # A second round: the dashboard's movement, the phone's notice, the projector's
    # arrows and the report's section; then round 2 ends as round 1 did.
    rounds.open_second_round(d)
    Discussion.objects.filter(pk=d).update(results_revealed=True)
    check("dashboard, round 2", f"/f/d/{d}/")
    check("phone, round 2", f"/d/{d}/")
    check("results projector, round 2", f"/f/d/{d}/projector/results/")
    check("report, round 2", f"/f/w/{workshop.pk}/export/report/")
    Discussion.objects.filter(pk=d).update(results_revealed=False)
    set_clock(discussion, "ended")
    assert Participant.objects.filter(display_name="Astrid").exists()

    # --- Someone too late, and someone guessing
    context.clear_cookies()
    check("join, time is out", f"/j/{discussion.join_code}/")
    for _ in range(settings.JOIN_FAILURE_LIMIT):
        page.goto(f"{base}/j/QQQQQQ/")
    check("429, too many codes", "/j/QQQQQQ/")
    page.goto(base + "/konto/logga-in/")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        page.fill("#id_username", "facilitator")
        page.fill("#id_password", PASSWORD + "?")
        page.press("#id_password", "Enter")
        page.wait_for_load_state()
    check("login, wrong password")
    page.fill("#id_username", "facilitator")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state()
    check("429, too many logins")
    context.close()

    write_artifact("axe.json", found)
    blocking = []
    for size, pages in found.items():
        for label, violations in pages.items():
            for v in violations:
                line = f"{size} · {label}: [{v['impact']}] {v['id']} – {v['help']}"
                print(f"{line} ({len(v['nodes'])}×)")
                if v["impact"] in BLOCKING_IMPACTS:
                    blocking.append(line + "".join(f"\n    {n['target']}" for n in v["nodes"]))
    assert len(found["phone"]) >= 40
    assert not blocking, "\n".join(blocking)
