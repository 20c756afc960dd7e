"""A whole workshop in a real browser, compressed into one minute.

The facilitator logs in and starts the timer on the projector with the space key;
six phones at two tables join by the code the projector shows, rank, say why, add
and +1 missing areas and activities; the dashboard, open all along, shows the right
order per table and overall without a reload; the time runs out; a phone that is
late is refused and keeps its text; the organiser downloads the XLSX export.
"""

import re
import time

import openpyxl
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from discussions import ranking
from discussions.models import (
    ActivityEndorsement,
    ActivityProposal,
    Discussion,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
    Ranking,
)
from recommendations.models import Recommendation
from tests.browser.conftest import PROJECTOR, log_in, screenshot, set_clock

pytestmark = pytest.mark.django_db(transaction=True)

# Long enough for six phones to do everything with a wide margin on a slow machine;
# short enough that waiting for the end keeps the suite quick.
DURATION = 60

# Who sits where, what they rank (numbers, best first) and why.
PLANS = [
    ("Bord 1", [3, 2, 5], "Pendlingen över gränsen är vardag för oss."),
    ("Bord 1", [2, 3, 1, 8], "Tåget knyter ihop Karlstad med Oslo och Stockholm."),
    ("Bord 1", [3, 5], "Den fria rörligheten kommer först."),
    ("Bord 2", [8, 1, 4], "Utan statistik famlar vi i mörkret."),
    ("Bord 2", [1, 8], "Ett gemensamt mål behövs innan allt annat."),
    ("Bord 2", [4, 1, 8, 6], "Kompetensförsörjningen avgör allt."),
]
AREA_1 = "Turism och besöksnäring"
AREA_2 = "Hälsa och vård över gränsen"
ACTIVITY_1 = (2, "En gemensam tågdag Karlstad–Oslo")
ACTIVITY_2 = (8, "En gränsdatabas som kommunerna delar")
LATE_TEXT = "Ett förslag som kom för sent"


def card(page, number):
    """A recommendation's card, found by the number people see on it."""
    return page.locator(".rec-card-button").filter(has_text=re.compile(rf"^\s*Rek\. {number}\b"))


def join(page, base, code, group):
    page.goto(base + "/")
    page.fill("#code", code.lower())  # people type what they see, in any case
    page.click("button[type=submit]")
    page.get_by_label(group).check()
    page.get_by_role("button", name="Gå med").click()
    page.wait_for_url(re.compile(r"/d/\d+/$"))


def go_to(page, step):
    """Open a question's page from the steps at the top of every phone page."""
    page.locator(".steps a", has_text=step).click()
    expect(page.locator('.steps a[aria-current="step"]')).to_contain_text(step)


def rank(page, order, why):
    for i, number in enumerate(order, start=1):
        card(page, number).click()
        expect(page.locator(".ballot-item")).to_have_count(i)
    expect(page.locator(".ballot-title .rec-label")).to_have_text([f"Rek. {n}" for n in order])
    # The why comes right after the ranking: the next step.
    page.locator("#step-next").click()
    expect(page.locator(".step-count")).to_have_text("Fråga 2 av 4")
    page.fill("#why-text", why)
    page.get_by_role("button", name="Spara motiveringen").click()
    expect(page.locator("#varfor .saved")).to_be_visible()


def add_area(page, text):
    go_to(page, "Saknas")
    page.fill("#area-text", text)
    page.get_by_role("button", name="Lägg till område").click()
    expect(page.locator("#areas-list .entry-text", has_text=text)).to_be_visible()


def add_activity(page, number, text):
    go_to(page, "Aktiviteter")
    page.select_option("#activity-rec", str(number))
    page.fill("#activity-text", text)
    page.get_by_role("button", name="Föreslå aktivitet").click()
    expect(page.locator("#activities-list .entry-text", has_text=text)).to_be_visible()


def plus_one(page, list_id, text):
    """+1 an entry of someone else at the table, once the phone's poll has brought it."""
    go_to(page, "Saknas" if list_id == "areas-list" else "Aktiviteter")
    entry = page.locator(f"#{list_id} .entry", has_text=text)
    expect(entry).to_be_visible(timeout=15_000)
    entry.locator("button.plus").click()
    expect(entry.locator('button.plus[aria-pressed="true"]')).to_be_visible()


def expected_order(ballots):
    """The order every list shows for these ballots, as numbers: by the Borda points
    `discussions.ranking` gives them, equal points in its Schulze order."""
    recs = list(Recommendation.objects.order_by("number"))
    by_number = {r.number: r.pk for r in recs}
    by_pk = {r.pk: r.number for r in recs}
    summary = ranking.summarise(
        [r.pk for r in recs], [[by_number[n] for n in ballot] for ballot in ballots]
    )
    listed = sorted(summary.rows, key=lambda row: (-row.borda, row.schulze_position))
    return [by_pk[row.item] for row in listed]


