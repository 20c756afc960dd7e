"""A second round (discussions/rounds.py): opening it, the phones changing their
ballots, round 1 kept as it was, and the movement, counted by hand.

The hand count, with the eight recommendations of the fixture (a first place earns
7 points, a second 6, a third 5; the five a ballot leaves unranked share
4 + 3 + 2 + 1 + 0 = 10 points, 2 each):

  Bord 1: A ranks 1, 2, 3 and B ranks 1, 3, 2; Bord 2: C ranks 2, 1, 3.
  Round 1, the room: #1 7 + 7 + 6 = 20, #2 6 + 5 + 7 = 18, #3 5 + 6 + 5 = 16,
  the others 2 + 2 + 2 = 6 each (sharing place 4).
  Round 2, C ranks 3, 1, 2 instead: #1 20, #3 5 + 6 + 7 = 18, #2 6 + 5 + 5 = 16.
  So #3 climbs from 3rd to 2nd (+1) and #2 falls from 2nd to 3rd (−1); at Bord 2
  #3 climbs from 3rd to 1st (+2) and #2 falls from 1st to 3rd (−2).
"""

import math
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from discussions import results, rounds, timer
from discussions.models import Discussion, FirstRound, FirstRoundRanking, Participant, Ranking
from discussions.refused import Refused
from tests.base import BaseTestCase, add_participant


def _ended(discussion, minutes=20):
    now = timezone.now()
    Discussion.objects.filter(pk=discussion.pk).update(
        started_at=now - timedelta(minutes=minutes + 5),
        ended_at=now - timedelta(minutes=1),
        duration_seconds=minutes * 60,
    )


class SecondRoundCase(BaseTestCase):
    def setUp(self):
        self.a = add_participant(self.discussion, self.table1, [1, 2, 3], why="A:s skäl")
        self.b = add_participant(self.discussion, self.table1, [1, 3, 2])
        self.c = add_participant(self.discussion, self.table2, [2, 1, 3], why="C:s skäl")
        _ended(self.discussion)

    def url(self):
        return f"/f/d/{self.discussion.pk}/runda-2/"

    def rerank(self, participant, numbers):
        """What the phone's save does, in round 2 (its views are tested below)."""
        recs = {r.number: r for r in self.recs}
        Ranking.objects.filter(participant=participant).delete()
        Ranking.objects.bulk_create(
            Ranking(participant=participant, recommendation=recs[n], position=i)
            for i, n in enumerate(numbers, start=1)
        )
        from discussions.models import Group

        Group.bump_revision(participant.group_id)


