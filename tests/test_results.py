"""discussions.results against discussions.ranking, and the crowd command.

Every expected number comes from ranking.summarise on ballots this file wrote
itself, never from the database, so a wrong query in results.py shows up. The
ranked items there are recommendation numbers, as in results.
"""

import threading
import time
from fractions import Fraction
from io import StringIO
from types import SimpleNamespace

from django.core.management import CommandError, call_command
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from discussions import facilitator_writes, participant_writes, ranking, results
from discussions.management.commands.crowd import make_crowd
from discussions.models import (
    ActivityProposal,
    Discussion,
    Group,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
    Ranking,
)
from tests.base import BaseTestCase, add_activity, add_area, add_participant

NUMBERS = list(range(1, 9))


def fresh(discussion):
    return Discussion.objects.get(pk=discussion.pk)


# Table 1 leans to 3, table 2 to 5; ballots are partial on purpose.
TABLE1 = [(3, 1, 2), (3, 2), (1, 3, 5, 2)]
TABLE2 = [(5, 4), (5, 3, 1)]


class RankingsTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for numbers in TABLE1:
            add_participant(cls.discussion, cls.table1, numbers)
        for numbers in TABLE2:
            add_participant(cls.discussion, cls.table2, numbers)
        add_participant(cls.discussion, cls.table2)  # joined, ranked nothing
        # Someone in another discussion must not count here.
        add_participant(cls.other_discussion, cls.other_table, (8, 7))

    def assert_table_matches(self, table, expected):
        # Listed by the points, equal points in the Schulze order and sharing a place.
        listed = sorted(expected.rows, key=lambda r: (-r.borda, r.schulze_position))
        self.assertEqual([row.rec.number for row in table.rows], [r.item for r in listed])
        self.assertEqual([rec.number for rec in table.kemeny], expected.kemeny)
        self.assertEqual(table.ballots, expected.ballots)
        self.assertEqual(table.weight, expected.weight)
        self.assertEqual(table.agreement, expected.w)
        for row, want in zip(table.rows, listed, strict=True):
            self.assertEqual(row.rec.number, want.item)
            self.assertAlmostEqual(row.borda, float(want.borda))
            self.assertAlmostEqual(row.mean_rank, float(want.mean_rank))
            self.assertAlmostEqual(row.first_places, float(want.first_places))
            self.assertEqual(row.place, 1 + sum(1 for r in listed if r.borda > want.borda))
            self.assertEqual(row.schulze_place, want.schulze_position)
            self.assertEqual(row.kemeny_place, want.kemeny_position)
            self.assertEqual(row.position_counts, want.position_counts)
        self.assertEqual(len(NUMBERS), len(table.rows))

    def test_each_table_matches_summarise_on_its_own_ballots(self):
        counted = results.of(fresh(self.discussion))
        self.assertEqual([t.group_id for t in counted.tables], [self.table1.pk, self.table2.pk])
        self.assertEqual([t.name for t in counted.tables], ["Bord 1", "Bord 2"])
        self.assertEqual([t.participants for t in counted.tables], [3, 3])
        self.assert_table_matches(counted.tables[0], ranking.summarise(NUMBERS, TABLE1))
        self.assert_table_matches(counted.tables[1], ranking.summarise(NUMBERS, TABLE2))

    def test_the_room_with_each_participant_equal(self):
        counted = results.of(fresh(self.discussion), results.PARTICIPANT)
        self.assert_table_matches(counted.room, ranking.summarise(NUMBERS, TABLE1 + TABLE2))
        self.assertEqual((counted.room.ballots, counted.room.participants), (5, 6))

    def test_the_room_with_each_table_equal(self):
        counted = results.of(fresh(self.discussion), results.GROUP)
        weights = [Fraction(1, 3)] * 3 + [Fraction(1, 2)] * 2
        expected = ranking.summarise(NUMBERS, TABLE1 + TABLE2, weights)
        self.assert_table_matches(counted.room, expected)
        # Two tables of weight 1 each: everybody-first would give 2 × 7 points.
        self.assertAlmostEqual(sum(row.first_places for row in counted.room.rows), 2.0)
        by_people = results.of(fresh(self.discussion), results.PARTICIPANT)
        self.assertNotEqual(
            [row.borda for row in counted.room.rows], [row.borda for row in by_people.room.rows]
        )

    def test_matrix_shows_each_tables_place_in_the_rooms_order(self):
        counted = results.of(fresh(self.discussion))
        self.assertEqual([m.rec for m in counted.matrix], [row.rec for row in counted.room.rows])
        for mrow in counted.matrix:
            places = [table.row(mrow.rec.number).place for table in counted.tables]
            self.assertEqual([cell.place for cell in mrow.cells], places)
            self.assertEqual(mrow.spread, max(places) - min(places))
            self.assertEqual(mrow.place, counted.room.row(mrow.rec.number).place)

    def test_a_table_without_ballots_has_an_empty_cell_and_no_agreement(self):
        empty = facilitator_writes.create_tables(self.discussion, 1)[0]
        counted = results.of(fresh(self.discussion))
        table = counted.table(empty.pk)
        self.assertEqual((table.ballots, table.participants), (0, 0))
        self.assertIsNone(table.agreement)
        self.assertTrue(all(m.cells[-1] is None for m in counted.matrix))
        self.assertIsNone(counted.table(999_999))

    def test_borda_bars_are_shares_of_the_most_points_possible(self):
        counted = results.of(fresh(self.discussion))
        most = 5 * 7  # five ballots, eight recommendations: all first gives 7 each
        for row in counted.room.rows:
            self.assertEqual(row.borda_percent, round(100 * row.borda / most))
            self.assertEqual(row.bar_step % 5, 0)
            self.assertLessEqual(abs(row.bar_step - 100 * row.borda / most), 3)

    def test_histograms_are_scaled_to_the_tables_peak(self):
        counted = results.of(fresh(self.discussion))
        heights = {
            (row.rec.number, place): height
            for row in counted.room.rows
            for place, _count, height in row.bars
        }
        # Counted by hand: no place of any recommendation got more than two ballots;
        # 3 got two first and two second places, 5 two first; 2 one third place.
        tallest = {key for key, height in heights.items() if height == 24}
        self.assertEqual(tallest, {(3, 1), (3, 2), (5, 1)})
        self.assertEqual(heights[2, 3], 12)
        first = counted.room.rows[0]
        self.assertEqual([count for _place, count, _h in first.bars], first.position_counts[:-1])
        self.assertEqual(first.unranked, first.position_counts[-1])

    def test_a_ranking_of_a_recommendation_outside_the_list_is_ignored(self):
        # Left over from before the facilitator switched lists: not an error.
        other_set = type(self.rec_set).objects.create(slug="annan", name="Annan lista")
        stray = other_set.recommendations.create(number=1, title="Något annat")
        participant = add_participant(self.discussion, self.table1, (4,))
        Ranking.objects.create(participant=participant, recommendation=stray, position=2)
        counted = results.of(fresh(self.discussion))
        self.assertEqual(counted.room.ballots, 6)
        person = next(p for p in counted.people if p.pk == participant.pk)
        self.assertEqual([rec.number for rec in person.ballot], [4])

    def test_the_same_queries_for_few_and_many(self):
        discussion = fresh(self.discussion)
        with CaptureQueriesContext(connection) as few:
            results.of(discussion)
        make_crowd(self.discussion, 300, seed=3)
        discussion = fresh(self.discussion)
        with CaptureQueriesContext(connection) as many:
            results.of(discussion)
        # The revision, a frozen report, the list, the tables, the people, their
        # ballots, each kind of entry, and the tables' agreed answers.
        self.assertEqual(len(few), 9)
        self.assertEqual(len(many), 9)

    def test_results_are_kept_for_the_live_revision(self):
        discussion = fresh(self.discussion)
        first = results.of(discussion)
        with self.assertNumQueries(1):  # only the revision
            self.assertIs(results.of(discussion), first)
        annotated = Discussion.with_live_revision(Discussion.objects).get(pk=discussion.pk)
        with self.assertNumQueries(0):  # read with the discussion
            self.assertIs(results.of(annotated), first)
        Group.bump_revision(self.table1.pk)  # as every participant's write does
        self.assertIsNot(results.of(discussion), first)

    def test_a_write_shows_at_once(self):
        first = results.of(fresh(self.discussion))
        facilitator_writes.run_timer(self.discussion.pk, "start")
        someone = Participant.objects.filter(group=self.table2, rankings=None).get()
        participant_writes.save_ranking(someone, [8, 1], list(self.rec_set.recommendations.all()))
        second = results.of(fresh(self.discussion))
        self.assertGreater(second.revision, first.revision)
        self.assertEqual(second.room.ballots, first.room.ballots + 1)
        self.assert_table_matches(second.tables[1], ranking.summarise(NUMBERS, [*TABLE2, (8, 1)]))
        # A rename is the facilitator's write: the table's new name shows.
        facilitator_writes.rename_group(self.table1, "Bord Ett")
        self.assertEqual(results.of(fresh(self.discussion)).tables[0].name, "Bord Ett")

    def test_the_phone_finds_its_table(self):
        counted = results.of(fresh(self.discussion))
        mine = counted.table(self.table2.pk)
        self.assertEqual((mine.name, mine.ballots, mine.rows[0].rec.number), ("Bord 2", 2, 5))

    def test_parse_weighting(self):
        self.assertEqual(results.parse_weighting("grupp"), results.GROUP)
        for raw in (None, "", "deltagare", "GRUPP", "x" * 1000):
            self.assertEqual(results.parse_weighting(raw), results.PARTICIPANT)


