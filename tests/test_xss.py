"""Stored XSS: markup typed into any text comes back escaped on every screen that shows it.

Each payload goes into every text a participant types (name, why, missing area,
activity) and every text a facilitator types that phones, projector, dashboard or
report show (workshop title and place, discussion titles, the three questions, group
names), each with a tag of its own so that a screen can be checked text by text.
Then every screen is fetched and, for each, the raw payload must be absent and the
escaped form of each text it shows must be present: a screen that stopped showing a
text would otherwise pass for a safe one.

Which screen shows which text (each `self.screen(...)` below lists its screen's):

- the participant's name: only that participant's own phone (header and name field);
  dashboard, projector and report never show names, and the export files carry
  them only when "Ta med deltagarnas namn" is ticked (files, not pages: see
  test_export_formats.py for their formula neutralising).
- why: the own phone, the dashboard (and its live part) and the report.
- missing areas and activities: phones of the author's group (and the poll
  fragment), the dashboard, the merge page and the report; hidden or merged-away
  ones only on the dashboard (hidden list, "Sammanslaget med").
- group names: the join page, the phone (own group in the header, all groups in the
  group chooser while the discussion runs, the own group's results once revealed),
  the projector, the revealed results, the dashboard and the report.
- the discussion title: join page, phone, projector, dashboard; the report names a
  discussion only when the workshop has several (hence a second one here).
- the questions: phone and report. The workshop title: join page, facilitator pages,
  report. The place: workshop pages and report.
"""

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from discussions import results
from discussions.models import (
    DEFAULT_QUESTION_ACTIVITIES,
    DEFAULT_QUESTION_MISSING,
    Invitation,
    MissingArea,
)
from tests.base import BaseTestCase

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
]
# Escaping cannot change this one; what matters is that it never becomes a link target.
SCRIPT_URL = re.compile(
    r"""(?:href|src|action|formaction|xlink:href|data)\s*=\s*["']?\s*javascript:""", re.I
)

PARTICIPANT_TEXTS = {"name1", "why1", "area1", "act1"}
ALL_TEXTS = {
    "ws-title",
    "ws-place",
    "d-title",
    "d2-title",
    "q1",
    "q2",
    "q3",
    "g1",
    "g2",
    *PARTICIPANT_TEXTS,
    "name2",
    "why2",
    "area2",
    "area3",
    "act2",
}


