"""discussions.results against discussions.ranking, and the crowd command.

Every expected number comes from ranking.summarise on ballots this file wrote
itself, never from the database, so a wrong query in results.py shows up.
"""

from fractions import Fraction
from io import StringIO

from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions import control, ranking, results
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


def fresh(discussion):
    return Discussion.objects.select_related("recommendation_set").get(pk=discussion.pk)


# Table 1 leans to 3, table 2 to 5; ballots are partial on purpose.
TABLE1 = [(3, 1, 2), (3, 2), (1, 3, 5, 2)]
TABLE2 = [(5, 4), (5, 3, 1)]


class RankingsTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.by_number = {r.number: r.pk for r in cls.recs}
        for numbers in TABLE1:
            add_participant(cls.discussion, cls.table1, numbers)
        for numbers in TABLE2:
            add_participant(cls.discussion, cls.table2, numbers)
        add_participant(cls.discussion, cls.table2)  # joined, ranked nothing
        # Someone in another discussion must not count here.
        add_participant(cls.other_discussion, cls.other_table, (8, 7))

    def setUp(self):
        cache.clear()

    def ids(self, ballots):
        return [[self.by_number[n] for n in ballot] for ballot in ballots]

    def assert_table_matches(self, table, expected):
        items = [r.pk for r in self.recs]
        self.assertEqual([row.rec.pk for row in table.rows], expected.order)
        self.assertEqual([rec.pk for rec in table.kemeny], expected.kemeny)
        self.assertEqual(table.ballots, expected.ballots)
        self.assertEqual(table.agreement, expected.w)
        for row, want in zip(table.rows, expected.rows, strict=True):
            self.assertEqual(row.rec.pk, want.item)
            self.assertAlmostEqual(row.borda, float(want.borda))
            self.assertAlmostEqual(row.mean_rank, float(want.mean_rank))
            self.assertAlmostEqual(row.first_places, float(want.first_places))
            self.assertEqual(row.schulze_position, want.schulze_position)
            self.assertEqual(row.kemeny_position, want.kemeny_position)
            self.assertEqual(row.position_counts, want.position_counts)
        self.assertEqual(len(items), len(table.rows))

    def test_each_group_matches_summarise_on_its_own_ballots(self):
        result = results.compute_rankings(fresh(self.discussion))
        items = [r.pk for r in self.recs]
        self.assertEqual([t.group for t in result.groups], [self.table1, self.table2])
        self.assert_table_matches(result.groups[0], ranking.summarise(items, self.ids(TABLE1)))
        self.assert_table_matches(result.groups[1], ranking.summarise(items, self.ids(TABLE2)))

    def test_overall_with_each_participant_equal(self):
        result = results.compute_rankings(fresh(self.discussion), results.PARTICIPANT)
        expected = ranking.summarise([r.pk for r in self.recs], self.ids(TABLE1 + TABLE2))
        self.assert_table_matches(result.overall, expected)
        self.assertEqual(result.overall.ballots, 5)

    def test_overall_with_each_group_equal(self):
        result = results.compute_rankings(fresh(self.discussion), results.GROUP)
        weights = [Fraction(1, 3)] * 3 + [Fraction(1, 2)] * 2
        expected = ranking.summarise([r.pk for r in self.recs], self.ids(TABLE1 + TABLE2), weights)
        self.assert_table_matches(result.overall, expected)
        # Two groups of weight 1 each: everybody-first would give 2 * 7 points.
        self.assertAlmostEqual(sum(row.first_places for row in result.overall.rows), 2.0)
        # And it differs from counting people: table 1 has more of them.
        by_people = results.compute_rankings(fresh(self.discussion), results.PARTICIPANT)
        self.assertNotEqual(
            [row.borda for row in result.overall.rows],
            [row.borda for row in by_people.overall.rows],
        )

    def test_matrix_shows_each_groups_position_in_overall_order(self):
        result = results.compute_rankings(fresh(self.discussion))
        self.assertEqual(
            [m.rec.pk for m in result.matrix], [row.rec.pk for row in result.overall.rows]
        )
        for mrow in result.matrix:
            positions = [table.row_for(mrow.rec.pk).schulze_position for table in result.groups]
            self.assertEqual([c.schulze_position for c in mrow.cells], positions)
            self.assertEqual(mrow.spread, max(positions) - min(positions))

    def test_group_without_ballots_has_an_empty_cell_and_no_agreement(self):
        empty = control.create_tables(self.discussion, 1)[0]
        result = results.compute_rankings(fresh(self.discussion))
        table = result.for_group(empty.pk)
        self.assertEqual(table.ballots, 0)
        self.assertIsNone(table.agreement)
        self.assertEqual(table.top(), [])
        self.assertTrue(all(m.cells[-1] is None for m in result.matrix))

    def test_borda_bar_steps_are_shares_of_the_maximum_in_fives(self):
        result = results.compute_rankings(fresh(self.discussion))
        most = 5 * 7  # five ballots, eight recommendations
        for row in result.overall.rows:
            self.assertEqual(row.borda_step % 5, 0)
            self.assertLessEqual(abs(row.borda_step - 100 * row.borda / most), 2.5)

    def test_histograms_are_scaled_to_the_tables_peak(self):
        result = results.compute_rankings(fresh(self.discussion))
        heights = [bar.height for row in result.overall.rows for bar in row.bars]
        self.assertEqual(max(heights), results.HISTOGRAM_HEIGHT)
        first = result.overall.rows[0]
        self.assertEqual([b.count for b in first.bars], first.position_counts[:-1])
        self.assertEqual(first.unranked, first.position_counts[-1])

    def test_a_ranking_of_a_recommendation_outside_the_set_is_ignored(self):
        # Left over from before the facilitator switched lists: not an error.
        other_set = type(self.rec_set).objects.create(slug="annan", name="Annan lista")
        stray = other_set.recommendations.create(number=1, title="Något annat")
        participant = add_participant(self.discussion, self.table1, (4,))
        Ranking.objects.create(participant=participant, recommendation=stray, position=2)
        result = results.compute_rankings(fresh(self.discussion))
        self.assertEqual(result.overall.ballots, 6)

    def test_loading_takes_the_same_queries_for_few_and_many(self):
        with CaptureQueriesContext(connection) as few:
            results.compute_rankings(fresh(self.discussion))
        make_crowd(self.discussion, 300, seed=3)
        with CaptureQueriesContext(connection) as many:
            results.compute_rankings(fresh(self.discussion))
        self.assertEqual(len(few), len(many))

    def test_cached_rankings_follow_the_live_revision(self):
        discussion = Discussion.with_live_revision(Discussion.objects).get(pk=self.discussion.pk)
        first = results.rankings(discussion)
        with self.assertNumQueries(0):
            self.assertIs(type(results.rankings(discussion)), results.Rankings)
        # A participant's write bumps only the group's revision; the cache sees it too.
        add_participant(self.discussion, self.table1, (8,))
        Group.bump_revision(self.table1.pk)
        second = results.rankings(fresh(self.discussion))
        self.assertEqual(second.overall.ballots, first.overall.ballots + 1)

    def test_this_processs_copies_answer_without_the_cache_and_follow_a_group(self):
        discussion = Discussion.with_live_revision(Discussion.objects).get(pk=self.discussion.pk)
        first = results.rankings(discussion)
        cache.clear()  # what another process would not have; this one kept its copy
        with self.assertNumQueries(0):
            self.assertIs(results.rankings(discussion), first)
        # Table 1 changes: its table is computed anew, table 2's is this process's copy
        # even with the shared cache empty.
        add_participant(self.discussion, self.table1, (8,))
        Group.bump_revision(self.table1.pk)
        cache.clear()
        second = results.rankings(fresh(self.discussion))
        self.assertEqual(second.groups[0].ballots, first.groups[0].ballots + 1)
        self.assertIsNot(second.groups[0].rows, first.groups[0].rows)
        self.assertIs(second.groups[1].rows, first.groups[1].rows)

    def test_a_write_that_is_not_a_ballot_keeps_the_groups_table(self):
        first = results.compute_rankings(fresh(self.discussion))
        # A why, an entry or a +1 bumps the group's revision but changes no ballot.
        Participant.objects.filter(group=self.table1).update(why="Därför")
        Group.bump_revision(self.table1.pk)
        second = results.compute_rankings(fresh(self.discussion))
        self.assertIs(second.groups[0].rows, first.groups[0].rows)
        # A ballot changed in place (as many ballots as before) is computed anew.
        someone = Participant.objects.filter(group=self.table1).order_by("pk").first()
        Ranking.objects.filter(participant=someone).delete()
        Ranking.objects.create(participant=someone, recommendation=self.recs[7], position=1)
        Group.bump_revision(self.table1.pk)
        third = results.compute_rankings(fresh(self.discussion))
        self.assertEqual(third.groups[0].ballots, first.groups[0].ballots)
        self.assertIsNot(third.groups[0].rows, first.groups[0].rows)
        expected = ranking.summarise([r.pk for r in self.recs], self.ids([(8,), *TABLE1[1:]]))
        self.assert_table_matches(third.groups[0], expected)

    def test_a_kept_table_shows_the_groups_and_recommendations_new_names(self):
        first = results.compute_rankings(fresh(self.discussion))
        Group.objects.filter(pk=self.table1.pk).update(name="Bord Ett")
        second = results.compute_rankings(fresh(self.discussion))
        self.assertIs(second.groups[0].rows, first.groups[0].rows)
        self.assertEqual(second.groups[0].group.name, "Bord Ett")
        rec = self.recs[2]  # number 3, table 1's first
        type(rec).objects.filter(pk=rec.pk).update(title="Ny rubrik")
        third = results.compute_rankings(fresh(self.discussion))
        self.assertEqual(third.groups[0].rows[0].rec.title, "Ny rubrik")

    def test_only_revealed_rankings_go_to_the_shared_cache(self):
        """Before the reveal only the dashboard reads them: no pickling on each redraw.
        After it every phone does, so another app server finds them computed."""
        discussion = Discussion.with_live_revision(Discussion.objects).get(pk=self.discussion.pk)
        results.rankings(discussion)
        results.forget_kept()  # as another app server would be
        with CaptureQueriesContext(connection) as unrevealed:
            results.rankings(discussion)
        self.assertGreater(len(unrevealed), 0)
        control.reveal_results(discussion.pk, True)
        discussion = Discussion.with_live_revision(Discussion.objects).get(pk=self.discussion.pk)
        first = results.rankings(discussion)
        results.forget_kept()
        with self.assertNumQueries(0):
            self.assertEqual(results.rankings(discussion).overall.ballots, first.overall.ballots)

    def test_the_overall_table_sums_kept_and_new_group_tables(self):
        """The overall table adds up the groups' tallies; one kept from an earlier
        computation counts as one computed now."""
        results.compute_rankings(fresh(self.discussion))
        add_participant(self.discussion, self.table2, (8, 1))
        Group.bump_revision(self.table2.pk)
        # Table 1's is kept, table 2's computed anew.
        for weighting in (results.PARTICIPANT, results.GROUP):
            result = results.compute_rankings(fresh(self.discussion), weighting)
            ballots = self.ids([*TABLE1, *TABLE2, (8, 1)])
            sizes = [len(TABLE1)] * len(TABLE1) + [len(TABLE2) + 1] * (len(TABLE2) + 1)
            weights = [Fraction(1, n) for n in sizes] if weighting == results.GROUP else None
            expected = ranking.summarise([r.pk for r in self.recs], ballots, weights)
            self.assert_table_matches(result.overall, expected)
            self.assertEqual(result.overall.ballots, 6)

    def test_for_phone_gives_overall_and_the_own_group(self):
        phone = results.for_phone(fresh(self.discussion), self.table2.pk)
        self.assertEqual(phone.overall.ballots, 5)
        self.assertEqual(phone.group.group, self.table2)
        self.assertEqual(phone.group.ballots, 2)
        self.assertEqual(phone.group.rows[0].rec.number, 5)
        self.assertIsNone(results.for_phone(fresh(self.discussion), 999_999).group)

    def test_parse_weighting(self):
        self.assertEqual(results.parse_weighting("grupp"), results.GROUP)
        for raw in (None, "", "deltagare", "GRUPP", "x" * 1000):
            self.assertEqual(results.parse_weighting(raw), results.PARTICIPANT)