class OpeningTests(SecondRoundCase):
    def test_opens_once_with_a_copy_of_every_ballot_and_why(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), {"minutes": "10"})
        self.assertEqual(response.status_code, 303)
        response = self.client.post(self.url(), {"minutes": "10"})  # the double click
        self.assertEqual(response.status_code, 303)
        self.discussion.refresh_from_db()
        self.assertEqual(self.discussion.round, 2)
        self.assertEqual(FirstRound.objects.filter(discussion=self.discussion).count(), 1)
        self.assertEqual(FirstRoundRanking.objects.count(), 9)
        copied = list(
            FirstRoundRanking.objects.filter(participant=self.c)
            .order_by("position")
            .values_list("recommendation__number", flat=True)
        )
        self.assertEqual(copied, [2, 1, 3])
        self.a.refresh_from_db()
        self.assertEqual(self.a.first_round_why, "A:s skäl")
        # Round 2's own clock: running, ten minutes.
        clock = self.discussion.clock
        self.assertEqual(clock.duration_seconds, 600)
        self.assertIs(timer.state(clock, timezone.now()), timer.State.RUNNING)
        first = self.discussion.first_round
        self.assertEqual(first.duration_seconds, 20 * 60)

    def test_the_length_defaults_to_round_ones(self):
        self.client.force_login(self.alice)
        self.client.post(self.url(), {"minutes": ""})
        self.discussion.refresh_from_db()
        self.assertEqual(self.discussion.duration_seconds, 20 * 60)

    def test_refused_before_round_one_ended(self):
        Discussion.objects.filter(pk=self.discussion.pk).update(
            started_at=timezone.now(), ended_at=None
        )
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 409)
        self.assertIn("först när tiden för runda 1 är ute", response.content.decode())
        self.discussion.refresh_from_db()
        self.assertEqual(self.discussion.round, 1)
        self.assertFalse(FirstRoundRanking.objects.exists())

    def test_a_bad_length_is_refused_and_nothing_opens(self):
        self.client.force_login(self.alice)
        for bad in ("tio", "0", "100000"):
            response = self.client.post(self.url(), {"minutes": bad}, HTTP_HX_REQUEST="true")
            self.assertEqual(response.status_code, 400, bad)
        self.discussion.refresh_from_db()
        self.assertEqual(self.discussion.round, 1)

    def test_not_for_another_workshops_facilitator(self):
        self.client.force_login(self.bob)
        response = self.client.post(self.url())
        self.assertEqual(response.status_code, 404)
        self.discussion.refresh_from_db()
        self.assertEqual(self.discussion.round, 1)

    def test_get_is_not_allowed(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url()).status_code, 405)

    def test_time_run_out_without_end_now_counts_as_ended(self):
        now = timezone.now()
        Discussion.objects.filter(pk=self.discussion.pk).update(
            started_at=now - timedelta(minutes=30), ended_at=None, duration_seconds=600
        )
        self.assertTrue(rounds.open_second_round(self.discussion.pk))
        first = FirstRound.objects.get(discussion=self.discussion)
        self.assertEqual(first.ended_at, first.started_at + timedelta(minutes=10))


