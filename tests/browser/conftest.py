"""Real Chromium for browser tests, driven by Playwright; never a downloaded browser.

Without Chromium (a developer's machine) the tests skip with a message; with
REQUIRE_BROWSER set (CI) a missing browser is a failure.
"""

import json
import os
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1366, "height": 768}
# axe-core from the npm registry, pinned in tests/browser/package.json and its lock
# file and installed by scripts/test (npm ci); test-only, never committed or served.
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the Django calls the
# tests make between browser steps are ordinary blocking ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _unavailable(reason):
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"REQUIRE_BROWSER is set but {reason}", pytrace=False)
    pytest.skip(f"browser tests need Chromium and axe-core: {reason}")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} does not exist")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    """A factory of phones: each its own browser context, cookies and all.

    Every page's console is watched: a Content Security Policy violation (an
    inline script or style, an eval) fails the test that caused it.
    """
    contexts, violations = [], []

    def watch(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    def make(viewport=PHONE, **options):
        # A Swedish audience unless a test says otherwise: Accept-Language picks the
        # interface's language on every page, before the workshop's.
        options.setdefault("locale", "sv-SE")
        context = browser.new_context(viewport=viewport, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", watch)
        return page

    yield make
    for context in contexts:
        context.close()
    assert violations == [], violations


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    # From the top: a sticky header would otherwise show wherever the page was scrolled.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# --- A workshop to test against ----------------------------------------------------


@pytest.fixture
def site(transactional_db, settings):
    """A facilitator, and their workshop with one discussion at two tables, not started.

    The cache (rate limits) is emptied so that no earlier test's failed joins or
    logins count against this one.
    """
    # Argon2 takes about a second for every login on a small machine, and these
    # tests log in a dozen times; the real hasher is tested in test_login.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache
    from django.core.management import call_command

    from discussions.models import Discussion, Group, Workshop
    from recommendations.models import RecommendationSet
    from tests.base import make_user

    cache.clear()
    call_command("loaddata", "recommendations", verbosity=0)
    rec_set = RecommendationSet.objects.get()
    user = make_user("facilitator")
    workshop = Workshop.objects.create(
        title="Gränssamarbete i Värmland", place="Karlstad", recommendation_set=rec_set
    )
    workshop.members.add(user)
    discussion = Discussion.objects.create(
        workshop=workshop, title="Gruppdiskussion", recommendation_set=rec_set
    )
    groups = [
        Group.objects.create(discussion=discussion, name=f"Bord {i}", position=i) for i in (1, 2)
    ]
    yield SimpleNamespace(user=user, workshop=workshop, discussion=discussion, groups=groups)
    cache.clear()


def log_in(page, base, username="facilitator"):
    """Log in as a person does, and land on the list of workshops."""
    from tests.base import PASSWORD

    page.goto(base + "/konto/logga-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(base + "/f/")


PHONE_POLL = re.compile(r"/d/\d+/poll/")


def hold_phone_polls(page_or_context):
    """Phones stop hearing from the server: for tests that change the discussion's
    state and then load the page themselves. (A poll noticing the change reloads
    the page by itself, and could do so just as the test navigates, aborting it.)"""
    page_or_context.route(PHONE_POLL, lambda route: route.abort())


def set_clock(discussion, state, left=None):
    """Put the discussion's timer in a state ("not_started", "running", "paused",
    "ended"), with `left` seconds left when running or paused; bumps the revision so
    every polling screen notices."""
    from django.db.models import F
    from django.utils import timezone

    from discussions.models import Discussion

    now = timezone.now()
    duration = Discussion.objects.get(pk=discussion.pk).duration_seconds
    left = duration // 2 if left is None else left
    fields = {"started_at": None, "paused_at": None, "paused_seconds": 0, "ended_at": None}
    if state in ("running", "paused"):
        fields["started_at"] = now - timedelta(seconds=duration - left)
    if state == "paused":
        # Paused a moment ago, with the same time left as given.
        fields["started_at"] -= timedelta(seconds=5)
        fields["paused_at"] = now - timedelta(seconds=5)
    if state == "ended":
        fields["started_at"] = now - timedelta(seconds=duration + 60)
        fields["ended_at"] = now - timedelta(seconds=60)
    Discussion.objects.filter(pk=discussion.pk).update(**fields, revision=F("revision") + 1)


# --- Accessibility ---------------------------------------------------------------------

BLOCKING_IMPACTS = ("serious", "critical")


def run_axe(page):
    """axe-core's violations on the page as it is now: a list of plain dicts.

    The page's context must be made with bypass_csp=True: injecting axe is an inline
    script, which the app's Content Security Policy rightly blocks.
    """
    if not AXE.exists():
        _unavailable(f"{AXE} is missing: run 'npm ci --prefix tests/browser'")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }"""
    )


def write_artifact(name, data):
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