def test_a_whole_workshop(live_server, phone, site, settings, tmp_path):
    # The grace for answers already on their way when time runs out is tested
    # elsewhere; here a late answer must be refused as soon as time is out.
    settings.SUBMISSION_GRACE_SECONDS = 0
    base = live_server.url
    discussion = site.discussion
    Discussion.objects.filter(pk=discussion.pk).update(duration_seconds=DURATION)
    steps = {}
    t0 = time.monotonic()

    # --- The facilitator opens the projector from their list of workshops.
    projector = phone(viewport=PROJECTOR)
    log_in(projector, base)
    projector.get_by_role("link", name=site.workshop.title).click()
    projector.get_by_role("link", name="Projektor").click()
    expect(projector.locator(".f-timer")).to_have_attribute("data-state", "not_started")
    expect(projector.locator(".f-timer-clock")).to_have_text("1:00")
    code = projector.locator(".pj-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code), code
    screenshot(projector, "workshop-projector-before")

    # --- A second facilitator keeps the dashboard open all along.
    dashboard = phone(viewport=PROJECTOR)
    log_in(dashboard, base)
    dashboard.goto(f"{base}/f/d/{discussion.pk}/")
    loads = []
    dashboard.on("load", lambda page: loads.append(page.url))
    for group in site.groups:
        dashboard.locator(f"#group-{group.pk} > summary").click()

    # --- Space starts the clock; every screen sees it.
    projector.keyboard.press("Space")
    expect(projector.locator(".f-timer")).to_have_attribute("data-state", "running")
    expect(dashboard.locator(".f-timer")).to_have_attribute("data-state", "running")
    steps["start"] = time.monotonic() - t0

    # --- Six phones join by the code on the projector, rank and say why.
    phones = []
    for group, order, why in PLANS:
        page = phone()
        join(page, base, code, group)
        expect(page.locator(".timer-box")).to_have_class(re.compile(r"\bstate-running\b"))
        rank(page, order, why)
        phones.append(page)
    steps["six phones ranked"] = time.monotonic() - t0

    # --- Missing areas and activities, and +1 from the others at the same table.
    add_area(phones[0], AREA_1)
    add_area(phones[3], AREA_2)
    add_activity(phones[1], *ACTIVITY_1)
    add_activity(phones[4], *ACTIVITY_2)
    for page in (phones[1], phones[2]):
        plus_one(page, "areas-list", AREA_1)
    for page in (phones[4], phones[5]):
        plus_one(page, "areas-list", AREA_2)
    plus_one(phones[0], "activities-list", ACTIVITY_1[1])
    plus_one(phones[5], "activities-list", ACTIVITY_2[1])
    # A table sees only its own texts.
    go_to(phones[2], "Saknas")
    expect(phones[2].locator("#areas-list")).not_to_contain_text(AREA_2)
    steps["texts and +1"] = time.monotonic() - t0

    # --- The dashboard shows the right order, per table and overall, without a reload.
    overall = expected_order([order for _, order, _ in PLANS])
    expect(dashboard.locator("#ranking-overall tbody th .rec-label")).to_have_text(
        [f"Rek. {n}" for n in overall], timeout=10_000
    )
    for group in site.groups:
        mine = expected_order([order for name, order, _ in PLANS if name == group.name])
        expect(dashboard.locator(f"#group-{group.pk} tbody th .rec-label")).to_have_text(
            [f"Rek. {n}" for n in mine]
        )
    expect(dashboard.locator("#dash-areas")).to_contain_text(AREA_1)
    expect(dashboard.locator("#dash-areas .f-entry", has_text=AREA_1)).to_contain_text("+2")
    expect(dashboard.locator("#dash-areas .f-entry", has_text=AREA_2)).to_contain_text("+2")
    expect(dashboard.locator("#dash-activities .f-entry", has_text=ACTIVITY_1[1])).to_contain_text(
        "+1"
    )
    assert loads == [], f"the dashboard reloaded: {loads}"
    steps["dashboard right"] = time.monotonic() - t0

    # The projector counts who has ranked, per table.
    expect(projector.locator(".pj-totals")).to_contain_text("6 anslutna")
    expect(projector.locator(".pj-group-count")).to_have_text([re.compile(r"3\s*/\s*3")] * 2)
    # The first phone's poll has brought the others' +1s to its own area.
    go_to(phones[0], "Saknas")
    expect(phones[0].locator("#areas-list .entry-mine .count")).to_have_text(
        re.compile(r"2"), timeout=10_000
    )
    screenshot(phones[0], "workshop-phone")
    screenshot(projector, "workshop-projector")
    screenshot(dashboard, "workshop-dashboard")

    # --- The last phone at table 2 has been writing while its polls could not get
    # through (a locked screen, the venue's wifi): it does not know time is out.
    late = phones[5]
    late.route("**/poll/**", lambda route: route.abort("internetdisconnected"))
    go_to(late, "Saknas")
    late.fill("#area-text", LATE_TEXT)
    left = projector.locator(".f-timer-clock").inner_text()
    assert int(left.split(":")[0]) * 60 + int(left.split(":")[1]) > 5, (
        f"the phones took too long ({steps}); only {left} was left"
    )

    # --- The time runs out on its own, on every screen.
    remaining_ms = (DURATION - (time.monotonic() - t0 - steps["start"]) + 20) * 1000
    expect(projector.locator(".f-timer")).to_have_attribute(
        "data-state", "ended", timeout=remaining_ms
    )
    expect(projector.locator(".f-timer-clock")).to_have_text("0:00")
    expect(projector.locator(".f-timer-state")).to_have_text("Tiden är ute")
    expect(dashboard.locator(".f-timer")).to_have_attribute("data-state", "ended")
    expect(phones[0].locator(".timer-label")).to_have_text("Tiden är ute", timeout=10_000)
    steps["time out"] = time.monotonic() - t0
    screenshot(projector, "workshop-projector-ended")

    # The late phone's own clock ran out too: its form is closed, the text kept to
    # copy, and nothing more is sent (the server's grace period is for requests
    # already on their way).
    expect(late.locator(".timer-label")).to_have_text("Tiden är ute")
    expect(late.locator("#closed-notice")).to_be_visible()
    expect(late.get_by_role("button", name="Lägg till område")).to_be_disabled()
    expect(late.locator("#area-text")).to_have_value(LATE_TEXT)
    assert late.locator("#area-text").evaluate("el => el.readOnly")
    screenshot(late, "workshop-phone-late")
    # A phone that comes to join only now is told so too.
    latecomer = phone()
    latecomer.goto(f"{base}/j/{code}/")
    expect(latecomer.locator("h1")).to_have_text("Tiden är ute")

    # --- Everything was stored exactly once.
    people = list(Participant.objects.order_by("pk"))
    assert len(people) == len(PLANS)
    for person, (group, order, why) in zip(people, PLANS, strict=True):
        assert person.group.name == group
        assert person.why == why
        assert (
            list(
                Ranking.objects.filter(participant=person)
                .order_by("position")
                .values_list("recommendation__number", flat=True)
            )
            == order
        )
    assert sorted(MissingArea.objects.values_list("text", flat=True)) == sorted([AREA_1, AREA_2])
    assert MissingAreaEndorsement.objects.count() == 4
    assert ActivityProposal.objects.count() == 2
    assert ActivityEndorsement.objects.count() == 2

    # --- The organiser downloads the XLSX export and opens it.
    organiser = dashboard
    organiser.goto(f"{base}/f/w/{site.workshop.pk}/export/")
    with organiser.expect_download() as download_info:
        organiser.get_by_role("button", name="Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    download.save_as(tmp_path / download.suggested_filename)
    workbook = openpyxl.load_workbook(tmp_path / download.suggested_filename, read_only=True)

    rows = list(workbook["Rangordningar"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    ballots = {}
    for row in body:
        ballots.setdefault((row[col["Grupp"]], row[col["Deltagare"]]), []).append(
            (row[col["Plats"]], row[col["Nr"]])
        )
    exported = sorted((group, [n for _, n in sorted(b)]) for (group, _), b in ballots.items())
    assert exported == sorted((group, order) for group, order, _ in PLANS)

    summary = list(workbook["Sammanfattning"].iter_rows(values_only=True))
    head = summary[0]
    places = [
        (row[head.index("Plats")], row[head.index("Nr")])
        for row in summary[1:]
        if row and row[0] == discussion.title and isinstance(row[head.index("Plats")], int)
    ][: len(overall)]
    # Listed as the screens list them; equal points share a place.
    assert [n for _, n in places] == overall
    assert [p for p, _ in places] == sorted(p for p, _ in places)
    steps["exported"] = time.monotonic() - t0
    print("workshop steps (s):", {k: round(v, 1) for k, v in steps.items()})


def test_the_dashboard_draws_a_closed_group_when_it_is_opened(live_server, phone, site):
    """A poll draws only the open groups' tables; opening another asks for its table
    at once, though nothing has changed since the last redraw."""
    base, d = live_server.url, site.discussion.pk
    call_command("crowd", str(d), participants=12, seed=4, verbosity=0)
    dashboard = phone(viewport=PROJECTOR)
    log_in(dashboard, base)
    dashboard.goto(f"{base}/f/d/{d}/")
    group = dashboard.locator(f"#group-{site.groups[0].pk}")
    expect(group.locator("table")).to_have_count(1)  # the whole page draws them all
    set_clock(site.discussion, "running")  # a change: the next poll redraws
    expect(group).to_have_attribute("data-lazy", "")
    expect(group.locator("table")).to_have_count(0)
    group.locator("summary").click()
    expect(group.locator("table")).to_be_visible()
    expect(group).to_have_attribute("open", "")
    expect(group).not_to_have_attribute("data-lazy", "")