class ConstraintTests(SecondRoundCase):
    def test_round_is_one_or_two(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Discussion.objects.filter(pk=self.discussion.pk).update(round=3)

    def test_a_round_one_ballot_holds_a_recommendation_once(self):
        rec = self.recs[0]
        FirstRoundRanking.objects.create(participant=self.a, recommendation=rec, position=1)
        with self.assertRaises(IntegrityError), transaction.atomic():
            FirstRoundRanking.objects.create(participant=self.a, recommendation=rec, position=2)
        with self.assertRaises(IntegrityError), transaction.atomic():
            FirstRoundRanking.objects.create(
                participant=self.a, recommendation=self.recs[1], position=1
            )
        with self.assertRaises(IntegrityError), transaction.atomic():
            FirstRoundRanking.objects.create(
                participant=self.a, recommendation=self.recs[2], position=0
            )


def tastle_wierman_by_hand(places: dict[int, int], n: int = 8) -> float:
    """Cns = 1 + Σ p_i log2(1 − |i − μ| / (n − 1)), written out here on its own."""
    total = sum(places.values())
    mean = sum(place * k for place, k in places.items()) / total
    return 1 + sum(
        k / total * math.log2(1 - abs(place - mean) / (n - 1)) for place, k in places.items()
    )


class MovementTests(SecondRoundCase):
    def setUp(self):
        super().setUp()
        rounds.open_second_round(self.discussion.pk)
        self.discussion.refresh_from_db()
        self.rerank(self.c, [3, 1, 2])
        Participant.objects.filter(pk=self.c.pk).update(why="C ändrade sig")

    def places(self, table):
        return {row.rec.number: row.place for row in table.rows}

    def test_round_one_is_counted_as_it_was(self):
        first = results.of(self.discussion, round=1)
        self.assertEqual(
            {r.rec.number: r.borda for r in first.room.rows[:3]}, {1: 20, 2: 18, 3: 16}
        )
        self.assertEqual(self.places(first.room)[8], 4)
        # The why as it was too.
        whys = {text for reasons in first.reasons for text, _group in reasons.answers}
        self.assertEqual(whys, {"A:s skäl", "C:s skäl"})

    def test_round_two_is_counted_from_the_changed_ballots(self):
        now = results.of(self.discussion)
        self.assertEqual(now.round, 2)
        self.assertEqual({r.rec.number: r.borda for r in now.room.rows[:3]}, {1: 20, 3: 18, 2: 16})

    def test_movement_in_the_room_and_at_the_tables(self):
        move = results.of(self.discussion).movement
        room = {m.item.number: (m.before, m.after, m.gained) for m in move.room.shift.moves}
        self.assertEqual(room[1], (1, 1, 0))
        self.assertEqual(room[3], (3, 2, 1))
        self.assertEqual(room[2], (2, 3, -1))
        self.assertEqual(room[5], (4, 4, 0))
        table2 = next(t for t in move.tables if t.group_id == self.table2.pk)
        moved = {m.item.number: m.gained for m in table2.shift.moved}
        self.assertEqual(moved, {3: 2, 2: -2})
        table1 = next(t for t in move.tables if t.group_id == self.table1.pk)
        self.assertFalse(table1.shift.any_moved)
        # Kendall's W: one ballot at Bord 2 has none; Bord 1 is unchanged.
        self.assertIsNone(table2.shift.agreement_before)
        self.assertEqual(table1.shift.agreement_change, 0)

    def test_consensus_before_and_after(self):
        move = results.of(self.discussion).movement
        three = next(m for m in move.room.shift.moves if m.item.number == 3)
        # Round 1: #3 placed 3rd, 2nd, 3rd; round 2: 3rd, 2nd, 1st.
        self.assertAlmostEqual(three.consensus_before, tastle_wierman_by_hand({3: 2, 2: 1}))
        self.assertAlmostEqual(three.consensus_after, tastle_wierman_by_hand({1: 1, 2: 1, 3: 1}))
        self.assertAlmostEqual(three.consensus_before, 0.904947, places=5)
        self.assertAlmostEqual(three.consensus_after, 0.851738, places=5)

    def test_a_late_joiner_counts_in_round_two_only(self):
        add_participant(self.discussion, self.table2, [4, 1, 2])
        first = results.of(self.discussion, round=1)
        self.assertEqual(first.room.ballots, 3)
        self.assertEqual(first.room.participants, 3)
        self.assertEqual(results.of(self.discussion).room.ballots, 4)

    def test_round_one_is_kept_without_counting_again(self):
        results.of(self.discussion)
        self.rerank(self.a, [8, 7, 6])
        with self.assertNumQueries(10):  # round 2's count and one look at round 1
            counted = results.of(self.discussion)
        self.assertEqual(counted.first_round.room.rows[0].rec.number, 1)

    def test_round_one_is_read_only_for_the_phone_api(self):
        # Nothing writes the copies: a second open changes nothing.
        self.assertFalse(rounds.open_second_round(self.discussion.pk))
        self.assertEqual(FirstRoundRanking.objects.count(), 9)


class PhoneInRoundTwoTests(SecondRoundCase):
    def test_a_phone_changes_its_ballot_and_round_one_stays(self):
        from django.test import Client

        phone = Client()
        Discussion.objects.filter(pk=self.discussion.pk).update(
            started_at=timezone.now(), ended_at=None
        )
        response = phone.post(f"/j/{self.discussion.join_code}/", {"group": self.table2.pk})
        self.assertEqual(response.status_code, 303)
        me = Participant.objects.latest("pk")
        _ended(self.discussion)
        # Round 1 ended: the phone cannot save.
        response = phone.post(f"/d/{self.discussion.pk}/rank/", {"order": "5"})
        self.assertNotEqual(response.status_code, 303)
        rounds.open_second_round(self.discussion.pk)
        self.discussion.refresh_from_db()
        page = phone.get(f"/d/{self.discussion.pk}/").content.decode()
        self.assertIn("Runda 2", page)
        response = phone.post(f"/d/{self.discussion.pk}/rank/", {"order": "5,4"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(
            list(me.rankings.order_by("position").values_list("recommendation__number", flat=True)),
            [5, 4],
        )
        first = results.of(self.discussion, round=1)
        self.assertEqual(
            {r.rec.number: r.borda for r in first.room.rows[:3]}, {1: 20, 2: 18, 3: 16}
        )
        # #5: 7 + 2 + 2 + 2 in round 2; its round-1 place was 4th (6 points, shared).
        move = results.of(self.discussion).movement
        five = next(m for m in move.room.shift.moves if m.item.number == 5)
        self.assertEqual(five.before, 4)


class RefusedTests(SecondRoundCase):
    def test_parse_minutes(self):
        self.assertEqual(rounds.parse_minutes("7,5", 1200), 450)
        self.assertEqual(rounds.parse_minutes(" ", 1200), 1200)
        with self.assertRaises(Refused):
            rounds.parse_minutes("0.5", 1200)


class ScreensTests(SecondRoundCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def test_the_dashboard_offers_round_two_only_once_round_one_ended(self):
        dashboard = f"/f/d/{self.discussion.pk}/"
        self.assertIn('id="open-round-2"', self.client.get(dashboard).content.decode())
        Discussion.objects.filter(pk=self.discussion.pk).update(
            started_at=timezone.now(), ended_at=None
        )
        self.assertNotIn('id="open-round-2"', self.client.get(dashboard).content.decode())

    def test_the_dashboard_and_the_projector_show_the_movement(self):
        self.client.post(self.url())
        self.rerank(self.c, [3, 1, 2])
        Discussion.objects.filter(pk=self.discussion.pk).update(results_revealed=True)
        page = self.client.get(f"/f/d/{self.discussion.pk}/").content.decode()
        self.assertNotIn('id="open-round-2"', page)
        self.assertIn('id="dash-movement"', page)
        self.assertIn("upp 1 plats sedan runda 1", page)
        self.assertIn("ned 2 platser sedan runda 1", page)  # #2 at Bord 2
        projector = self.client.get(f"/f/d/{self.discussion.pk}/projector/results/").content
        projector = projector.decode()
        self.assertIn("pr-list-moves", projector)
        self.assertIn("▲ +1", projector)
        self.assertIn("▼ −1", projector)
        self.assertIn("upp 1 plats sedan runda 1", projector)
        timer_page = self.client.get(f"/f/d/{self.discussion.pk}/projector/").content.decode()
        self.assertIn('class="pj-round"', timer_page)


class ExportTests(SecondRoundCase):
    """The files carry round 1 and the movement (the hand count of the module's
    docstring), and a frozen report keeps them."""

    def setUp(self):
        super().setUp()
        rounds.open_second_round(self.discussion.pk)
        self.rerank(self.c, [3, 1, 2])
        _ended(self.discussion, minutes=10)  # round 2 over too
        self.discussion.refresh_from_db()

    def test_json_has_round_one_and_the_movement_and_validates(self):
        import jsonschema

        from discussions import export
        from tests.test_export_formats import SCHEMA

        doc = export.build_json(self.workshop)
        jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
        d = doc["discussions"][0]
        self.assertEqual(d["round"], 2)
        self.assertEqual(d["first_round_clock"]["duration_seconds"], 20 * 60)
        first = d["results"]["first_round"]["overall"]["rows"]
        self.assertEqual(
            [(r["recommendation"], r["borda"]) for r in first[:3]], [(1, 20), (2, 18), (3, 16)]
        )
        moves = {
            r["recommendation"]: r["gained"] for r in d["results"]["movement"]["overall"]["rows"]
        }
        self.assertEqual((moves[1], moves[2], moves[3]), (0, -1, 1))
        c = next(p for p in d["participants"] if p["id"] == self.c.public_id)
        self.assertEqual((c["ranking"], c["first_round_ranking"]), ([3, 1, 2], [2, 1, 3]))

    def test_xlsx_and_csv_have_round_one_and_movement_sheets(self):
        from discussions import export

        tables = {t.sheet: t for t in export.sheets(self.workshop)}
        moved = tables["Förflyttning"]
        room = {row[2]: row[6] for row in moved.rows if row[1] == "Alla grupper"}
        self.assertEqual((room[2], room[3]), (-1, 1))
        bord2 = {row[2]: (row[4], row[5], row[6]) for row in moved.rows if row[1] == "Bord 2"}
        self.assertEqual(bord2[3], (3, 1, 2))
        first = next(row for row in tables["Runda 1"].rows if row[1] == "Alla grupper")
        self.assertEqual(first[5:8], [1, 2, 3])  # places of #1, #2, #3 in round 1
        names = set(
            __import__("zipfile")
            .ZipFile(__import__("io").BytesIO(export.build_csv_zip(self.workshop)))
            .namelist()
        )
        self.assertIn("forflyttning.csv", {name.rsplit("/", 1)[-1] for name in names})

    def test_the_print_report_has_a_movement_section(self):
        self.client.force_login(self.alice)
        page = self.client.get(f"/f/w/{self.workshop.pk}/export/report/").content.decode()
        self.assertIn("Vad som flyttade mellan runda 1 och runda 2", page)
        self.assertIn("upp 1 plats sedan runda 1", page)

    def test_deleting_the_data_removes_round_one_and_the_report_keeps_the_movement(self):
        from discussions import deletion

        deletion.delete_participant_data(self.workshop)
        self.assertFalse(FirstRoundRanking.objects.exists())
        results.clear()
        self.discussion.refresh_from_db()
        frozen = results.of(self.discussion)
        self.assertIsNotNone(frozen.frozen_at)
        self.assertEqual(frozen.first_round.room.rows[1].rec.number, 2)
        moves = {m.item.number: m.gained for m in frozen.movement.room.shift.moves}
        self.assertEqual((moves[2], moves[3]), (-1, 1))


class SpeedTests(BaseTestCase):
    def test_the_dashboard_in_round_two_stays_at_a_constant_number_of_queries(self):
        """Round 2 adds round 1's count (four queries, kept after) and a look at
        FirstRound (one), whatever the crowd."""
        from django.core.cache import caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from discussions.management.commands.crowd import make_crowd

        self.client.force_login(self.alice)
        url = f"/f/d/{self.discussion.pk}/live/"

        def draw():
            results.clear()
            for kept in caches.all():
                kept.clear()
            return self.client.get(url, {"rev": "-1", "state": "x"})

        make_crowd(self.discussion, 20, seed=1)
        _ended(self.discussion)
        rounds.open_second_round(self.discussion.pk)
        with CaptureQueriesContext(connection) as few:
            response = draw()
        self.assertContains(response, 'id="dash-movement"')
        make_crowd(self.discussion, 300, seed=2)  # joined in round 2
        with self.assertNumQueries(len(few)):
            response = draw()
        # The dashboard's 14 (test_facilitator_live), FirstRound, and round 1's count: its
        # list, tables, people and ballots (no snapshot or entries to read).
        self.assertEqual(len(few), 19)


class RoundEndedTests(SecondRoundCase):
    def test_the_dashboard_says_when_round_two_is_over(self):
        self.client.force_login(self.alice)
        rounds.open_second_round(self.discussion.pk)
        dashboard = f"/f/d/{self.discussion.pk}/"
        self.assertIn("Deltagarna kan ändra", self.client.get(dashboard).content.decode())
        _ended(self.discussion, minutes=10)
        page = self.client.get(dashboard).content.decode()
        self.assertIn("Runda 2 är slut", page)
        self.assertNotIn("Deltagarna kan ändra", page)
        self.assertNotIn('id="open-round-2"', page)  # no third round
