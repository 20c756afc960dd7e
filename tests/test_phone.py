"""The participant's phone: joining, the three questions, the clock, and never losing an answer."""

import json
import re
import time
from datetime import timedelta

from django.core.cache import cache, caches
from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Value
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from discussions import phone_lists, timer
from discussions.management.commands.crowd import make_crowd
from discussions.models import (
    ENDORSEMENT_MODELS,
    ActivityEndorsement,
    ActivityProposal,
    Discussion,
    Group,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
    Ranking,
)
from tests.base import BaseTestCase, add_activity, add_area, add_participant

HX = {"HTTP_HX_REQUEST": "true"}


class PhoneTestCase(BaseTestCase):
    def setUp(self):
        cache.clear()

    def start(self, discussion=None):
        discussion = discussion or self.discussion
        discussion.refresh_from_db()
        discussion.set_clock(timer.start(discussion.clock, timezone.now()))
        discussion.save()

    def end(self, discussion=None, ago=60):
        """End the discussion `ago` seconds ago (by default well past the grace period)."""
        discussion = discussion or self.discussion
        now = timezone.now()
        Discussion.objects.filter(pk=discussion.pk).update(
            started_at=now - timedelta(minutes=5),
            paused_at=None,
            ended_at=now - timedelta(seconds=ago),
        )

    def join(self, client=None, group=None, name="", discussion=None):
        client = client or self.client
        discussion = discussion or self.discussion
        group = group or self.table1
        response = client.post(f"/j/{discussion.join_code}/", {"group": group.pk, "name": name})
        self.assertEqual(response.status_code, 303, response.content[:500])
        return Participant.objects.latest("pk")

    def url(self, suffix="", discussion=None):
        return f"/d/{(discussion or self.discussion).pk}/{suffix}"

    def ballot(self, participant):
        return list(
            Ranking.objects.filter(participant=participant)
            .order_by("position")
            .values_list("recommendation__number", flat=True)
        )

    def revision(self):
        """The live revision: the discussion's plus all its groups'."""
        return self.discussion.get_live_revision()


