"""Hostile input on every facilitator and export endpoint: a 4xx with a message or a
success, never a 5xx, and a consistent database afterwards.

The endpoints come from the URL resolver (the facilitator and export namespaces), so a
URL added without a row in `specs` fails test_every_endpoint_is_fuzzed, which also
asks each view which methods it accepts, so a view that starts taking POSTs cannot
go unfuzzed. hypothesis fills the URLs with real and foreign ids, huge, negative and
non-numeric ones, and the forms and query strings with nasty strings, missing
fields and stray extra ones, sent as multipart or urlencoded, with and without htmx;
a separate test sends wrong methods and content types. Each example starts the
discussion in a random clock state and makes a few requests in a row, logged in as
the workshop's facilitator (alice); hypothesis' TestCase rolls back after each.

After every request the database must hold what the code promises: clocks are
possible, revisions (the discussion's, each group's and their sum, the live revision
screens compare) only rise, ballots run 1..k over their discussion's list, texts and
+1s stay inside their discussion, a merge points at an entry that is not merged
itself, a frozen report belongs to an ended discussion, a workshop keeps a member; and
after each example every row passes full_clean (field limits, choices, check and
unique constraints).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache as memoize
from urllib.parse import quote, urlencode

from django.core.cache import cache
from django.db.models import F
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from discussions import facilitator_writes, timer
from discussions.facilitator_writes import TIMER_ACTIONS
from discussions.models import (
    DEFAULT_QUESTION_ACTIVITIES,
    DEFAULT_QUESTION_MISSING,
    DEFAULT_QUESTION_RANK,
    NAME_MAX,
    QUESTION_MAX,
    TITLE_MAX,
    ActivityEndorsement,
    ActivityProposal,
    Discussion,
    Group,
    Invitation,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
    Ranking,
    ReportSnapshot,
    Workshop,
)
from tests.base import BaseTestCase, add_activity, add_area, add_participant

NAMESPACES = ("facilitator", "export")
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
]
NASTY = [
    *MARKUP,
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x07\x1b",
    "\u200b\u200b",
    "\ufeff",
    "\u202eevil\u202c",
    "\u200f\u200e",
    "😀" * 3,
    "👩‍👩‍👧‍👦",
    "'; DROP TABLE discussions_group; --",
    "' OR 1=1 --",
    '=HYPERLINK("http://evil","x")',
    "=1+1",
    "+1",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "x" * 10_000,
    "å" * 201,
    "Bord 1",
    "0",
    "-1",
    "1.5",
    "1e3",
    "٣",
    "99999999999999999999999999",
    "NaN",
    "None",
    "null",
    "[]",
    "{}",
    "../../etc/passwd",
    "%00",
]
texts = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))
# Odd but acceptable: what a form should take and a page show back, escaped.
ODD_BUT_FINE = [t for t in NASTY if t.strip() and "\x00" not in t and len(t) <= 40]
# Where integer columns end: SQLite raises OverflowError past 2**63 - 1 unless Django
# sees the value is out of range first.
EDGES = [2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64]
huge_or_odd = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(EDGES).map(str),
    st.sampled_from(NASTY),
)
# A path segment that is not a number: the resolver should answer 404, never crash.
odd_segment = st.one_of(
    st.sampled_from(["-1", "1e3", "٣", "0x10", "%00", "NaN", "😀"]),
    st.text(min_size=1, max_size=12),
)
STATES = ["not_started", "running", "paused", "ended", "expired"]
EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def mostly(valid, junk, odds=3):
    """`odds` draws valid to one of junk, so that most requests get past the lookups;
    valid first, so that hypothesis starts from and shrinks towards it."""
    return st.integers(0, odds).flatmap(lambda i: junk if i == odds else valid)


def maybe(strategy):
    return mostly(strategy, st.none())  # None: the field is left out


def typed(limit):
    """For a text field of at most `limit` characters: what a person might type (odd
    characters and markup included), one character too many, or junk. The form is
    spoilt on purpose here (send() starts from a good one), so each is as likely."""
    fine = st.one_of(st.text(min_size=1, max_size=min(limit, 60)), st.sampled_from(ODD_BUT_FINE))
    over = st.sampled_from(["x" * (limit + 1), "å" * (limit + 1), "😀" * (limit + 1)])
    return st.one_of(fine, over, texts)


def choice(values):
    return mostly(st.sampled_from(values), texts)


def ids(values):
    return mostly(st.sampled_from(values).map(str), huge_or_odd)


def _routes(patterns=None, prefix="", namespace=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _routes(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", route


@memoize
def endpoint_routes() -> dict[str, str]:
    """URL name -> its route with the <converter:name> parts, e.g. f/d/<int:discussion_id>/."""
    return {name: route for name, route in _routes() if name.split(":", 1)[0] in NAMESPACES}


@dataclass
class Spec:
    family: str  # which test fuzzes it
    methods: tuple[str, ...]  # what the view accepts, besides HEAD
    fields: dict = field(default_factory=dict)  # query fields for GET, form fields for POST
    good: dict = field(default_factory=dict)  # a request that succeeds, for the fuzz to spoil


class FacilitatorFuzzTests(TestCase, BaseTestCase):
    """BaseTestCase's personas; hypothesis' TestCase rolls back after every example."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        d = cls.discussion
        # Written to and left: a revision of its own that a delete must not lose.
        cls.empty_table = Group.objects.create(discussion=d, name="Bord 9", position=9, revision=7)
        # Nobody sits here any more, but an entry written here still does: RESTRICT.
        cls.left_table = Group.objects.create(discussion=d, name="Bord 3", position=3)
        # Bob invites alice to his workshop; alice invites charlie to hers.
        cls.alices_invitation = Invitation.objects.create(
            workshop=cls.other_workshop, invitee=cls.alice, invited_by=cls.bob
        )
        cls.charlies_invitation = Invitation.objects.create(
            workshop=cls.workshop, invitee=cls.charlie, invited_by=cls.alice
        )
        me = add_participant(d, cls.table1, (1, 2, 3), why="Pendling", name="Ada")
        you = add_participant(d, cls.table2, (2, 1), why="Tåget", name="Bo")
        moved = add_participant(d, cls.table1)
        cls.areas = [
            add_area(me, "Turism", endorsers=[you]),
            add_area(you, "Turismen", endorsers=[me, moved]),
            add_area(you, "Skräp", hidden=True),
            MissingArea.objects.create(
                discussion=d, group=cls.left_table, author=moved, text="Kultur"
            ),
        ]
        add_area(moved, "Turism!", merged_into=cls.areas[0])
        cls.activities = [
            add_activity(me, "Pendeltåg", cls.recs[0], endorsers=[you]),
            add_activity(you, "Gemensam statistik", cls.recs[1]),
        ]
        # A merge in the log, for undoing.
        cls.merge_event = facilitator_writes.merge(
            MissingArea,
            d.pk,
            add_area(me, "Cyklar", endorsers=[you]).pk,
            add_area(you, "Cykelvägar", endorsers=[me]).pk,
        )
        cls.later = Discussion.objects.create(
            workshop=cls.workshop, title="Eftermiddag", recommendation_set=cls.rec_set
        )
        cls.later_table = Group.objects.create(discussion=cls.later, name="Bord 1")
        theirs = add_participant(cls.other_discussion, cls.other_table, (1,))
        cls.their_area = add_area(theirs, "Deras")
        # Mid-discussion revisions, as phones and controls would have left them: a write
        # that reset one would go unseen from zero.
        Discussion.objects.filter(pk=d.pk).update(revision=41)
        Group.objects.filter(pk__in=[cls.table1.pk, cls.table2.pk]).update(revision=13)

    def setup_example(self):
        super().setup_example()
        cache.clear()
        self.client.force_login(self.alice)
        self.seen_revisions = {}

    # --- What each endpoint takes -------------------------------------------------

    def specs(self) -> dict[str, Spec]:
        rec_sets = [self.rec_set.pk]
        good_workshop = {
            "title": "Gränsdialog i Arvika",
            "date": "2026-11-27",
            "place": "Arvika",
            "language": "nb",
            "recommendation_set": self.rec_set.pk,
        }
        good_discussion = {
            "title": "Eftermiddag",
            "duration_minutes": "25",
            "question_rank": DEFAULT_QUESTION_RANK,
            "question_missing": DEFAULT_QUESTION_MISSING,
            "question_activities": DEFAULT_QUESTION_ACTIVITIES,
            "recommendation_set": self.rec_set.pk,
        }
        workshop_form = {
            "title": typed(TITLE_MAX),
            "date": mostly(
                st.dates().map(lambda day: day.isoformat()),
                st.one_of(texts, st.sampled_from(["2026-02-30", "99999-01-01", "27/11/2026"])),
            ),
            "place": typed(TITLE_MAX),
            "language": choice(["sv", "nb", "en"]),
            "recommendation_set": ids(rec_sets),
        }
        minutes = mostly(st.integers(-5, 300).map(str), huge_or_odd)
        discussion_form = {
            "title": typed(TITLE_MAX),
            "duration_minutes": minutes,
            "question_rank": typed(QUESTION_MAX),
            "question_missing": typed(QUESTION_MAX),
            "question_activities": typed(QUESTION_MAX),
            "recommendation_set": ids(rec_sets),
            "shuffle_recommendations": choice(["on", "true", "1", "false", ""]),
        }
        back = {"next": choice(["dashboard", "projector", "results", "groups", "//evil.example"])}
        poll = {
            "rev": mostly(st.integers(-1, 60).map(str), texts),
            "state": choice([s.value for s in timer.State]),
        }
        vikt = {"vikt": choice(["deltagare", "grupp"])}
        title = self.workshop.title
        confirm = {
            "title": mostly(
                st.sampled_from([title, title.upper(), f"  {title}  ", title.replace(" ", "  ")]),
                texts,
            )
        }
        entries = [e.pk for e in self.areas + self.activities] + [self.their_area.pk]
        GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")
        return {
            "facilitator:workshops": Spec("setup", GET),
            "facilitator:workshop_create": Spec("setup", BOTH, workshop_form, good_workshop),
            "facilitator:workshop": Spec("setup", GET),
            "facilitator:workshop_edit": Spec("setup", BOTH, workshop_form, good_workshop),
            "facilitator:workshop_invite": Spec(
                "setup",
                POST,
                {"username": choice(["alice", "bob", "charlie", "nobody"])},
                {"username": "bob"},
            ),
            "facilitator:workshop_leave": Spec("setup", BOTH),
            "facilitator:invitation_accept": Spec("setup", POST),
            "facilitator:invitation_decline": Spec("setup", POST),
            "facilitator:discussion_create": Spec("setup", BOTH, discussion_form, good_discussion),
            "facilitator:discussion_edit": Spec("setup", BOTH, discussion_form, good_discussion),
            "facilitator:groups": Spec("groups", GET),
            "facilitator:groups_create": Spec(
                "groups",
                POST,
                {"count": mostly(st.integers(-2, 70).map(str), huge_or_odd)},
                {"count": "2"},
            ),
            "facilitator:group_rename": Spec(
                "groups", POST, {"name": typed(NAME_MAX)}, {"name": "Fönsterbordet"}
            ),
            "facilitator:group_delete": Spec("groups", POST, back),
            "facilitator:end_confirm": Spec("controls", GET, back),
            "facilitator:timer": Spec("controls", POST, back),
            "facilitator:reveal": Spec(
                "controls", POST, {"reveal": choice(["0", "1"]), **back}, {"reveal": "1"}
            ),
            "facilitator:second_round": Spec(
                "controls",
                POST,
                {"minutes": mostly(st.integers(-5, 2000).map(str), huge_or_odd), **back},
                {"minutes": "10"},
            ),
            "facilitator:entry_hide": Spec(
                "controls", POST, {"hidden": choice(["0", "1"]), **back}, {"hidden": "1"}
            ),
            "facilitator:entry_merge": Spec(
                "controls", BOTH, {"into": ids(entries)}, {"into": self.areas[1].pk}
            ),
            "facilitator:merge_undo": Spec(
                "controls", POST, {"reason": typed(TITLE_MAX), **back}, {"reason": "Fel"}
            ),
            "facilitator:compare": Spec(
                "export",
                GET,
                {
                    "w": ids([self.workshop.pk, self.other_workshop.pk]),
                    "format": choice(["xlsx", "json", "csv"]),
                },
                {"w": self.workshop.pk},
            ),
            "facilitator:dashboard": Spec(
                "screens", GET, {**vikt, "alla": choice(["1", "0"]), **poll}
            ),
            "facilitator:dashboard_live": Spec(
                "screens", GET, {**vikt, "alla": choice(["1", "0"]), **poll}
            ),
            "facilitator:projector": Spec("screens", GET),
            "facilitator:projector_live": Spec("screens", GET, poll),
            "facilitator:projector_results": Spec("screens", GET, vikt),
            "facilitator:projector_results_live": Spec("screens", GET, {**vikt, **poll}),
            "facilitator:projector_areas": Spec("screens", GET),
            "facilitator:projector_areas_live": Spec("screens", GET, poll),
            "facilitator:projector_activities": Spec("screens", GET),
            "facilitator:projector_activities_live": Spec("screens", GET, poll),
            "facilitator:projector_reasons": Spec("screens", GET),
            "facilitator:projector_reasons_live": Spec("screens", GET, poll),
            "facilitator:projector_coverage": Spec("screens", GET),
            "facilitator:projector_coverage_live": Spec("screens", GET, poll),
            "facilitator:projector_show": Spec(
                "controls",
                POST,
                {
                    "view": choice(
                        ["timer", "ranking", "areas", "activities", "reasons", "coverage", "x"]
                    ),
                    "page": mostly(st.integers(-2, 99).map(str), huge_or_odd),
                },
                {"view": "areas", "page": "1"},
            ),
            "facilitator:projector_names": Spec(
                "controls", POST, {"names": choice(["0", "1", "2", ""])}, {"names": "1"}
            ),
            "export:page": Spec("export", GET, {"namn": choice(["1", "0"])}),
            "export:download": Spec(
                "export",
                GET,
                {
                    "format": choice(["xlsx", "csv", "csv-nordic", "json"]),
                    "namn": choice(["1", "0"]),
                },
            ),
            "export:report": Spec("export", GET, vikt),
            "export:delete_participants": Spec("export", BOTH, confirm, {"title": title}),
            "export:delete_workshop": Spec("export", BOTH, confirm, {"title": title}),
        }

    def path_values(self) -> dict:
        """A strategy for each URL parameter: ours mostly, else someone else's or junk."""
        d = self.discussion
        # The later discussion's table once in nine: a mismatch is a 404 and no more.
        groups = [self.table1, self.table2, self.empty_table, self.left_table] * 2
        groups.append(self.later_table)
        foreign = {
            "workshop_id": self.other_workshop.pk,
            "discussion_id": self.other_discussion.pk,
            "group_id": self.other_table.pk,
            "pk": self.their_area.pk,
            "invitation_id": self.charlies_invitation.pk,
        }
        valid = {
            "workshop_id": st.just(self.workshop.pk),
            "discussion_id": st.sampled_from([d.pk] * 4 + [self.later.pk]),
            "group_id": st.sampled_from([g.pk for g in groups]),
            "pk": st.sampled_from([e.pk for e in self.areas + self.activities]),
            "kind": st.sampled_from(["area", "activity"]),
            "action": st.sampled_from([*TIMER_ACTIONS, "start", "end"]),
            "invitation_id": st.just(self.alices_invitation.pk),
            "event_id": st.just(self.merge_event.pk),
        }
        values = {}
        for name, strategy in valid.items():
            junk = [st.integers(0, 2**70), st.sampled_from(EDGES), odd_segment]
            if name in foreign:
                junk.append(st.just(foreign[name]))
            values[name] = mostly(strategy, st.one_of(*junk), odds=5)
        return values

    def valid_values(self) -> dict:
        return {
            "workshop_id": self.workshop.pk,
            "discussion_id": self.discussion.pk,
            "group_id": self.empty_table.pk,
            "pk": self.areas[0].pk,
            "kind": "area",
            "action": "pause",
            "invitation_id": self.alices_invitation.pk,
            "event_id": self.merge_event.pk,
        }

    def valid_url(self, name) -> str:
        """The URL with ids of alice's own objects, for asking a view what it accepts."""
        return self.fill(endpoint_routes()[name], self.valid_values())

    @staticmethod
    def fill(route, values) -> str:
        return "/" + CONVERTER.sub(lambda m: quote(str(values[m["name"]]), safe=""), route)

    # --- Requests -----------------------------------------------------------------

    def set_state(self, state):
        """Put the discussion's clock in one of its states (a valid row for each)."""
        now = timezone.now()
        clock = {
            "not_started": {},
            "running": {"started_at": now - timedelta(minutes=1)},
            "paused": {
                "started_at": now - timedelta(minutes=3),
                "paused_at": now - timedelta(minutes=1),
            },
            "ended": {"started_at": now - timedelta(minutes=3), "ended_at": now},
            "expired": {"started_at": now - timedelta(hours=2)},
        }[state]
        empty = {"started_at": None, "paused_at": None, "ended_at": None, "paused_seconds": 0}
        Discussion.objects.filter(pk=self.discussion.pk).update(**(empty | clock))
        self.check_database(full=False)

    def send(self, data, names):
        """One request to an endpoint of `names`, with what hypothesis makes up."""
        specs = self.specs()
        name = data.draw(st.sampled_from(sorted(names)), label="endpoint")
        spec = specs[name]
        route = endpoint_routes()[name]
        values = self.path_values()
        kwargs = {}
        for m in CONVERTER.finditer(route):
            strategy = values[m["name"]]
            if m["name"] == "pk" and kwargs.get("kind") in ("area", "activity"):
                # An id of the kind in the URL (kind comes first), else every kind and junk.
                own = self.areas if kwargs["kind"] == "area" else self.activities
                strategy = mostly(st.sampled_from([e.pk for e in own]), strategy)
            kwargs[m["name"]] = data.draw(strategy, label=m["name"])
        url = self.fill(route, kwargs)
        method = data.draw(st.sampled_from(spec.methods), label="method")
        # A working request with some of its fields spoilt (or left out): with none
        # spoilt, the fuzz reaches the success paths too.
        names = st.sampled_from(sorted(spec.fields) or [""])
        spoilt = data.draw(
            st.one_of(st.just(set()), st.sets(names, min_size=1, max_size=3)), label="spoil"
        )
        fields = {
            **spec.good,
            **{k: data.draw(maybe(spec.fields[k]), label=k) for k in sorted(spoilt) if k},
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        fields |= data.draw(
            st.dictionaries(st.text(min_size=1, max_size=8), texts, max_size=2), label="extra"
        )
        extra = {"HTTP_HX_REQUEST": "true"} if data.draw(st.booleans(), label="htmx") else {}
        if method == "GET":
            response = self.client.get(url, fields, **extra)
        elif data.draw(st.booleans(), label="urlencoded"):
            response = self.client.post(
                url, urlencode(fields), "application/x-www-form-urlencoded", **extra
            )
        else:
            response = self.client.post(url, fields, **extra)
        # Shown by --hypothesis-show-statistics: which answers the examples reached.
        event(f"{name} {method} {response.status_code}")
        self.check(response, method, fields.values())

    def run_family(self, data, family):
        self.set_state(data.draw(st.sampled_from(STATES), label="state"))
        names = [name for name, spec in self.specs().items() if spec.family == family]
        for _ in range(data.draw(st.integers(1, 3), label="requests")):
            self.send(data, names)
        self.check_database(full=True)

    # --- The checks ---------------------------------------------------------------

    def check(self, response, method="GET", sent=()):
        status = response.status_code
        self.assertLess(status, 500, response.content[:300])
        if 400 <= status < 500 and method != "HEAD":
            if status == 405:
                # Django's answer to a wrong method: the right ones, in a header.
                self.assertTrue(response.get("Allow"))
            else:
                self.assertTrue(response.content.strip(), f"a bare {status}")
        if response.get("Content-Type", "").startswith("text/html"):
            content = response.content.decode()
            for markup in MARKUP:
                if any(markup in str(value) for value in sent):
                    self.assertNotIn(markup, content)
        self.check_database()

    def check_database(self, full=False):
        """What must hold after every request; with full, every row's full_clean too
        (field limits, choices, check and unique constraints: SQLite does not enforce
        a CharField's length, so only this would catch a form that forgot one)."""
        now = timezone.now()
        for discussion in Discussion.with_live_revision(Discussion.objects.all()):
            clock = discussion.clock  # Clock() refuses an impossible combination
            self.assertGreaterEqual(timer.seconds_left(clock, now), 0)
            timer.state(clock, now)
            self.assert_rises(("discussion", discussion.pk), discussion.revision)
            # What dashboards and projectors compare: deleting a group must not lower it.
            self.assert_rises(("live", discussion.pk), discussion.live_revision)
        for group in Group.objects.all():
            self.assert_rises(("group", group.pk), group.revision)
        # A frozen report would miss answers given after it: its discussion is over.
        self.assertFalse(ReportSnapshot.objects.filter(discussion__ended_at=None).exists())
        self.assertFalse(Workshop.objects.filter(members=None).exists(), "nobody can open it")
        sets = dict(Discussion.objects.values_list("pk", "recommendation_set_id"))
        for participant in Participant.objects.select_related("group"):
            self.assertEqual(participant.group.discussion_id, participant.discussion_id)
            ballot = list(
                Ranking.objects.filter(participant=participant)
                .order_by("position")
                .values_list("position", "recommendation__recommendation_set_id")
            )
            self.assertEqual([p for p, _ in ballot], list(range(1, len(ballot) + 1)))
            # The form locks the list once somebody ranked, so no ballot is orphaned.
            self.assertTrue(all(s == sets[participant.discussion_id] for _, s in ballot))
            self.assertEqual(participant.ranked_at is not None, bool(ballot))
        for model in (MissingArea, ActivityProposal):
            for entry in model.objects.select_related("group", "author", "merged_into"):
                self.assertEqual(entry.group.discussion_id, entry.discussion_id)
                self.assertEqual(entry.author.discussion_id, entry.discussion_id)
                target = entry.merged_into
                if target is not None:
                    self.assertEqual(target.discussion_id, entry.discussion_id)
                    # Phones follow a merge one step only.
                    self.assertIsNone(target.merged_into_id)
        for model in (MissingAreaEndorsement, ActivityEndorsement):
            self.assertFalse(
                model.objects.exclude(entry__discussion_id=F("participant__discussion_id")).exists()
            )
        if full:
            for model in (Workshop, Discussion, Group, Participant, MissingArea, ActivityProposal):
                for row in model.objects.all():
                    row.full_clean()

    def assert_rises(self, key, revision):
        """A revision never goes back: a screen that saw it would miss the next change."""
        self.assertGreaterEqual(revision, self.seen_revisions.get(key, 0), key)
        self.seen_revisions[key] = revision

    # --- The tests ----------------------------------------------------------------

    def test_every_endpoint_is_fuzzed(self):
        self.client.force_login(self.alice)
        names = set(endpoint_routes())
        specs = self.specs()
        self.assertGreaterEqual(len(names), 20)
        self.assertEqual(sorted(names - set(specs)), [], "add these URLs to specs()")
        self.assertEqual(sorted(set(specs) - names), [], "these URLs are gone")
        self.assertEqual(
            {spec.family for spec in specs.values()},
            {"setup", "groups", "controls", "screens", "export"},
            "every family needs its test below",
        )
        posting = []
        for name in sorted(names):
            with self.subTest(name):
                # A method no view takes: the 405 lists the ones this view does.
                response = self.client.put(self.valid_url(name))
                self.assertEqual(response.status_code, 405)
                allowed = set(response["Allow"].split(", ")) - {"HEAD"}
                self.assertEqual(allowed, set(specs[name].methods))
                if "POST" in allowed:
                    posting.append(name)
        self.assertGreaterEqual(len(posting), 12, posting)

    def test_ids_past_the_integer_range_are_404(self):
        """Every id in every URL, one at a time, at and past the end of a 64-bit column."""
        self.client.force_login(self.alice)
        for name, route in sorted(endpoint_routes().items()):
            spec = self.specs()[name]
            for m in CONVERTER.finditer(route):
                if m["converter"] != "int":
                    continue
                for edge in (2**63, 2**64):
                    url = self.fill(route, {**self.valid_values(), m["name"]: edge})
                    for method in spec.methods:
                        with self.subTest(url=url, method=method):
                            send = self.client.get if method == "GET" else self.client.post
                            self.assertEqual(send(url, spec.good).status_code, 404)

    @EXAMPLES
    @given(data=st.data())
    def test_setup_forms(self, data):
        self.run_family(data, "setup")

    @EXAMPLES
    @given(data=st.data())
    def test_groups(self, data):
        self.run_family(data, "groups")

    @EXAMPLES
    @given(data=st.data())
    def test_controls(self, data):
        self.run_family(data, "controls")

    @EXAMPLES
    @given(data=st.data())
    def test_screens(self, data):
        self.run_family(data, "screens")

    @EXAMPLES
    @given(data=st.data())
    def test_export_and_delete(self, data):
        self.run_family(data, "export")

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        name=st.sampled_from(sorted(endpoint_routes())),
        method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
        body=st.one_of(
            st.binary(max_size=300),
            st.dictionaries(st.sampled_from(["title", "name", "count", "into", "next"]), texts).map(
                lambda fields: json.dumps(fields).encode()
            ),
            texts.map(lambda text: text.encode("utf-8", "replace")),
        ),
        content_type=st.sampled_from(
            [
                "application/json",
                "text/plain",
                "multipart/form-data; boundary=x",
                "multipart/form-data",
                "application/x-www-form-urlencoded",
                "application/xml",
                "",
            ]
        ),
        htmx=st.booleans(),
    )
    def test_wrong_methods_and_content_types(self, name, method, body, content_type, htmx):
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = self.client.generic(method, self.valid_url(name), body, content_type, **extra)
        self.check(response, method)
        self.check_database(full=True)