class KeptResultsTests(BaseTestCase):
    def test_a_key_is_counted_once_however_many_ask_at_once(self):
        """The hall's phones opening the revealed results together count them once."""
        newest = results._Newest(size=2)
        calls = []

        def count():
            calls.append(1)
            time.sleep(0.2)
            return SimpleNamespace(revision=5)

        got = []
        threads = [
            threading.Thread(target=lambda: got.append(newest.count("k", 5, count)))
            for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(calls), 1)
        self.assertEqual(len(set(map(id, got))), 1)

    def test_the_newest_of_the_last_few_discussions_is_kept(self):
        newest = results._Newest(size=2)
        for key in "abc":
            newest.count(key, 1, lambda: SimpleNamespace(revision=1))
        self.assertIsNone(newest.get("a"))  # the oldest went
        kept = newest.get("c")
        self.assertIs(newest.count("c", 1, lambda: SimpleNamespace(revision=1)), kept)
        self.assertIsNot(newest.count("c", 2, lambda: SimpleNamespace(revision=2)), kept)
        newest.clear()
        self.assertIsNone(newest.get("c"))

    def test_a_screen_that_may_wait_gets_the_kept_results_and_the_new_ones_next(self):
        def answer_sent():
            # As Django's test client sends it, without closing the test's connection.
            request_finished.disconnect(close_old_connections)
            try:
                request_finished.send(sender=None)
            finally:
                request_finished.connect(close_old_connections)

        add_participant(self.discussion, self.table1, (3, 1))
        first = results.of(fresh(self.discussion), kept_for=0)  # nothing kept: counted
        self.assertEqual(first.room.ballots, 1)
        add_participant(self.discussion, self.table2, (5,))
        # Counted only once the answer to this request is sent.
        self.assertIs(results.of(fresh(self.discussion), kept_for=0), first)
        answer_sent()
        second = results.of(fresh(self.discussion), kept_for=0)
        self.assertEqual(second.room.ballots, 2)
        self.assertGreater(second.revision, first.revision)
        # Counted within the screen's wait: good enough, and not counted again.
        add_participant(self.discussion, self.table2, (2,))
        self.assertIs(results.of(fresh(self.discussion), kept_for=60), second)
        answer_sent()
        self.assertIs(results.of(fresh(self.discussion), kept_for=60), second)
        # Without kept_for, the results are always those of now.
        self.assertEqual(results.of(fresh(self.discussion)).room.ballots, 3)


class EntriesAndReasonsTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.anna = add_participant(cls.discussion, cls.table1, (3, 1), why="Pendlarna först")
        cls.bo = add_participant(cls.discussion, cls.table1, (3,), why="Samma som Anna")
        cls.cissi = add_participant(cls.discussion, cls.table2, (5, 3), why="Forskning")
        cls.dan = add_participant(cls.discussion, cls.table2, why="Jag hann inte ranka")
        cls.erik = add_participant(cls.discussion, cls.table2)  # did nothing
        cls.culture = add_area(cls.anna, "Kultur", endorsers=[cls.bo, cls.cissi])
        cls.youth = add_area(cls.cissi, "Unga", endorsers=[cls.anna, cls.bo, cls.dan])
        cls.abuse = add_area(cls.bo, "Något elakt", endorsers=[cls.erik], hidden=True)
        cls.train = add_activity(cls.anna, "Studieresa", cls.recs[1], endorsers=[cls.cissi])
        cls.fair = add_activity(cls.cissi, "Jobbmässa", cls.recs[2])

    def test_entries_most_endorsed_first_with_their_table(self):
        counted = results.of(fresh(self.discussion))
        self.assertEqual(
            [(e.text, e.endorsements, e.group_name) for e in counted.areas],
            [("Unga", 3, "Bord 2"), ("Kultur", 2, "Bord 1")],
        )
        # Among equals the oldest first, so that a list does not jump about.
        add_area(self.erik, "Idrott", endorsers=[self.anna, self.bo])
        counted = results.of(fresh(self.discussion))
        self.assertEqual([e.text for e in counted.areas], ["Unga", "Kultur", "Idrott"])

    def test_hidden_entries_are_left_out_but_listed_for_restoring(self):
        counted = results.of(fresh(self.discussion))
        self.assertNotIn(self.abuse.pk, [e.pk for e in counted.areas])
        self.assertEqual([(e.kind, e.pk) for e in counted.hidden], [("area", self.abuse.pk)])
        # The files keep every entry, with its flag.
        self.assertEqual(
            [(e.text, e.hidden) for e in counted.all_areas],
            [("Kultur", False), ("Unga", False), ("Något elakt", True)],
        )

    def test_merged_entries_show_only_inside_their_target(self):
        facilitator_writes.merge(MissingArea, self.discussion.pk, self.culture.pk, self.youth.pk)
        counted = results.of(fresh(self.discussion))
        self.assertEqual([e.pk for e in counted.areas], [self.youth.pk])
        self.assertEqual([m.pk for m in counted.areas[0].merged], [self.culture.pk])
        self.assertEqual(counted.areas[0].merged_count, 1)
        # anna, bo, dan on "Unga" + cissi from "Kultur"; bo endorsed both: once.
        self.assertEqual(counted.areas[0].endorsements, 4)
        merged = next(e for e in counted.all_areas if e.pk == self.culture.pk)
        self.assertEqual(merged.merged_into_id, self.youth.pk)

    def test_activities_under_their_recommendation_in_the_rooms_order(self):
        counted = results.of(fresh(self.discussion))
        self.assertEqual([row.rec.number for row in counted.room.rows][:2], [3, 5])
        self.assertEqual(
            [(a.rec.number, [e.text for e in a.entries]) for a in counted.activities],
            [(3, ["Jobbmässa"]), (2, ["Studieresa"])],
        )

    def test_reasons_grouped_under_each_first_choice(self):
        counted = results.of(fresh(self.discussion))
        grouped = {(r.rec.number if r.rec else None): r.answers for r in counted.reasons}
        self.assertEqual(
            grouped,
            {
                3: [("Pendlarna först", "Bord 1"), ("Samma som Anna", "Bord 1")],
                5: [("Forskning", "Bord 2")],
                None: [("Jag hann inte ranka", "Bord 2")],
            },
        )
        # In the room's order, the unranked last.
        self.assertEqual([r.rec and r.rec.number for r in counted.reasons], [3, 5, None])

    def test_participation_per_table(self):
        counted = results.of(fresh(self.discussion))
        self.assertEqual(
            [(p.name, p.joined, p.ranked, p.wrote) for p in counted.participation],
            [("Bord 1", 2, 2, 2), ("Bord 2", 3, 1, 2)],
        )
        totals = counted.totals
        self.assertEqual((totals.joined, totals.ranked, totals.wrote), (5, 3, 4))