class JoinTests(PhoneTestCase):
    def test_typed_code_is_case_insensitive_and_forgiving(self):
        response = self.client.get("/", {"code": " varm-26 "})
        self.assertRedirects(response, "/j/VARM26/", fetch_redirect_response=False)
        response = self.client.get("/j/varm26/")
        self.assertRedirects(response, "/j/VARM26/", fetch_redirect_response=False)

    def test_join_page_lists_the_groups(self):
        response = self.client.get("/j/VARM26/")
        self.assertContains(response, "Bord 1")
        self.assertContains(response, "Bord 2")
        # Another discussion's groups are not offered.
        self.assertNotContains(response, f'value="{self.other_table.pk}"')

    def test_join_creates_a_participant_and_a_signed_httponly_cookie(self):
        before = self.revision()
        response = self.client.post("/j/VARM26/", {"group": self.table2.pk, "name": "Anna"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response["Location"], self.url())
        participant = Participant.objects.get()
        self.assertEqual((participant.group, participant.display_name), (self.table2, "Anna"))
        cookie = response.cookies[f"gf_p{self.discussion.pk}"]
        self.assertTrue(cookie["httponly"])
        self.assertNotEqual(cookie.value, str(participant.pk))  # signed, not the bare id
        self.assertEqual(self.revision(), before + 1)

    def test_anonymous_by_default(self):
        participant = self.join()
        self.assertEqual(participant.display_name, "")
        self.assertEqual(len(participant.public_id), 8)

    def test_reopening_the_link_resumes_the_same_participant(self):
        participant = self.join()
        response = self.client.get("/j/VARM26/")
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.client.get(self.url())
        self.assertEqual(Participant.objects.count(), 1)
        self.assertEqual(Participant.objects.get(), participant)

    def test_missing_group_is_refused_and_keeps_the_name(self):
        response = self.client.post("/j/VARM26/", {"name": "Anna"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Välj din grupp", status_code=400)
        self.assertContains(response, 'value="Anna"', status_code=400)
        self.assertFalse(Participant.objects.exists())

    def test_a_group_of_another_discussion_is_refused(self):
        response = self.client.post("/j/VARM26/", {"group": self.other_table.pk})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Participant.objects.exists())

    def test_garbage_group_id_is_a_400_not_a_500(self):
        for bad in ["x", "-1", "99999999999999999999999", ""]:
            response = self.client.post("/j/VARM26/", {"group": bad})
            self.assertEqual(response.status_code, 400, bad)

    def test_unknown_code_says_so(self):
        response = self.client.get("/j/ZZZZZZ/")
        self.assertContains(response, "Koden ZZZZZZ finns inte", status_code=404)

    def test_ended_discussion_refuses_new_participants(self):
        self.end()
        response = self.client.get("/j/VARM26/")
        self.assertContains(response, "Tiden är ute", status_code=410)
        response = self.client.post("/j/VARM26/", {"group": self.table1.pk})
        self.assertEqual(response.status_code, 410)
        self.assertFalse(Participant.objects.exists())

    def test_ended_discussion_still_lets_its_participants_back_in(self):
        self.join()
        self.end()
        response = self.client.get("/j/VARM26/")
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)

    @override_settings(JOIN_FAILURE_LIMIT=5, JOIN_FAILURE_WINDOW=300)
    def test_guessing_codes_is_rate_limited_per_browser(self):
        for i in range(5):
            self.assertEqual(self.client.get(f"/j/ZZZZZ{i + 2}/").status_code, 404)
        response = self.client.get("/j/ZZZZZ9/")
        self.assertContains(response, "För många felaktiga koder", status_code=429)
        self.assertIn("Retry-After", response)
        # Even a right code is refused while the limit holds: else the limit would
        # not stop a guesser.
        self.assertEqual(self.client.get("/j/VARM26/").status_code, 429)
        # Another address is not affected.
        other = self.client_class(REMOTE_ADDR="10.1.2.3")
        self.assertEqual(other.get("/j/VARM26/").status_code, 200)

    @override_settings(JOIN_FAILURE_LIMIT=5)
    def test_successful_joins_are_never_limited(self):
        # A whole hall behind one venue address: 60 phones join within the minute.
        for i in range(60):
            client = self.client_class()
            group = self.table1 if i % 2 else self.table2
            response = client.post("/j/VARM26/", {"group": group.pk})
            self.assertEqual(response.status_code, 303)
        self.assertEqual(Participant.objects.count(), 60)


class RankingTests(PhoneTestCase):
    def setUp(self):
        super().setUp()
        self.p = self.join()
        self.start()

    def test_save_a_partial_ranking(self):
        response = self.client.post(self.url("rank/"), {"order": "3,1,5"})
        self.assertRedirects(response, self.url(), status_code=303, fetch_redirect_response=False)
        self.assertEqual(self.ballot(self.p), [3, 1, 5])
        self.p.refresh_from_db()
        self.assertIsNotNone(self.p.ranked_at)

    def test_the_same_ranking_twice_leaves_one_ballot_and_one_revision(self):
        self.client.post(self.url("rank/"), {"order": "2,4"})
        rev = self.revision()
        self.client.post(self.url("rank/"), {"order": "2,4"})
        self.assertEqual(self.ballot(self.p), [2, 4])
        self.assertEqual(Ranking.objects.filter(participant=self.p).count(), 2)
        self.assertEqual(self.revision(), rev)

    def test_reorder_and_remove_replace_the_ballot(self):
        self.client.post(self.url("rank/"), {"order": "2,4,6"})
        self.client.post(self.url("rank/"), {"order": "4,2,6"})
        self.assertEqual(self.ballot(self.p), [4, 2, 6])
        self.client.post(self.url("rank/"), {"order": "4,6"})
        self.assertEqual(self.ballot(self.p), [4, 6])
        self.client.post(self.url("rank/"), {"order": ""})
        self.assertEqual(self.ballot(self.p), [])

    def test_each_button_carries_the_whole_resulting_ballot(self):
        self.client.post(self.url("rank/"), {"order": "2,4,6"})
        page = self.client.get(self.url()).content.decode()
        self.assertIn('value="4,2,6"', page)  # 4 up
        self.assertIn('value="2,6,4"', page)  # 4 down
        self.assertIn('value="2,6"', page)  # 4 removed
        self.assertIn('value="2,4,6,1"', page)  # card 1 added
        self.assertNotIn('value="2,4,6,2"', page)  # a ranked card is not offered again

    def test_bad_rankings_are_400_and_change_nothing(self):
        self.client.post(self.url("rank/"), {"order": "1,2"})
        rev = self.revision()
        for bad, message in [
            ("1,1", "bara rangordnas en gång"),
            ("9", "inte finns"),
            ("0", "inte finns"),
            ("1,x", "kunde inte läsas"),
            ("1;2", "kunde inte läsas"),
            ("-3", "inte finns"),
            ("1," * 50, "bara rangordnas en gång"),
        ]:
            response = self.client.post(self.url("rank/"), {"order": bad})
            self.assertContains(response, message, status_code=400)
        self.assertEqual(self.ballot(self.p), [1, 2])
        self.assertEqual(self.revision(), rev)

    def test_htmx_gets_the_ranking_part_and_an_announcement(self):
        response = self.client.post(self.url("rank/"), {"order": "5"}, **HX)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn('id="ranking"', body)
        self.assertNotIn("<html", body)
        self.assertIn('id="announce" hx-swap-oob="innerHTML"', body)
        self.assertIn("Din rangordning: 5.", body)
        self.assertTrue(response["X-Timer"].startswith("running "))

    def test_htmx_refusal_returns_the_part_with_the_reason(self):
        response = self.client.post(self.url("rank/"), {"order": "1,1"}, **HX)
        self.assertContains(response, "bara rangordnas en gång", status_code=400)
        self.assertNotContains(response, "<html", status_code=400)

    def test_cards_follow_the_slide_unless_shuffled(self):
        page = self.client.get(self.url()).content.decode()
        positions = [page.index(f'value="{n}"') for n in range(1, 9)]
        self.assertEqual(positions, sorted(positions))

        Discussion.objects.filter(pk=self.discussion.pk).update(shuffle_recommendations=True)
        orders = set()
        for _ in range(6):
            client = self.client_class()
            self.join(client=client)
            page = client.get(self.url()).content.decode()
            order = tuple(sorted(range(1, 9), key=lambda n: page.index(f'value="{n}"')))
            again = client.get(self.url()).content.decode()
            order_again = tuple(sorted(range(1, 9), key=lambda n: again.index(f'value="{n}"')))
            self.assertEqual(order, order_again)  # stable for one phone
            orders.add(order)
        # Six phones with 8! possible orders: at least two differ (fails with p ≈ 1e-20).
        self.assertGreater(len(orders), 1)

    def test_why(self):
        response = self.client.post(self.url("why/"), {"why": "  Tåget binder ihop regionerna.  "})
        self.assertEqual(response.status_code, 303)
        self.p.refresh_from_db()
        self.assertEqual(self.p.why, "Tåget binder ihop regionerna.")

    def test_why_too_long_is_refused_and_the_text_kept(self):
        text = "å" * 501
        response = self.client.post(self.url("why/"), {"why": text})
        self.assertContains(response, "högst 500 tecken", status_code=400)
        self.assertContains(response, text, status_code=400)
        self.p.refresh_from_db()
        self.assertEqual(self.p.why, "")

    def test_control_characters_are_refused(self):
        for bad in ["a\x00b", "a\x07b", "a\x1bb"]:
            response = self.client.post(self.url("why/"), {"why": bad})
            self.assertEqual(response.status_code, 400, repr(bad))


class EntryTests(PhoneTestCase):
    def setUp(self):
        super().setUp()
        self.p = self.join()
        self.start()

    def test_add_a_missing_area(self):
        response = self.client.post(self.url("area/"), {"text": "Turism och besöksnäring"})
        self.assertEqual(response.status_code, 303)
        area = MissingArea.objects.get()
        self.assertEqual(
            (area.text, area.author, area.group, area.discussion),
            ("Turism och besöksnäring", self.p, self.table1, self.discussion),
        )

    def test_the_same_area_twice_from_one_author_is_one_entry(self):
        self.client.post(self.url("area/"), {"text": "Turism"})
        rev = self.revision()
        self.client.post(self.url("area/"), {"text": "Turism"})
        self.assertEqual(MissingArea.objects.count(), 1)
        self.assertEqual(self.revision(), rev)

    def test_empty_and_long_texts_are_refused_and_kept(self):
        response = self.client.post(self.url("area/"), {"text": "   "})
        self.assertContains(response, "Skriv något först", status_code=400)
        long_text = "x" * 501
        response = self.client.post(self.url("area/"), {"text": long_text}, **HX)
        self.assertContains(response, "högst 500 tecken", status_code=400)
        self.assertContains(response, long_text, status_code=400)
        self.assertFalse(MissingArea.objects.exists())

    def test_propose_an_activity_under_a_recommendation(self):
        response = self.client.post(
            self.url("activity/"), {"text": "Tågdag", "recommendation": "2"}
        )
        self.assertEqual(response.status_code, 303)
        activity = ActivityProposal.objects.get()
        self.assertEqual((activity.text, activity.recommendation.number), ("Tågdag", 2))

    def test_activity_needs_a_real_recommendation(self):
        for bad in ["", "0", "9", "abc"]:
            response = self.client.post(
                self.url("activity/"), {"text": "Tågdag", "recommendation": bad}
            )
            self.assertContains(response, "Välj vilken rekommendation", status_code=400)
        self.assertFalse(ActivityProposal.objects.exists())

    def test_unknown_kind_is_404(self):
        self.assertEqual(self.client.post(self.url("nonsense/"), {"text": "x"}).status_code, 404)

    def test_group_sees_its_own_entries_only(self):
        self.client.post(self.url("area/"), {"text": "Turism"})
        neighbour = self.client_class()
        self.join(client=neighbour, group=self.table1)
        other_table = self.client_class()
        self.join(client=other_table, group=self.table2)
        self.assertContains(neighbour.get(self.url("area/")), "Turism")
        self.assertNotContains(other_table.get(self.url("area/")), "Turism")

    def test_a_list_holds_what_the_orm_says_a_participant_sees(self):
        """phone_lists asks its question in SQL (its docstring says why): the same
        question through the ORM, on every case, must give the same answer."""
        me = add_participant(self.discussion, self.table2, (1,))
        neighbour = add_participant(self.discussion, self.table1, (2,))
        elsewhere = add_participant(self.discussion, self.table2, (3,))
        mine_before = add_area(me, "Mitt från bord 2")
        Participant.objects.filter(pk=me.pk).update(group=self.table1)  # moved tables
        me.refresh_from_db()
        theirs = add_area(neighbour, "Grannens", endorsers=[me, elsewhere])
        add_area(elsewhere, "Från bord 2")  # another table's: not shown
        add_area(neighbour, "Dolt", hidden=True)
        add_area(neighbour, "Dubblett", merged_into=theirs)
        add_activity(neighbour, "Aktivitet", self.recs[2], endorsers=[elsewhere])
        # The author's own hidden and merged ones: shown to the author alone, with
        # what became of them.
        add_area(me, "Mitt dolda", hidden=True)
        add_area(me, "Min dubblett", merged_into=theirs)
        for model in (MissingArea, ActivityProposal):
            with self.subTest(model=model.__name__):
                mine = ENDORSEMENT_MODELS[model].objects.filter(
                    entry=OuterRef("pk"), participant=me
                )
                expected = [
                    (e.pk, e.text, e.n, e.endorsed, e.author_id == me.pk, e.number)
                    for e in model.objects.filter(
                        Q(group=self.table1, hidden=False, merged_into=None) | Q(author=me),
                        discussion=self.discussion,
                    )
                    .annotate(
                        n=Count("endorsements"),
                        endorsed=Exists(mine),
                        number=F("recommendation__number")
                        if model is ActivityProposal
                        else Value(None, output_field=IntegerField()),
                    )
                    .order_by("created_at", "pk")
                ]
                got = phone_lists.entries(self.discussion.pk, self.table1.pk, me.pk, model)
                self.assertEqual(
                    [(i.pk, i.text, i.endorsements, i.endorsed, i.mine, i.rec_number) for i in got],
                    expected,
                )
        areas = phone_lists.entries(self.discussion.pk, self.table1.pk, me.pk, MissingArea)
        self.assertEqual(
            [(a.text, a.endorsements, a.endorsed, a.mine, a.status, a.into) for a in areas],
            [
                ("Mitt från bord 2", 0, False, True, "", ""),
                ("Grannens", 2, True, False, "", ""),
                ("Mitt dolda", 0, False, True, "hidden", ""),
                ("Min dubblett", 0, False, True, "merged", "Grannens"),
            ],
        )
        self.assertEqual(mine_before.pk, areas[0].pk)

    def test_edit_and_withdraw_own_entry(self):
        self.client.post(self.url("activity/"), {"text": "Tågdag", "recommendation": "2"})
        activity = ActivityProposal.objects.get()
        edit = self.url(f"activity/{activity.pk}/edit/")
        self.assertContains(self.client.get(edit), "Tågdag")
        response = self.client.post(edit, {"text": "Tågdag i Arvika", "recommendation": "3"})
        self.assertEqual(response.status_code, 303)
        activity.refresh_from_db()
        self.assertEqual((activity.text, activity.recommendation.number), ("Tågdag i Arvika", 3))
        response = self.client.post(edit, {"text": "", "recommendation": "3"})
        self.assertContains(response, "Skriv något först", status_code=400)
        activity.refresh_from_db()
        self.assertEqual(activity.text, "Tågdag i Arvika")

        response = self.client.post(self.url(f"activity/{activity.pk}/withdraw/"))
        self.assertEqual(response.status_code, 303)
        self.assertFalse(ActivityProposal.objects.exists())
        # Gone is gone: a second withdrawal finds nothing.
        self.assertEqual(
            self.client.post(self.url(f"activity/{activity.pk}/withdraw/")).status_code, 404
        )

    def test_nobody_edits_or_withdraws_what_someone_else_wrote(self):
        self.client.post(self.url("area/"), {"text": "Turism"})
        area = MissingArea.objects.get()
        other = self.client_class()
        self.join(client=other)
        self.assertEqual(other.get(self.url(f"area/{area.pk}/edit/")).status_code, 404)
        self.assertEqual(
            other.post(self.url(f"area/{area.pk}/edit/"), {"text": "x"}).status_code, 404
        )
        other.post(self.url(f"area/{area.pk}/withdraw/"))
        area.refresh_from_db()
        self.assertEqual(area.text, "Turism")

    def test_endorse_once_and_take_it_back(self):
        self.client.post(self.url("area/"), {"text": "Turism"})
        area = MissingArea.objects.get()
        other = self.client_class()
        q = self.join(client=other)
        endorse = self.url(f"area/{area.pk}/endorse/")
        other.post(endorse, {"want": "1"})
        other.post(endorse, {"want": "1"})  # a double tap
        self.assertEqual(
            list(MissingAreaEndorsement.objects.values_list("participant", flat=True)), [q.pk]
        )
        page = other.get(self.url("area/")).content.decode()
        self.assertIn('aria-pressed="true"', page)
        other.post(endorse, {"want": "0"})
        other.post(endorse, {"want": "0"})
        self.assertFalse(MissingAreaEndorsement.objects.exists())
        self.assertEqual(other.post(endorse, {"want": "maybe"}).status_code, 400)

    def test_endorse_an_activity(self):
        self.client.post(self.url("activity/"), {"text": "Tågdag", "recommendation": "2"})
        activity = ActivityProposal.objects.get()
        self.client.post(self.url(f"activity/{activity.pk}/endorse/"), {"want": "1"})
        self.assertEqual(ActivityEndorsement.objects.filter(entry=activity).count(), 1)

    def test_hidden_entries_vanish_from_the_phone_and_cannot_be_endorsed(self):
        """From everyone's phone but its author's, who is told what became of it."""
        self.client.post(self.url("area/"), {"text": "Något olämpligt"})
        area = MissingArea.objects.get()
        neighbour = self.client_class()
        self.join(client=neighbour)
        self.assertContains(neighbour.get(self.url("area/")), "Något olämpligt")
        MissingArea.objects.filter(pk=area.pk).update(hidden=True)
        self.assertNotContains(neighbour.get(self.url("area/")), "Något olämpligt")
        own = self.client.get(self.url("area/"))
        self.assertContains(own, "Något olämpligt")
        self.assertContains(own, "Facilitatorn dolde det här. Bara du ser det.")
        self.assertNotContains(own, f"area-{area.pk}-plus")
        self.assertNotContains(own, f"area-{area.pk}-edit")
        for client in (self.client, neighbour):
            response = client.post(self.url(f"area/{area.pk}/endorse/"), {"want": "1"})
            self.assertEqual(response.status_code, 404)

    def test_lists_drawn_from_kept_rows_follow_every_change(self):
        """Rows are kept drawn per process (the `local` cache): each change must show."""
        self.client.post(self.url("activity/"), {"text": "Tågdag", "recommendation": "2"})
        activity = ActivityProposal.objects.get()
        other, third = self.client_class(), self.client_class()
        self.join(client=other)
        self.join(client=third)

        def row(client):
            page = client.get(self.url("activity/")).content.decode()
            start = page.index('<li class="entry', page.index('id="activities-list"'))
            return page[start : page.index("</li>", start)]

        mine, theirs = row(self.client), row(other)
        self.assertIn("entry-mine", mine)
        self.assertNotIn("entry-mine", theirs)
        self.assertIn("· 0", theirs)
        other.post(self.url(f"activity/{activity.pk}/endorse/"), {"want": "1"})
        self.assertIn("· 1", row(self.client))
        # The same count, drawn first for a phone that did not +1 it.
        self.assertIn('aria-pressed="false"', row(third))
        self.assertIn('aria-pressed="true"', row(other))
        self.client.post(
            self.url(f"activity/{activity.pk}/edit/"),
            {"text": "Tågdag i Arvika", "recommendation": "3"},
        )
        self.assertIn("Rek. 3</span> Tågdag i Arvika", row(other))
        # A kept row holds no token: its buttons post the list's form, which carries
        # the phone's own.
        self.assertNotIn("csrfmiddlewaretoken", row(other))
        self.assertIn(f'formaction="{self.url(f"activity/{activity.pk}/endorse/")}"', row(other))

        # Without JavaScript, as a browser submits the list's form to the button's URL.
        strict = self.client_class(enforce_csrf_checks=True)
        strict.cookies = third.cookies
        page = strict.get(self.url("activity/")).content.decode()
        form = page[: page.index('id="activities-list"')]
        token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', form)[-1]
        endorse = self.url(f"activity/{activity.pk}/endorse/")
        self.assertEqual(strict.post(endorse, {"want": "1"}).status_code, 403)
        sent = strict.post(endorse, {"want": "1", "csrfmiddlewaretoken": token})
        self.assertEqual(sent.status_code, 303)
        self.assertIn("· 2", row(other))
        self.end()
        closed = row(other)
        self.assertIn("2 röster", closed)
        self.assertNotIn("<button", closed)

    def test_user_text_is_escaped(self):
        payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        self.client.post(self.url("area/"), {"text": payload})
        self.client.post(self.url("why/"), {"why": payload})
        for step in ("area/", "why/", "done/"):
            page = self.client.get(self.url(step)).content.decode()
            self.assertNotIn(payload, page)
            self.assertIn("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;", page)


class ClockTests(PhoneTestCase):
    def setUp(self):
        super().setUp()
        self.p = self.join()

    def test_before_the_start_questions_show_but_nothing_is_saved(self):
        page = self.client.get(self.url())
        self.assertContains(page, "har inte börjat")
        self.assertContains(page, self.discussion.question_rank)
        self.assertContains(page, self.recs[0].title)
        response = self.client.post(self.url("rank/"), {"order": "1"})
        self.assertContains(response, "inte börjat", status_code=409)
        self.assertEqual(self.ballot(self.p), [])

    def test_after_the_end_everything_is_refused_and_nothing_changes(self):
        self.start()
        self.client.post(self.url("rank/"), {"order": "1,2"})
        self.client.post(self.url("area/"), {"text": "Turism"})
        area = MissingArea.objects.get()
        self.end()
        rev = self.revision()
        attempts = [
            (self.url("rank/"), {"order": "3"}),
            (self.url("why/"), {"why": "sent"}),
            (self.url("area/"), {"text": "Ny text"}),
            (self.url("activity/"), {"text": "x", "recommendation": "1"}),
            (self.url(f"area/{area.pk}/edit/"), {"text": "Ändrad"}),
            (self.url(f"area/{area.pk}/withdraw/"), {}),
            (self.url(f"area/{area.pk}/endorse/"), {"want": "1"}),
            (self.url("group/"), {"group": self.table2.pk}),
        ]
        for url, data in attempts:
            response = self.client.post(url, data)
            self.assertContains(response, "Tiden är ute", status_code=409)
        # The late phone's text comes back to it, not lost.
        response = self.client.post(self.url("area/"), {"text": "Sent men viktigt"})
        self.assertContains(response, "Sent men viktigt", status_code=409)
        self.assertEqual(self.ballot(self.p), [1, 2])
        self.assertEqual(list(MissingArea.objects.values_list("text", flat=True)), ["Turism"])
        self.assertFalse(MissingAreaEndorsement.objects.exists())
        self.assertEqual(self.revision(), rev)

    def test_after_the_end_the_page_is_read_only(self):
        self.start()
        self.client.post(self.url("rank/"), {"order": "4,2"})
        self.client.post(self.url("why/"), {"why": "Pendlarna"})
        self.end()
        page = self.client.get(self.url())
        self.assertContains(page, "Tiden är ute")
        self.assertNotContains(page, 'name="order"')
        page = self.client.get(self.url("why/"))
        self.assertContains(page, "Pendlarna")
        self.assertNotContains(page, 'name="why"')
        # The only text boxes are the read-only ones phone.js fills with unsaved drafts.
        boxes = re.findall(r"<textarea[^>]*>", page.content.decode())
        self.assertTrue(boxes)
        self.assertTrue(all("readonly" in box for box in boxes), boxes)

    def test_grace_period_for_requests_in_flight(self):
        self.start()
        self.end(ago=1)
        response = self.client.post(self.url("rank/"), {"order": "1"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.ballot(self.p), [1])

    def test_paused_discussion_still_accepts_answers(self):
        self.start()
        self.discussion.refresh_from_db()
        self.discussion.set_clock(timer.pause(self.discussion.clock, timezone.now()))
        self.discussion.save()
        page = self.client.get(self.url())
        self.assertContains(page, "Pausad")
        self.assertEqual(self.client.post(self.url("rank/"), {"order": "1"}).status_code, 303)

    def test_page_shows_the_time_left(self):
        self.start()
        page = self.client.get(self.url())
        self.assertContains(page, 'data-state="running"')
        self.assertRegex(page.content.decode(), r'data-seconds="(1200|1199)"')
        self.assertContains(page, "20:00")


class PollTests(PhoneTestCase):
    def setUp(self):
        super().setUp()
        self.p = self.join()
        self.start()

    def phone_revision(self, group=None):
        """What this phone's page compares: the discussion's revision plus its group's."""
        group = Group.objects.get(pk=(group or self.table1).pk)
        return Discussion.objects.get(pk=self.discussion.pk).revision + group.revision

    def poll(self, rev=None, mode="open", client=None, group=None, at=0, w=0, step="area"):
        query = {
            "rev": self.phone_revision(group) if rev is None else rev,
            "mode": mode,
            "g": (group or self.table1).pk,
            "at": at,
            "w": w,
            "s": step,
        }
        return (client or self.client).get(self.url("poll/"), query, **HX)

    def test_unchanged_poll_is_a_204_after_two_queries_at_most(self):
        rev = self.phone_revision()
        with self.assertNumQueries(2):  # the discussion and its tables' revisions
            response = self.poll(rev=rev)
        self.assertEqual(response.status_code, 204)
        self.assertNotIn("HX-Refresh", response)
        state, seconds = response["X-Timer"].split()
        self.assertEqual(state, "running")
        self.assertLessEqual(int(seconds), 1200)

    def test_changed_poll_sends_the_parts_out_of_band(self):
        rev = self.phone_revision()
        other = self.client_class()
        self.join(client=other)
        other.post(self.url("area/"), {"text": "Kultur"})
        response = self.poll(rev=rev)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn("Kultur", body)
        self.assertIn('id="areas-list" class="entries" hx-swap-oob="true"', body)
        self.assertIn(f"rev={self.phone_revision()}&amp;", body)
        self.assertIn(f"g={self.table1.pk}&amp;", body)
        self.assertIn("s=area&amp;", body)
        # A step's page shows one list at most: the poll redraws only the one it shows.
        self.assertNotIn('id="activities-list"', body)
        on_activities = self.poll(rev=rev, step="activity").content.decode()
        self.assertIn('id="activities-list"', on_activities)
        self.assertNotIn("Kultur", on_activities)
        on_ranking = self.poll(rev=rev, step="rank").content.decode()
        self.assertNotIn("entries", on_ranking)
        self.assertIn('id="status"', on_ranking)
        self.assertIn('id="poll"', on_ranking)

    def test_a_write_at_another_table_does_not_wake_this_phone(self):
        rev = self.phone_revision()
        other = self.client_class()
        self.join(client=other, group=self.table2)
        other.post(self.url("area/"), {"text": "Kultur"})
        other.post(self.url("rank/"), {"order": "3,1"})
        self.assertGreater(self.revision(), rev)  # the dashboard does see it
        self.assertEqual(self.poll(rev=rev).status_code, 204)
        # The facilitator's changes reach every table.
        self.client.force_login(self.alice)
        MissingArea.objects.update(hidden=True)
        Discussion.bump_revision(self.discussion.pk)
        self.assertEqual(self.poll(rev=rev).status_code, 200)

    def test_in_a_big_hall_others_changes_wait_before_a_redraw(self):
        rev = self.phone_revision()
        other = self.client_class()
        self.join(client=other)
        other.post(self.url("area/"), {"text": "Kultur"})
        now = int(timezone.now().timestamp())
        # Drawn just now, told to wait 50 s (a hall of 2,000): the change waits.
        waiting = self.poll(rev=rev, at=now, w=50)
        self.assertEqual(waiting.status_code, 204)
        self.assertIn("X-Timer", waiting)
        # The same page 51 s later, or a small room, gets the change.
        self.assertEqual(self.poll(rev=rev, at=now - 51, w=50).status_code, 200)
        self.assertEqual(self.poll(rev=rev, at=now, w=1).status_code, 200)
        # Nothing waits more than a minute, whatever the page says.
        self.assertEqual(self.poll(rev=rev, at=now - 61, w=10_000).status_code, 200)

    def test_the_wait_grows_with_the_hall(self):
        page = self.client.get(self.url()).content.decode()
        self.assertIn('w=0"', page)  # a workshop: every poll
        cache.clear()
        make_crowd(self.discussion, 400, seed=1)
        waits = set()
        for _ in range(40):
            page = self.client.get(self.url()).content.decode()
            waits.add(int(re.search(r'w=(\d+)"', page).group(1)))
        # Between half and all of 401 / 20 s, different from one drawing to the next,
        # so that phones that once redrew together drift apart.
        self.assertLessEqual(waits, set(range(401 // 20 // 2, 401 // 20 + 1)))
        self.assertGreater(len(waits), 3)

    @override_settings(PHONE_POLL_CACHE_SECONDS=1)
    def test_the_poll_answers_from_a_copy_at_most_a_second_old(self):
        caches["local"].clear()
        rev = self.phone_revision()
        with self.assertNumQueries(2):  # the discussion, and all its tables' revisions
            self.assertEqual(self.poll(rev=rev).status_code, 204)
        other = self.client_class()
        self.join(client=other)  # a change at this table
        with self.assertNumQueries(0):  # the copy: not seen yet
            self.assertEqual(self.poll(rev=rev).status_code, 204)
        rev2 = self.phone_revision(self.table2)
        with self.assertNumQueries(0):  # another table's revision came with it
            self.assertEqual(self.poll(rev=rev2, group=self.table2).status_code, 204)
        time.sleep(1.05)
        self.assertEqual(self.poll(rev=rev).status_code, 200)  # learnt one poll later

    def test_a_page_drawn_for_another_group_reloads(self):
        """Moved to table 2 in another tab: this tab's page is out of date as a whole."""
        other_tab = self.client_class()
        other_tab.cookies = self.client.cookies
        other_tab.post(self.url("group/"), {"group": self.table2.pk})
        response = self.poll(rev=0, group=self.table1)
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Refresh"], "true")

    def test_a_group_that_is_not_in_the_discussion_reloads(self):
        response = self.poll(rev=0, group=self.other_table)
        self.assertEqual(response["HX-Refresh"], "true")

    def test_a_change_of_mode_reloads_the_page(self):
        self.end()
        response = self.poll(mode="open")
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Refresh"], "true")

    def test_the_end_in_a_big_group_spreads_the_reloads(self):
        """A big hall: the reload after the end is spread over the page's wait."""
        self.end()
        response = self.poll(mode="open", w=50)
        self.assertEqual(response.status_code, 204)
        self.assertNotIn("HX-Refresh", response)
        self.assertEqual(json.loads(response["HX-Trigger"]), {"gf-reload": {"within": 50}})
        self.assertEqual(response["X-Timer"].split()[0], "ended")  # shown at once
        # The start is not spread: people wait for it.
        Discussion.objects.filter(pk=self.discussion.pk).update(
            started_at=None, ended_at=None, paused_at=None
        )
        self.assertEqual(self.poll(mode="open", w=50)["HX-Refresh"], "true")

    def test_poll_without_the_cookie_is_404(self):
        self.assertEqual(self.poll(client=self.client_class()).status_code, 404)


@override_settings(PHONE_POLL_CACHE_SECONDS=60)
class UnchangedPollMiddlewareTests(PhoneTestCase):
    """phone_poll.answer_unchanged answers the unchanged poll inside Django's stack,
    after SecurityMiddleware and before the rest. A minute's copy of the poll's row
    here, so that no test depends on how fast it runs; its age is tested above."""

    phone_revision = PollTests.phone_revision
    poll = PollTests.poll

    def setUp(self):
        super().setUp()
        self.p = self.join()
        self.start()
        self.poll()  # the view read the row: this process holds a copy of it

    def test_it_answers_the_unchanged_poll_without_a_query_or_the_view(self):
        rev = self.phone_revision()
        with self.assertNumQueries(0):
            response = self.poll(rev=rev)
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["X-Timer"].split()[0], "running")
        # Answered before the middlewares that dress a document, so before the view.
        self.assertNotIn("Content-Security-Policy", response)

    def test_anything_else_goes_on_to_the_view(self):
        rev = self.phone_revision()
        now = int(time.time())
        cases = {
            "changed, lists due": ({"rev": rev + 1}, 200),
            "another mode": ({"rev": rev, "mode": "closed"}, 204),
            "not in this discussion": ({"rev": 0, "group": self.other_table}, 204),
            "no cookie": ({"rev": rev, "client": self.client_class()}, 404),
        }
        for name, (case, status) in cases.items():
            with self.subTest(name):
                response = self.poll(**case)
                self.assertEqual(response.status_code, status)
                self.assertIn("Content-Security-Policy", response)  # the view answered
        waiting = self.poll(rev=rev + 1, at=now, w=50)  # a big hall's lists may wait
        self.assertEqual(waiting.status_code, 204)
        self.assertNotIn("Content-Security-Policy", waiting)

    def test_a_forged_cookie_goes_to_the_view(self):
        forged = self.client_class()
        name = f"gf_p{self.discussion.pk}"
        signature = self.client.cookies[name].value[len(str(self.p.pk)) :]
        forged.cookies[name] = f"{self.p.pk + 1}{signature}"  # another's id, this one's signature
        self.assertEqual(self.poll(client=forged).status_code, 404)

    def test_a_host_outside_allowed_hosts_is_refused_as_everywhere(self):
        response = self.client.get(
            self.url("poll/"),
            {"rev": self.phone_revision(), "mode": "open", "g": self.table1.pk},
            HTTP_HOST="evil.example",
            **HX,
        )
        self.assertEqual(response.status_code, 400)

    @override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=3600)
    def test_https_is_required_as_everywhere_and_its_204_says_so(self):
        client = self.client_class()
        client.cookies = self.client.cookies
        query = {"rev": self.phone_revision(), "mode": "open", "g": self.table1.pk}
        self.assertEqual(client.get(self.url("poll/"), query, **HX).status_code, 301)
        response = client.get(self.url("poll/"), query, secure=True, **HX)
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["Strict-Transport-Security"], "max-age=3600")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")


class IsolationTests(PhoneTestCase):
    def setUp(self):
        super().setUp()
        self.p = self.join()
        self.start()
        self.start(self.other_discussion)

    def test_no_cookie_no_page(self):
        stranger = self.client_class()
        self.assertEqual(stranger.get(self.url()).status_code, 404)
        self.assertEqual(stranger.post(self.url("rank/"), {"order": "1"}).status_code, 404)

    def test_forged_cookie_is_404(self):
        forger = self.client_class()
        forger.cookies[f"gf_p{self.discussion.pk}"] = str(self.p.pk)
        self.assertEqual(forger.get(self.url()).status_code, 404)
        forger.cookies[f"gf_p{self.discussion.pk}"] = f"{self.p.pk}:forged:signature"
        self.assertEqual(forger.post(self.url("rank/"), {"order": "1"}).status_code, 404)
        self.assertEqual(self.ballot(self.p), [])

    def test_a_participant_of_x_cannot_post_to_y(self):
        self.assertEqual(
            self.client.get(self.url(discussion=self.other_discussion)).status_code, 404
        )
        response = self.client.post(
            self.url("rank/", discussion=self.other_discussion), {"order": "1"}
        )
        self.assertEqual(response.status_code, 404)
        # Copying the cookie of X under Y's name does not work either: the id is not Y's.
        cookie = self.client.cookies[f"gf_p{self.discussion.pk}"].value
        self.client.cookies[f"gf_p{self.other_discussion.pk}"] = cookie
        response = self.client.post(
            self.url("rank/", discussion=self.other_discussion), {"order": "1"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Ranking.objects.exists())

    def test_entries_of_another_discussion_cannot_be_touched(self):
        intruder_client = self.client_class()
        self.join(client=intruder_client, discussion=self.other_discussion, group=self.other_table)
        intruder_client.post(self.url("area/", discussion=self.other_discussion), {"text": "Deras"})
        theirs = MissingArea.objects.get()
        for action, data in [
            ("endorse/", {"want": "1"}),
            ("edit/", {"text": "x"}),
            ("withdraw/", {}),
        ]:
            response = self.client.post(self.url(f"area/{theirs.pk}/{action}"), data)
            self.assertEqual(response.status_code, 404, action)
        theirs.refresh_from_db()
        self.assertEqual(theirs.text, "Deras")
        self.assertFalse(MissingAreaEndorsement.objects.exists())

    def test_two_phones_keep_their_own_ballots(self):
        other = self.client_class()
        q = self.join(client=other)
        self.client.post(self.url("rank/"), {"order": "1,2"})
        other.post(self.url("rank/"), {"order": "8,7"})
        self.assertEqual(self.ballot(self.p), [1, 2])
        self.assertEqual(self.ballot(q), [8, 7])


class GroupChangeTests(PhoneTestCase):
    def test_change_group_and_name_while_running(self):
        p = self.join()
        self.start()
        response = self.client.post(self.url("group/"), {"group": self.table2.pk, "name": "Bo"})
        self.assertEqual(response.status_code, 303)
        p.refresh_from_db()
        self.assertEqual((p.group, p.display_name), (self.table2, "Bo"))

    def test_group_of_another_discussion_is_refused(self):
        p = self.join()
        response = self.client.post(self.url("group/"), {"group": self.other_table.pk})
        self.assertContains(response, "Välj en av grupperna", status_code=400)
        p.refresh_from_db()
        self.assertEqual(p.group, self.table1)


class NoJavaScriptTests(PhoneTestCase):
    def test_every_action_is_a_plain_form_post(self):
        self.join()
        self.start()
        # Each step is a page of its own, at the URL its form posts to.
        for page_url, action in [
            ("", "rank/"),
            ("why/", "why/"),
            ("area/", "area/"),
            ("activity/", "activity/"),
            ("group/", "group/"),
        ]:
            page = self.client.get(self.url(page_url)).content.decode()
            self.assertIn(f'<form method="post" action="{self.url(action)}"', page)
            self.assertIn('name="csrfmiddlewaretoken"', page)

    def test_refusal_without_javascript_shows_the_whole_page_with_the_text(self):
        self.join()
        self.start()
        response = self.client.post(self.url("area/"), {"text": "y" * 600})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "<html", status_code=400)
        self.assertContains(response, "y" * 600, status_code=400)


class QueryCountTests(PhoneTestCase):
    """The phone's page and every save cost the same however many people take part."""

    def crowd(self, n):
        for i in range(n):
            participant = Participant.objects.create(
                discussion=self.discussion, group=self.table1 if i % 2 else self.table2
            )
            Ranking.objects.create(
                participant=participant, recommendation=self.recs[i % 8], position=1
            )
            area = MissingArea.objects.create(
                discussion=self.discussion,
                group=participant.group,
                author=participant,
                text=f"Område {i}",
            )
            MissingAreaEndorsement.objects.create(entry=area, participant=participant)
            ActivityProposal.objects.create(
                discussion=self.discussion,
                group=participant.group,
                author=participant,
                text=f"Aktivitet {i}",
                recommendation=self.recs[i % 8],
            )

    def count(self, method, path, data=None, **extra):
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(self.client, method)(path, data or {}, **extra)
        self.assertLess(response.status_code, 400, path)
        return len(ctx.captured_queries)

    def measure(self):
        """The same steps for a new phone in a discussion of any size, cold cache."""
        cache.clear()
        self.client = self.client_class()
        self.join()
        area = MissingArea.objects.filter(group=self.table1).first()
        return [
            self.count("get", self.url()),
            self.count("get", self.url("why/")),
            self.count("get", self.url("area/")),
            self.count("get", self.url("activity/")),
            self.count("get", self.url("done/")),
            self.count("post", self.url("rank/"), {"order": "1,2,3"}, **HX),
            self.count("post", self.url("rank/"), {"order": "3,2,1"}),
            self.count("post", self.url("why/"), {"why": "för att"}, **HX),
            self.count(
                "post", self.url("area/"), {"text": f"Nytt {Participant.objects.count()}"}, **HX
            ),
            self.count("post", self.url(f"area/{area.pk}/endorse/"), {"want": "1"}, **HX),
            self.count(
                "get", self.url("poll/"), {"rev": 0, "mode": "open", "g": self.table1.pk}, **HX
            ),
        ]

    def test_fixed_number_of_queries(self):
        self.start()
        self.crowd(4)
        small = self.measure()
        self.crowd(60)
        large = self.measure()
        self.assertEqual(small, large)


class ResultsOnThePhoneTests(PhoneTestCase):
    def test_results_appear_only_after_the_reveal_with_group_and_overall(self):
        me = self.join(group=self.table1)
        self.start()
        neighbour, other_table = self.client_class(), self.client_class()
        self.join(client=neighbour, group=self.table1)
        self.join(client=other_table, group=self.table2)
        self.client.post(self.url("rank/"), {"order": "2,1"})
        neighbour.post(self.url("rank/"), {"order": "2,3"})
        other_table.post(self.url("rank/"), {"order": "8,1,2"})
        page = self.client.get(self.url())
        self.assertNotContains(page, "Alla grupper")
        self.assertNotContains(page, 'id="results-notice"')
        self.assertNotContains(self.client.get(self.url("results/")), "Alla grupper")

        rev = self.revision()
        Discussion.objects.filter(pk=self.discussion.pk).update(
            results_revealed=True, revision=rev + 1
        )
        poll = self.client.get(self.url("poll/"), {"rev": rev, "mode": "open"}, **HX)
        self.assertEqual(poll["HX-Refresh"], "true")

        # Every step's page says so at the top, one tap from the results.
        for step in ("", "why/", "area/", "activity/", "done/"):
            page = self.client.get(self.url(step)).content.decode()
            notice = page[page.index('id="results-notice"') :]
            notice = notice[: notice.index("</p>")]
            self.assertIn('role="status"', page[page.index('id="results-notice"') - 80 :])
            self.assertIn(f'href="{self.url("results/")}"', notice)
            self.assertLess(page.index('id="results-notice"'), page.index('class="steps"'))
        body = self.client.get(self.url("results/")).content.decode()
        results = body[body.index('class="phone-results"') :]
        # (The participant's receipt, above them, names both too: tests/test_receipt.py.)
        group_part = results[results.index("Er grupp: Bord 1") : results.index("<h3>Alla grupper")]
        overall_part = results[results.index("<h3>Alla grupper") :]
        # Bord 1 ranked 2 first twice; 2 tops the group.
        first_in_group = group_part.index(self.recs[1].title)
        self.assertLess(first_in_group, group_part.index(self.recs[0].title))
        # Overall: 2 has Borda 7+7+5 = 19, more than any other (8 has 7, 1 has 6+6).
        first_overall = overall_part.index(self.recs[1].title)
        for rec in self.recs[2:]:
            self.assertLess(first_overall, overall_part.index(rec.title))
        self.assertIn("Baserat på 2 rangordningar", group_part)
        self.assertIn("Baserat på 3 rangordningar", overall_part)
        self.assertEqual(me.group, self.table1)


class GuidedFlowTests(PhoneTestCase):
    """One question at a time: rank, why, missing areas, activities, then a summary."""

    def setUp(self):
        super().setUp()
        self.p = self.join()
        self.start()

    def test_each_step_says_where_it_is_and_leads_on(self):
        steps = [
            ("", "Fråga 1 av 4", "why/"),
            ("why/", "Fråga 2 av 4", "area/"),
            ("area/", "Fråga 3 av 4", "activity/"),
            ("activity/", "Fråga 4 av 4", "done/"),
        ]
        for path, where, following in steps:
            page = self.client.get(self.url(path)).content.decode()
            self.assertIn(where, page)
            self.assertEqual(page.count('aria-current="step"'), 1, path)
            bar = page[page.index('class="step-bar"') :]
            self.assertIn('id="step-next"', bar)
            # The way on: a link on the ranking (saved at every tap), else a button of
            # the step's own form that saves first.
            if path:
                self.assertIn(f'form="{path[:-1]}-form" name="next"', bar)
                self.assertIn(f'data-next-url="{self.url(following)}"', bar)
            else:
                self.assertIn(f'href="{self.url(following)}" id="step-next"', bar)
        done = self.client.get(self.url("done/")).content.decode()
        self.assertNotIn("av 4", done)
        self.assertIn(f'href="{self.url("activity/")}" id="step-back"', done)

    def test_the_why_is_asked_about_the_first_choice(self):
        page = self.client.get(self.url("why/")).content.decode()
        self.assertIn("inte rangordnat något än", page)
        self.client.post(self.url("rank/"), {"order": "6,2"})
        page = self.client.get(self.url("why/")).content.decode()
        self.assertIn("Ditt förstahandsval:", page)
        self.assertIn(f'Rek. 6</span> <span lang="sv">{self.recs[5].title}', page)

    def test_next_saves_then_goes_on_with_and_without_javascript(self):
        response = self.client.post(self.url("why/"), {"why": "Pendlarna", "next": "1"})
        self.assertRedirects(
            response, self.url("area/"), status_code=303, fetch_redirect_response=False
        )
        self.p.refresh_from_db()
        self.assertEqual(self.p.why, "Pendlarna")
        response = self.client.post(self.url("area/"), {"text": "Turism", "next": "1"}, **HX)
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Redirect"], self.url("activity/"))
        self.assertEqual(list(MissingArea.objects.values_list("text", flat=True)), ["Turism"])
        data = {"text": "Tågdag", "recommendation": "2", "next": "1"}
        response = self.client.post(self.url("activity/"), data)
        self.assertRedirects(
            response, self.url("done/"), status_code=303, fetch_redirect_response=False
        )
        self.assertEqual(ActivityProposal.objects.get().text, "Tågdag")

    def test_next_with_nothing_typed_adds_nothing(self):
        response = self.client.post(self.url("area/"), {"text": "  ", "next": "1"})
        self.assertRedirects(
            response, self.url("activity/"), status_code=303, fetch_redirect_response=False
        )
        data = {"text": "", "recommendation": "", "next": "1"}
        response = self.client.post(self.url("activity/"), data, **HX)
        self.assertEqual(response["HX-Redirect"], self.url("done/"))
        self.assertFalse(MissingArea.objects.exists())
        self.assertFalse(ActivityProposal.objects.exists())

    def test_a_refused_next_stays_on_the_step_with_the_text(self):
        long = "x" * 600
        response = self.client.post(self.url("why/"), {"why": long, "next": "1"}, **HX)
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("HX-Redirect", response)
        self.assertContains(response, long, status_code=400)
        response = self.client.post(self.url("activity/"), {"text": "Tågdag", "next": "1"})
        self.assertContains(response, "Välj vilken rekommendation", status_code=400)
        self.assertContains(response, "Tågdag", status_code=400)

    def test_an_empty_why_does_not_say_saved(self):
        response = self.client.post(self.url("why/"), {"why": ""}, **HX)
        self.assertNotContains(response, "Sparat")
        self.assertContains(response, "Ingen motivering att spara.")
        self.client.post(self.url("why/"), {"why": "Pendlarna"}, **HX)
        response = self.client.post(self.url("why/"), {"why": "  "}, **HX)
        self.assertNotContains(response, "Sparat")
        self.assertContains(response, "Motiveringen är borttagen.")
        response = self.client.post(self.url("why/"), {"why": "Pendlarna"}, **HX)
        self.assertContains(response, "Sparat ✓")

    def test_the_summary_shows_what_was_saved(self):
        neighbour = self.client_class()
        self.join(client=neighbour)
        neighbour.post(self.url("area/"), {"text": "Grannens område"})
        self.client.post(self.url("rank/"), {"order": "3,1"})
        self.client.post(self.url("why/"), {"why": "Pendlarna"})
        self.client.post(self.url("area/"), {"text": "Turism"})
        self.client.post(self.url("area/"), {"text": "Dolt av facilitatorn"})
        MissingArea.objects.filter(text="Dolt av facilitatorn").update(hidden=True)
        self.client.post(self.url("activity/"), {"text": "Tågdag", "recommendation": "2"})
        page = self.client.get(self.url("done/")).content.decode()
        summary = page[page.index("Det här har du sparat") :]
        self.assertLess(
            summary.index(f'Rek. 3</span> <span lang="sv">{self.recs[2].title}'),
            summary.index(f'Rek. 1</span> <span lang="sv">{self.recs[0].title}'),
        )
        self.assertIn("Pendlarna", summary)
        self.assertIn("Turism", summary)
        self.assertIn("Rek. 2</span> Tågdag", summary)
        self.assertNotIn("Grannens område", summary)
        self.assertIn("Du kan ändra dina svar tills tiden är ute", summary)
        # The author's own hidden entry stays on their summary, saying so (issue 25):
        # it no longer vanishes without a word.
        hidden = summary[summary.index("Dolt av facilitatorn") :]
        self.assertIn("Facilitatorn dolde det här. Bara du ser det.", hidden[:400])
        self.assertNotIn("Facilitatorn dolde", summary[: summary.index("Dolt av facilitatorn")])

    def test_the_summary_says_what_a_merged_entry_went_into(self):
        neighbour = self.client_class()
        self.join(client=neighbour)
        neighbour.post(self.url("area/"), {"text": "Pendlarnas skatter"})
        self.client.post(self.url("area/"), {"text": "Skatt för pendlare"})
        mine = MissingArea.objects.get(text="Skatt för pendlare")
        theirs = MissingArea.objects.get(text="Pendlarnas skatter")
        MissingArea.objects.filter(pk=mine.pk).update(merged_into=theirs)
        summary = self.client.get(self.url("done/")).content.decode()
        summary = summary[summary.index("Det här har du sparat") :]
        self.assertIn("Skatt för pendlare", summary)
        self.assertIn("Facilitatorn slog ihop det med ett liknande förslag:", summary)
        self.assertIn('<blockquote class="fate-into">Pendlarnas skatter</blockquote>', summary)
        # Merged into one the facilitator hid since: hidden, as far as its author can tell.
        MissingArea.objects.filter(pk=theirs.pk).update(hidden=True)
        Discussion.objects.filter(pk=self.discussion.pk).update(revision=F("revision") + 1)
        summary = self.client.get(self.url("done/")).content.decode()
        summary = summary[summary.index("Det här har du sparat") :]
        self.assertIn("Facilitatorn dolde det här. Bara du ser det.", summary)
        self.assertNotIn("Pendlarnas skatter", summary)

    def test_an_empty_summary_says_nothing_was_saved(self):
        page = self.client.get(self.url("done/")).content.decode()
        for text in (
            "Ingen rangordning sparad.",
            "Ingen motivering sparad.",
            "Inga saknade områden sparade.",
            "Inga aktiviteter sparade.",
        ):
            self.assertIn(text, page)

    def test_every_step_can_be_reopened_after_the_end_read_only(self):
        self.client.post(self.url("area/"), {"text": "Turism"})
        self.end()
        for path in ("", "why/", "area/", "activity/", "done/", "group/", "results/"):
            response = self.client.get(self.url(path))
            self.assertEqual(response.status_code, 200, path)
            self.assertNotContains(response, 'name="next" value="1"')
        self.assertContains(self.client.get(self.url("area/")), "Turism")

    def test_the_group_page_changes_table_and_goes_back_to_the_first_question(self):
        page = self.client.get(self.url("group/"))
        self.assertContains(page, 'id="group-select"')
        response = self.client.post(self.url("group/"), {"group": self.table2.pk, "name": ""}, **HX)
        self.assertEqual(response["HX-Redirect"], self.url())
        self.p.refresh_from_db()
        self.assertEqual(self.p.group, self.table2)

    def test_unknown_step_is_404(self):
        self.assertEqual(self.client.get(self.url("nonsense/")).status_code, 404)
        self.assertEqual(self.client.get(self.url("poll/"), {"s": "<x>"}).status_code, 204)

    def test_the_edit_page_keeps_drafts_and_answers_htmx(self):
        self.client.post(self.url("area/"), {"text": "Turism"})
        area = MissingArea.objects.get()
        page = self.client.get(self.url(f"area/{area.pk}/edit/")).content.decode()
        self.assertIn(f'data-draft="edit-area-{area.pk}"', page)
        self.assertIn("js/phone.js", page)
        response = self.client.post(self.url(f"area/{area.pk}/edit/"), {"text": "Kultur"}, **HX)
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Redirect"], self.url("area/"))
        area.refresh_from_db()
        self.assertEqual(area.text, "Kultur")
