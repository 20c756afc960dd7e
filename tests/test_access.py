"""Every URL of the project × every role: the status each gets, asserted.

The list of URLs comes from the URL resolver, so a URL added without a row here
fails `test_every_url_has_a_row`. Roles: anonymous, a participant of this
discussion, a participant of another discussion, a facilitator of this workshop
(alice), a facilitator of another (bob), and staff with no workshop (charlie).
Other people's objects answer 404, never 403: nothing tells that they exist.

Each request runs in a transaction that is rolled back, so one row's POST (say,
deleting the workshop) cannot change what the next row sees.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from discussions import facilitator_writes, timer
from discussions.models import Group, Invitation, MissingArea, Participant, Workshop
from recommendations.models import RecommendationSet
from tests.base import BaseTestCase

ROLES = ["anonymous", "participant", "other_participant", "alice", "bob", "charlie"]
LOGIN = 302  # login_required: to the login page
ME_ONLY = "participant"


def url_names(patterns=None, namespace=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


@dataclass
class Row:
    name: str
    kwargs: dict = field(default_factory=dict)
    method: str = "get"
    data: dict = field(default_factory=dict)
    expect: dict = field(default_factory=dict)  # role -> status
    query: str = ""


def everyone(status):
    return dict.fromkeys(ROLES, status)


def phone_only(ok):
    """The participant's own pages: theirs to use, a 404 for everyone else."""
    return {**everyone(404), ME_ONLY: ok}


def members_only(ok):
    """Facilitator pages: login first; only the workshop's members get in."""
    return {
        "anonymous": LOGIN,
        "participant": LOGIN,
        "other_participant": LOGIN,
        "alice": ok,
        "bob": 404,
        "charlie": 404,
    }


class AccessTableTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        now = timezone.now()
        for discussion in (cls.discussion, cls.other_discussion):
            discussion.set_clock(timer.start(discussion.clock, now))
            discussion.save()
        cls.empty_table = Group.objects.create(discussion=cls.discussion, name="Bord 9")
        cls.alices_set = RecommendationSet.objects.create(
            slug="alices", name="Alices lista", created_by=cls.alice
        )
        cls.alices_set.recommendations.create(number=1, title="Alfa")
        cls.invitation = Invitation.objects.create(
            workshop=cls.workshop, invitee=cls.bob, invited_by=cls.alice
        )
        # A second workshop of alice's on the same list, to compare with the first.
        cls.second_workshop = Workshop.objects.create(
            title="Gränssamarbete i Dalsland", recommendation_set=cls.rec_set
        )
        cls.second_workshop.members.add(cls.alice)

    def setUp(self):
        cache.clear()
        self.clients = {role: self.client_class() for role in ROLES}
        joined = self.clients["participant"].post("/j/VARM26/", {"group": self.table1.pk})
        assert joined.status_code == 303
        joined = self.clients["other_participant"].post(
            "/j/DALA27/", {"group": self.other_table.pk}
        )
        assert joined.status_code == 303
        self.users = {"alice": self.alice, "bob": self.bob, "charlie": self.charlie}
        me = Participant.objects.get(discussion=self.discussion)
        self.my_area = MissingArea.objects.create(
            discussion=self.discussion, group=self.table1, author=me, text="Turism"
        )
        duplicate = MissingArea.objects.create(
            discussion=self.discussion, group=self.table1, author=me, text="Turismen"
        )
        self.merge = facilitator_writes.merge(
            MissingArea, self.discussion.pk, duplicate.pk, self.my_area.pk
        )
        self.rows = self.table()

    def table(self):
        d = {"discussion_id": self.discussion.pk}
        w = {"workshop_id": self.workshop.pk}
        area = {**d, "kind": "area", "pk": self.my_area.pk}
        own = {"set_id": self.alices_set.pk}
        public = everyone(200)
        return [
            Row("home", expect=public),
            Row("join_code", {"code": "VARM26"}, expect={**public, ME_ONLY: 302}),
            Row("healthz", expect=public),
            Row("accessibility", expect=public),
            Row("recommendations:list", expect=public),
            Row("recommendations:set", {"slug": self.rec_set.slug}, expect=public),
            Row("login", expect=public),
            Row("logout", method="post", expect=everyone(302)),
            Row("set_language", method="post", data={"language": "nb"}, expect=everyone(302)),
            # The phone
            Row("phone", d, expect=phone_only(200)),
            Row("phone_done", d, expect=phone_only(200)),
            Row("phone_results", d, expect=phone_only(200)),
            Row(
                "phone_poll",
                d,
                query=f"rev=0&mode=open&g={self.table1.pk}",
                expect=phone_only(200),
            ),
            Row("phone_rank", d, "post", {"order": "1,2"}, phone_only(303)),
            Row("phone_why", d, "post", {"why": "Pendling"}, phone_only(303)),
            Row("phone_table", d, expect=phone_only(200)),
            Row("phone_table", d, "post", {"base": "0", "why": "Tåget"}, phone_only(303)),
            Row("phone_group", d, "post", {"group": self.table2.pk}, phone_only(303)),
            Row("entry_add", {**d, "kind": "area"}, "post", {"text": "Kultur"}, phone_only(303)),
            Row("entry_edit", area, expect=phone_only(200)),
            Row("entry_withdraw", area, "post", expect=phone_only(303)),
            Row("entry_endorse", area, "post", {"want": "1"}, phone_only(303)),
            # The facilitator
            Row("facilitator:workshops", expect=members_only(200) | {"bob": 200, "charlie": 200}),
            Row(
                "facilitator:workshop_create",
                expect=members_only(200) | {"bob": 200, "charlie": 200},
            ),
            Row("facilitator:workshop", w, expect=members_only(200)),
            Row("facilitator:workshop_edit", w, expect=members_only(200)),
            Row("facilitator:workshop_invite", w, "post", {"username": "bob"}, members_only(303)),
            Row("facilitator:workshop_leave", w, expect=members_only(200)),
            # An invitation: its invitee's to answer, a 404 for anyone else.
            Row(
                "facilitator:invitation_accept",
                {"invitation_id": self.invitation.pk},
                "post",
                expect=members_only(404) | {"bob": 303},
            ),
            Row(
                "facilitator:invitation_decline",
                {"invitation_id": self.invitation.pk},
                "post",
                expect=members_only(404) | {"bob": 303},
            ),
            Row("facilitator:discussion_create", w, expect=members_only(200)),
            Row("facilitator:dashboard", d, expect=members_only(200)),
            Row("facilitator:dashboard_live", d, expect=members_only(200)),
            Row("facilitator:discussion_edit", d, expect=members_only(200)),
            Row("facilitator:groups", d, expect=members_only(200)),
            Row("facilitator:groups_create", d, "post", {"count": "2"}, members_only(303)),
            Row(
                "facilitator:group_rename",
                {**d, "group_id": self.table2.pk},
                "post",
                {"name": "Fönsterbordet"},
                members_only(303),
            ),
            Row(
                "facilitator:group_delete",
                {**d, "group_id": self.empty_table.pk},
                "post",
                expect=members_only(303),
            ),
            Row("facilitator:projector", d, expect=members_only(200)),
            Row("facilitator:projector_live", d, expect=members_only(200)),
            Row("facilitator:projector_results", d, expect=members_only(200)),
            Row("facilitator:projector_results_live", d, expect=members_only(200)),
            Row("facilitator:projector_areas", d, expect=members_only(200)),
            Row("facilitator:projector_areas_live", d, expect=members_only(200)),
            Row("facilitator:projector_activities", d, expect=members_only(200)),
            Row("facilitator:projector_activities_live", d, expect=members_only(200)),
            Row("facilitator:projector_reasons", d, expect=members_only(200)),
            Row("facilitator:projector_reasons_live", d, expect=members_only(200)),
            Row("facilitator:projector_coverage", d, expect=members_only(200)),
            Row("facilitator:projector_coverage_live", d, expect=members_only(200)),
            Row("facilitator:projector_show", d, "post", {"view": "areas"}, members_only(303)),
            Row("facilitator:projector_names", d, "post", {"names": "1"}, members_only(303)),
            Row("facilitator:end_confirm", d, expect=members_only(200), query="next=projector"),
            Row("facilitator:timer", {**d, "action": "pause"}, "post", expect=members_only(303)),
            Row("facilitator:reveal", d, "post", {"reveal": "1"}, members_only(303)),
            # Round 1 has not ended here: a member gets the reason, anyone else nothing.
            Row("facilitator:second_round", d, "post", {"minutes": "10"}, members_only(409)),
            Row("facilitator:entry_hide", area, "post", {"hidden": "1"}, members_only(303)),
            Row("facilitator:entry_merge", area, expect=members_only(200)),
            Row(
                "facilitator:merge_undo",
                {**d, "event_id": self.merge.pk},
                "post",
                expect=members_only(303),
            ),
            Row(
                "facilitator:compare",
                query=f"w={self.workshop.pk}&w={self.second_workshop.pk}",
                expect=members_only(200),
            ),
            # A facilitator's own recommendation lists, and their password
            Row("sets:list", expect=members_only(200) | {"bob": 200, "charlie": 200}),
            Row("sets:create", expect=members_only(200) | {"bob": 200, "charlie": 200}),
            Row("sets:set", own, expect=members_only(200)),
            Row("sets:edit", own, expect=members_only(200)),
            Row("sets:copy", own, "post", expect=members_only(303)),
            Row("sets:delete", own, expect=members_only(200)),
            Row("password_change", expect=members_only(200) | {"bob": 200, "charlie": 200}),
            Row("password_change_done", expect=members_only(200) | {"bob": 200, "charlie": 200}),
            # The organiser's exports and deletion
            Row("export:page", w, expect=members_only(200)),
            Row("export:download", w, query="format=json", expect=members_only(200)),
            Row("export:report", w, expect=members_only(200)),
            Row("export:delete_participants", w, expect=members_only(200)),
            Row("export:delete_workshop", w, expect=members_only(200)),
            # Django's admin: staff only (its views and permissions are Django's own).
            Row("admin:index", expect={**everyone(302), "charlie": 200}),
        ]

    def request(self, role, row):
        url = reverse(row.name, kwargs=row.kwargs) + (f"?{row.query}" if row.query else "")
        client = self.clients[role]
        if role in self.users:
            # Logged in afresh for every request: the logout row logs out.
            client.force_login(self.users[role])
        with transaction.atomic():
            response = getattr(client, row.method)(url, row.data)
            transaction.set_rollback(True)
        return response

    def test_every_url_has_a_row(self):
        covered = {row.name for row in self.rows}
        missing = [
            name
            for name in url_names()
            if name not in covered and not (name.startswith("admin:") and name != "admin:index")
        ]
        self.assertEqual(missing, [], "add these URLs to the access table")

    def test_every_role_gets_the_expected_status(self):
        for row in self.rows:
            self.assertEqual(set(row.expect), set(ROLES), row.name)
            for role in ROLES:
                with self.subTest(url=row.name, role=role):
                    cache.clear()  # one row's failed attempts must not limit the next
                    response = self.request(role, row)
                    self.assertEqual(response.status_code, row.expect[role])
                    sent_to_login = row.expect[role] == LOGIN and role != "alice"
                    if sent_to_login and row.name.startswith(("facilitator:", "export:")):
                        self.assertTrue(response["Location"].startswith("/konto/logga-in/"))

    def test_ids_of_another_workshop_inside_my_urls_are_404(self):
        """alice's own discussion in the URL, but bob's entry or group in it."""
        theirs_author = Participant.objects.create(
            discussion=self.other_discussion, group=self.other_table
        )
        theirs = MissingArea.objects.create(
            discussion=self.other_discussion,
            group=self.other_table,
            author=theirs_author,
            text="Deras",
        )
        d = {"discussion_id": self.discussion.pk}
        alice = self.clients["alice"]
        alice.force_login(self.alice)
        cases = [
            (
                "post",
                reverse("facilitator:entry_hide", kwargs={**d, "kind": "area", "pk": theirs.pk}),
                {"hidden": "1"},
            ),
            (
                "get",
                reverse("facilitator:entry_merge", kwargs={**d, "kind": "area", "pk": theirs.pk}),
                {},
            ),
            (
                "post",
                reverse("facilitator:group_rename", kwargs={**d, "group_id": self.other_table.pk}),
                {"name": "x"},
            ),
            (
                "post",
                reverse("facilitator:group_delete", kwargs={**d, "group_id": self.other_table.pk}),
                {},
            ),
        ]
        for method, url, data in cases:
            with self.subTest(url=url):
                self.assertEqual(getattr(alice, method)(url, data).status_code, 404)
        theirs.refresh_from_db()
        self.assertFalse(theirs.hidden)
        self.other_table.refresh_from_db()
        self.assertEqual(self.other_table.name, "Bord 1")

        me = self.clients["participant"]
        for action, data in [("endorse", {"want": "1"}), ("edit", {"text": "x"}), ("withdraw", {})]:
            url = reverse(f"entry_{action}", kwargs={**d, "kind": "area", "pk": theirs.pk})
            with self.subTest(url=url):
                self.assertEqual(me.post(url, data).status_code, 404)