@given(
    value=st.one_of(
        st.integers(0, 40000).map(lambda n: n / 2),
        st.tuples(st.integers(0, 10**6), st.integers(1, 4000)).map(lambda t: t[0] / t[1]),
        st.fractions(min_value=0, max_value=10**5, max_denominator=4000),
    ),
    places=st.sampled_from([1, 2, 4]),
)
def test_files_round_as_the_screens_show(value, places):
    """One rounding rule: a file's number, shown by a screen, is what the screen shows."""
    stored = results.rounded(value, places)
    assert floatformat(stored, places) == floatformat(float(value), places)
    assert abs(stored - float(value)) <= 0.5 * 10**-places + 1e-12


def test_half_up_as_floatformat_not_half_even():
    # 3.25 and 2.675: round() gives 3.2 and 2.67; a screen shows 3.3 and 2.68.
    assert results.rounded(3.25, 1) == 3.3
    assert results.rounded(2.675, 2) == 2.68
    assert results.rounded(Fraction(7, 2), 4) == 3.5
    assert results.rounded(2.0, 4) == 2 and isinstance(results.rounded(2.0, 4), int)
    assert results.rounded(None, 4) is None


class CrowdCommandTests(BaseTestCase):
    def test_adds_participants_with_valid_ballots(self):
        before = Discussion.objects.get(pk=self.discussion.pk).revision
        out = StringIO()
        call_command("crowd", "VARM26", "-n", "60", "--seed", "1", stdout=out)
        self.assertIn("Added 60 participants", out.getvalue())
        people = Participant.objects.filter(discussion=self.discussion)
        self.assertEqual(people.count(), 60)
        self.assertEqual(
            set(people.values_list("group_id", flat=True)), {self.table1.pk, self.table2.pk}
        )
        allowed = {r.pk for r in self.recs}
        ranked = 0
        for person in people.prefetch_related("rankings"):
            rows = sorted(person.rankings.all(), key=lambda r: r.position)
            self.assertEqual([r.position for r in rows], list(range(1, len(rows) + 1)))
            self.assertLessEqual({r.recommendation_id for r in rows}, allowed)
            self.assertEqual(bool(rows), person.ranked_at is not None)
            ranked += bool(rows)
        self.assertGreater(ranked, 30)
        self.assertTrue(MissingArea.objects.filter(discussion=self.discussion).exists())
        self.assertTrue(ActivityProposal.objects.filter(discussion=self.discussion).exists())
        self.assertTrue(MissingAreaEndorsement.objects.exists())
        self.assertGreater(Discussion.objects.get(pk=self.discussion.pk).revision, before)
        # The other discussion is untouched.
        self.assertFalse(Participant.objects.filter(discussion=self.other_discussion).exists())

    def test_by_id_and_the_same_seed_gives_the_same_crowd(self):
        first, second = (
            Discussion.objects.create(
                workshop=self.workshop, title=title, recommendation_set=self.rec_set
            )
            for title in ("A", "B")
        )
        for discussion in (first, second):
            call_command("crowd", str(discussion.pk), "-n", "5", "--seed", "9", stdout=StringIO())

        def ballots(discussion):
            return [
                list(
                    p.rankings.order_by("position").values_list("recommendation__number", flat=True)
                )
                for p in Participant.objects.filter(discussion=discussion).order_by("pk")
            ]

        self.assertEqual(len(ballots(first)), 5)
        self.assertEqual(ballots(first), ballots(second))

    def test_creates_tables_when_there_are_none(self):
        discussion = Discussion.objects.create(
            workshop=self.workshop, title="Tom", recommendation_set=self.rec_set
        )
        make_crowd(discussion, 8, seed=2)
        self.assertEqual(
            list(discussion.groups.values_list("name", flat=True)),
            ["Bord 1", "Bord 2", "Bord 3", "Bord 4"],
        )

    def test_unknown_discussion_and_bad_count(self):
        with self.assertRaises(CommandError):
            call_command("crowd", "NOSUCH", stdout=StringIO())
        with self.assertRaises(CommandError):
            call_command("crowd", "VARM26", "-n", "0", stdout=StringIO())