class StoredXssTests(BaseTestCase):
    def test_every_typed_text_is_escaped_on_every_screen(self):
        for payload in PAYLOADS:
            with self.subTest(payload=payload), transaction.atomic():
                # Results are cached per revision (in the cache and in this process),
                # and the rollback below reuses revisions.
                for kept in caches.all():
                    kept.clear()
                results.clear()
                self.check_payload(payload)
                transaction.set_rollback(True)

    # --- Typing it all in, through the real forms -----------------------------------

    def check_payload(self, payload):
        texts = {tag: f"{payload}#{tag}" for tag in ALL_TEXTS}
        self.texts = texts
        self.payload = payload
        d = self.discussion.pk
        alice = Client()
        alice.force_login(self.alice)

        self.post(
            alice,
            reverse("facilitator:workshop_edit", args=[self.workshop.pk]),
            {
                "title": texts["ws-title"],
                "place": texts["ws-place"],
                "date": "2026-11-27",
                "language": "sv",
                "recommendation_set": self.rec_set.pk,
            },
        )
        self.post(
            alice,
            reverse("facilitator:discussion_edit", args=[d]),
            {
                "title": texts["d-title"],
                "duration_minutes": "20",
                "question_rank": texts["q1"],
                "question_missing": texts["q2"],
                "question_activities": texts["q3"],
                "recommendation_set": self.rec_set.pk,
            },
        )
        self.post(
            alice,
            reverse("facilitator:discussion_create", args=[self.workshop.pk]),
            {
                "title": texts["d2-title"],
                "duration_minutes": "20",
                "question_rank": "Vad är viktigast?",
                "question_missing": DEFAULT_QUESTION_MISSING,
                "question_activities": DEFAULT_QUESTION_ACTIVITIES,
                "recommendation_set": self.rec_set.pk,
            },
        )
        for group, tag in ((self.table1, "g1"), (self.table2, "g2")):
            self.post(
                alice,
                reverse("facilitator:group_rename", args=[d, group.pk]),
                {"name": texts[tag]},
            )
        self.post(alice, reverse("facilitator:timer", args=[d, "start"]))

        # A refused join shows the typed name again, in the name field.
        stranger = Client()
        self.screen(
            "join refused",
            stranger.post("/j/VARM26/", {"name": texts["name1"]}),
            {"name1", "ws-title", "d-title", "g1", "g2"},
            status=400,
        )
        self.screen("join", stranger.get("/j/VARM26/"), {"ws-title", "d-title", "g1", "g2"})

        phone1 = self.phone(self.table1, "name1", "why1", order="1,2,3")
        phone2 = self.phone(self.table2, "name2", "why2", order="2,1")
        self.post(phone1, f"/d/{d}/area/", {"text": texts["area1"]})
        self.post(phone1, f"/d/{d}/activity/", {"text": texts["act1"], "recommendation": "1"})
        for tag in ("area2", "area3"):
            self.post(phone2, f"/d/{d}/area/", {"text": texts[tag]})
        self.post(phone2, f"/d/{d}/activity/", {"text": texts["act2"], "recommendation": "2"})
        area1, area2, area3 = (
            MissingArea.objects.get(text=texts[tag]) for tag in ("area1", "area2", "area3")
        )

        self.screen(
            "phone edit page",
            phone1.get(f"/d/{d}/area/{area1.pk}/edit/"),
            {"area1"},
        )
        merge_url = reverse("facilitator:entry_merge", args=[d, "area", area2.pk])
        self.screen(
            "merge page",
            alice.get(merge_url),
            {"ws-title", "d-title", "area2", "area1", "area3", "g1", "g2"},
        )
        self.post(alice, merge_url, {"into": area1.pk})
        self.post(
            alice, reverse("facilitator:entry_hide", args=[d, "area", area3.pk]), {"hidden": "1"}
        )

        self.check_running_screens(alice, phone1, phone2)
        self.post(alice, reverse("facilitator:reveal", args=[d]), {"reveal": "1"})
        self.post(alice, reverse("facilitator:timer", args=[d, "end"]))
        self.check_ended_screens(alice, phone1)

    def post(self, client, url, data=None):
        response = client.post(url, data or {})
        self.assertIn(response.status_code, (302, 303), (url, response.content[:500]))
        return response

    def phone(self, group, name_tag, why_tag, order):
        client = Client()
        d = self.discussion.pk
        self.post(client, "/j/VARM26/", {"group": group.pk, "name": self.texts[name_tag]})
        self.post(client, f"/d/{d}/rank/", {"order": order})
        self.post(client, f"/d/{d}/why/", {"why": self.texts[why_tag]})
        return client

    # --- The screens ----------------------------------------------------------------

    def check_running_screens(self, alice, phone1, phone2):
        d = self.discussion.pk
        w = self.workshop.pk
        group_texts = {"g1", "g2"}
        board = {"why1", "why2", "area1", "area2", "area3", "act1", "act2", *group_texts}
        # The phone's steps, each a page: the ranking, why, missing areas, activities,
        # the summary, and the group page with every table's name.
        self.screen("phone 1", phone1.get(f"/d/{d}/"), {"d-title", "q1", "g1", "name1"})
        self.screen("phone 1, why", phone1.get(f"/d/{d}/why/"), {"why1"})
        page = phone1.get(f"/d/{d}/area/")
        self.screen("phone 1, areas", page, {"q2", "area1"})
        self.screen("phone 1, activities", phone1.get(f"/d/{d}/activity/"), {"q3", "act1"})
        self.screen("phone 1, summary", phone1.get(f"/d/{d}/done/"), {"why1", "area1", "act1"})
        self.screen("phone 1, group", phone1.get(f"/d/{d}/group/"), {"name1", *group_texts})
        # The second table's phone: its own texts; area2 is merged away, area3 hidden.
        self.screen("phone 2", phone2.get(f"/d/{d}/done/"), {"d-title", "name2", "why2", "act2"})
        self.screen(
            "phone poll",
            phone1.get(self.poll_url(page), HTTP_HX_REQUEST="true"),
            {"area1"},
        )
        self.screen(
            "projector",
            alice.get(reverse("facilitator:projector", args=[d])),
            {"d-title", *group_texts},
        )
        self.screen(
            "projector live",
            alice.get(reverse("facilitator:projector_live", args=[d]), {"rev": "-1"}),
            group_texts,
        )
        self.screen(
            "dashboard",
            alice.get(reverse("facilitator:dashboard", args=[d])),
            board | {"ws-title", "d-title"},
        )
        self.screen(
            "dashboard live",
            alice.get(reverse("facilitator:dashboard_live", args=[d]), {"rev": "-1"}),
            board,
        )
        self.screen(
            "dashboard, each group equal",
            alice.get(reverse("facilitator:dashboard", args=[d]), {"vikt": "grupp", "alla": "1"}),
            board,
        )
        self.screen(
            "groups page",
            alice.get(reverse("facilitator:groups", args=[d])),
            {"ws-title", "d-title", *group_texts},
        )
        # A refused rename shows the typed name again (g2 is taken).
        self.screen(
            "refused rename",
            alice.post(
                reverse("facilitator:group_rename", args=[d, self.table1.pk]),
                {"name": self.texts["g2"]},
            ),
            {"g2"},
            status=409,
        )
        self.screen(
            "discussion form",
            alice.get(reverse("facilitator:discussion_edit", args=[d])),
            {"ws-title", "d-title", "q1", "q2", "q3"},
        )
        self.screen(
            "workshop page",
            alice.get(reverse("facilitator:workshop", args=[w])),
            {"ws-title", "ws-place", "d-title", "d2-title"},
        )
        # An invitation answers the same for any name (no name echoed); the invitee's
        # list shows the workshop's title and place.
        self.screen(
            "invitation",
            alice.post(
                reverse("facilitator:workshop_invite", args=[w]), {"username": self.payload}
            ),
            set(),
            status=303,
        )
        Invitation.objects.get_or_create(
            workshop_id=w, invitee=self.bob, defaults={"invited_by": self.alice}
        )
        bob = Client()
        bob.force_login(self.bob)
        self.screen(
            "invitation on the invitee's list",
            bob.get(reverse("facilitator:workshops")),
            {"ws-title", "ws-place"},
        )
        self.screen(
            "workshop list",
            alice.get(reverse("facilitator:workshops")),
            {"ws-title", "ws-place"},
        )
        self.screen(
            "export page, running", alice.get(reverse("export:page", args=[w])), {"d-title"}
        )

    def check_ended_screens(self, alice, phone1):
        d = self.discussion.pk
        w = self.workshop.pk
        # Ended: the group chooser is gone, so only the own group shows; results are out.
        self.screen("phone 1, ended with results", phone1.get(f"/d/{d}/"), {"d-title", "q1", "g1"})
        self.screen(
            "phone 1, ended, summary",
            phone1.get(f"/d/{d}/done/"),
            {"d-title", "g1", *PARTICIPANT_TEXTS},
        )
        self.screen("phone 1, results", phone1.get(f"/d/{d}/results/"), {"d-title", "g1"})
        page = phone1.get(f"/d/{d}/activity/")
        self.screen("phone 1, ended, activities", page, {"q3", "act1"})
        self.screen(
            "phone poll, results revealed",
            phone1.get(self.poll_url(page), HTTP_HX_REQUEST="true"),
            {"act1"},
        )
        self.screen(
            "projector results",
            alice.get(reverse("facilitator:projector_results", args=[d])),
            {"d-title", "g1", "g2"},
        )
        self.screen(
            "projector results live",
            alice.get(
                reverse("facilitator:projector_results_live", args=[d]),
                {"rev": "-1", "vikt": "grupp"},
            ),
            {"g1", "g2"},
        )
        # The report leaves hidden (area3) and merged-away (area2) entries out.
        report = {
            "ws-title",
            "ws-place",
            "d-title",
            "d2-title",
            "q1",
            "q2",
            "q3",
            "g1",
            "g2",
            "why1",
            "why2",
            "area1",
            "act1",
            "act2",
        }
        url = reverse("export:report", args=[w])
        self.screen("report", alice.get(url), report)
        self.screen("report, each group equal", alice.get(url, {"vikt": "grupp"}), report)
        confirm = reverse("export:delete_participants", args=[w])
        self.screen("confirm deletion", alice.get(confirm), {"ws-title"})
        self.post(alice, confirm, {"title": self.texts["ws-title"]})
        # From here on the report comes from the frozen snapshot, texts and group names too.
        self.screen("report from the snapshot", alice.get(url), report)
        self.screen("report from the snapshot, by group", alice.get(url, {"vikt": "grupp"}), report)
        self.screen(
            "export page, deleted", alice.get(reverse("export:page", args=[w])), {"d-title"}
        )

    @staticmethod
    def poll_url(page):
        """The poll the page itself sends, as if something had changed since it was drawn."""
        found = re.search(r'id="poll" hx-get="([^"]+)"', page.content.decode())
        url = urlsplit(html.unescape(found[1]))
        query = dict(parse_qsl(url.query)) | {"rev": "-1"}
        return f"{url.path}?{urlencode(query)}"

    def screen(self, name, response, tags, *, status=200, also=()):
        """The payload never raw; each text this screen shows, escaped, at least once."""
        self.assertEqual(response.status_code, status, name)
        content = response.content.decode()
        if escape(self.payload) != self.payload:
            # assertFalse, not assertNotIn: a failure names the screen without the whole page.
            self.assertFalse(self.payload in content, f"{name}: {self.payload!r} unescaped")
        self.assertIsNone(SCRIPT_URL.search(content), f"{name}: a javascript: link")
        for text in [*(self.texts[tag] for tag in sorted(tags)), *also]:
            self.assertTrue(escape(text) in content, f"{name}: {text!r} is not shown escaped")