class DashboardDataTests(BaseTestCase):
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

    def setUp(self):
        cache.clear()

    def test_entries_sorted_by_endorsements_with_group_names(self):
        board = results.dashboard(fresh(self.discussion))
        self.assertEqual(
            [(r.entry.text, r.endorsements, r.group_name) for r in board.areas],
            [("Unga", 3, "Bord 2"), ("Kultur", 2, "Bord 1")],
        )

    def test_hidden_entries_are_left_out_but_listed_for_restoring(self):
        board = results.dashboard(fresh(self.discussion))
        self.assertNotIn(self.abuse.pk, [r.entry.pk for r in board.areas])
        self.assertEqual([(r.kind, r.entry.pk) for r in board.hidden], [("area", self.abuse.pk)])

    def test_merged_entries_show_only_inside_their_target(self):
        control.merge(MissingArea, self.discussion.pk, self.culture.pk, self.youth.pk)
        board = results.dashboard(fresh(self.discussion))
        self.assertEqual([r.entry.pk for r in board.areas], [self.youth.pk])
        self.assertEqual([m.pk for m in board.areas[0].merged], [self.culture.pk])
        # anna, bo, dan on "Unga" + cissi from "Kultur"; bo endorsed both: once.
        self.assertEqual(board.areas[0].endorsements, 4)

    def test_activities_grouped_by_recommendation_in_set_order(self):
        board = results.dashboard(fresh(self.discussion))
        self.assertEqual(
            [(a.rec.number, [r.entry.text for r in a.entries]) for a in board.activities],
            [(2, ["Studieresa"]), (3, ["Jobbmässa"])],
        )

    def test_a_limit_shows_the_most_endorsed_of_each_list_and_counts_them_all(self):
        add_activity(self.bo, "Mässa A", self.recs[1])
        add_activity(self.bo, "Mässa B", self.recs[1], endorsers=[self.anna, self.dan])
        discussion = fresh(self.discussion)

        board = results.dashboard(discussion, limit=1)
        self.assertEqual(([r.entry.text for r in board.areas], board.areas.total), (["Unga"], 2))
        self.assertEqual(
            [
                (a.rec.number, [r.entry.text for r in a.entries], a.entries.total)
                for a in board.activities
            ],
            [(2, ["Mässa B"], 3), (3, ["Jobbmässa"], 1)],
        )
        self.assertEqual([r.entry.text for r in board.hidden], ["Något elakt"])  # never cut

        board = results.dashboard(discussion, limit=None)
        self.assertEqual(
            [r.entry.text for r in board.activities[0].entries],
            ["Mässa B", "Studieresa", "Mässa A"],
        )
        self.assertEqual(board.activities[0].entries.total, 3)

    def test_whys_grouped_under_each_first_choice(self):
        board = results.dashboard(fresh(self.discussion))
        grouped = {(w.rec.number if w.rec else None): w.answers for w in board.whys}
        self.assertEqual(
            grouped,
            {
                3: [("Pendlarna först", "Bord 1"), ("Samma som Anna", "Bord 1")],
                5: [("Forskning", "Bord 2")],
                None: [("Jag hann inte ranka", "Bord 2")],
            },
        )

    def test_participation_per_group(self):
        board = results.dashboard(fresh(self.discussion))
        self.assertEqual(
            [(p.group, p.joined, p.ranked, p.wrote) for p in board.participation],
            [(self.table1, 2, 2, 2), (self.table2, 3, 1, 2)],
        )
        self.assertEqual((board.totals.joined, board.totals.ranked, board.totals.wrote), (5, 3, 4))


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
        result = results.compute_rankings(fresh(discussion), results.GROUP)
        items = [r.pk for r in big.recommendations.order_by("number")]
        by_number = {r.number: r.pk for r in big.recommendations.all()}
        ballots = [[by_number[n] for n in b] for b in ((3, 1, 2), (3, 2))]
        self.assertEqual(
            [row.rec.pk for row in result.overall.rows], ranking.schulze(items, ballots)
        )
        self.assertEqual(result.overall.ballots, 2)
        self.assertEqual(result.overall.kemeny, [])
        self.assertIsNone(result.overall.rows[0].kemeny_position)
        self.assertEqual(result.overall.rows[0].rec.number, 3)
        self.client.force_login(self.alice)
        response = self.client.get(f"/f/d/{discussion.pk}/")
        self.assertContains(response, "Punkt 3")


class OtherSetTests(BaseTestCase):
    def test_rankings_of_recommendations_outside_the_set_are_left_out(self):
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

        result = results.compute_rankings(fresh(self.discussion))
        items = [new[n].pk for n in (1, 2, 3)]
        expected = ranking.summarise(items, [[new[2].pk, new[3].pk], [new[1].pk, new[3].pk]])
        self.assertEqual([row.rec.pk for row in result.overall.rows], expected.order)
        self.assertEqual(result.overall.ballots, 2)
        self.assertEqual(result.firsts, {mixed.pk: new[2].pk, fresh_one.pk: new[1].pk})
        self.assertNotIn(old_only.pk, result.firsts)