class LongListTests(BaseTestCase):
    def test_more_recommendations_than_exact_kemeny_allows_still_renders(self):
        big = type(self.rec_set).objects.create(slug="lang", name="Lång lista")
        for number in range(1, ranking.MAX_KEMENY_ITEMS + 3):
            big.recommendations.create(number=number, title=f"Punkt {number}")
        discussion = Discussion.objects.create(
            workshop=self.workshop, title="Lång", recommendation_set=big
        )
        group = discussion.groups.create(name="Bord 1")
        add_participant(discussion, group, (3, 1, 2))
        add_participant(discussion, group, (3, 2))
        counted = results.of(fresh(discussion), results.GROUP)
        items = list(range(1, ranking.MAX_KEMENY_ITEMS + 3))
        self.assertEqual(
            [row.rec.number for row in counted.room.rows],
            ranking.schulze(items, [(3, 1, 2), (3, 2)]),
        )
        self.assertEqual(counted.room.ballots, 2)
        self.assertEqual(counted.room.kemeny, [])
        self.assertIsNone(counted.room.rows[0].kemeny_place)
        self.assertEqual(counted.room.rows[0].rec.number, 3)
        self.client.force_login(self.alice)
        response = self.client.get(f"/f/d/{discussion.pk}/")
        self.assertContains(response, "Punkt 3")


class OtherSetTests(BaseTestCase):
    def test_rankings_of_recommendations_outside_the_list_are_left_out(self):
        """What was ranked before the discussion's list changed means nothing in the
        new one: such a ranking is left out of a ballot, and a ballot of nothing
        else counts as none."""
        short = type(self.rec_set).objects.create(slug="kort", name="Kort lista")
        for number in (1, 2, 3):
            short.recommendations.create(number=number, title=f"Ny {number}")
        group = self.discussion.groups.create(name="Bord 3")
        old_only = add_participant(self.discussion, group, (4, 5))
        mixed = add_participant(self.discussion, group, (5,))
        Discussion.objects.filter(pk=self.discussion.pk).update(recommendation_set=short)
        new = {r.number: r for r in short.recommendations.all()}
        Ranking.objects.create(participant=mixed, recommendation=new[2], position=2)
        Ranking.objects.create(participant=mixed, recommendation=new[3], position=3)
        fresh_one = add_participant(fresh(self.discussion), group, (1, 3))

        counted = results.of(fresh(self.discussion))
        expected = ranking.summarise([1, 2, 3], [[2, 3], [1, 3]])
        self.assertEqual([row.rec.number for row in counted.room.rows], expected.order)
        self.assertEqual(next(row.rec.title for row in counted.room.rows), "Ny 1")
        self.assertEqual(counted.room.ballots, 2)
        firsts = {p.pk: p.first and p.first.number for p in counted.people}
        self.assertEqual(firsts, {old_only.pk: None, mixed.pk: 2, fresh_one.pk: 1})
