"""Issue 25's measures fed from a discussion's answers (discussions/divides.py through
results.py): ballots built by hand, the answers counted by hand in the comments."""

import re
from datetime import timedelta
from fractions import Fraction

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from discussions import agreement, deletion, divides, results
from discussions.models import Discussion
from tests.base import BaseTestCase, add_participant

FORWARD = [1, 2, 3, 4, 5, 6, 7, 8]
BACKWARD = FORWARD[::-1]


class DividesTestCase(BaseTestCase):
    def setUp(self):
        results.clear()

    def counted(self, weighting=results.PARTICIPANT):
        return results.of(Discussion.objects.get(pk=self.discussion.pk), weighting)


class TablesAgainstTheRoomTests(DividesTestCase):
    def setUp(self):
        super().setUp()
        # Bord 1: three ballots 1..8; Bord 2: two ballots 8..1. Rec k earns
        # 3 × (8 − k) + 2 × (k − 1) = 22 − k points: the room orders 1..8 as Bord 1.
        for _ in range(3):
            add_participant(self.discussion, self.table1, FORWARD)
        for _ in range(2):
            add_participant(self.discussion, self.table2, BACKWARD)

    def test_the_reversed_table_is_at_1_from_the_room_and_the_same_at_0(self):
        res = self.counted()
        one, two = res.tables_vs_room
        self.assertEqual((one.name, one.distance), ("Bord 1", Fraction(0)))
        self.assertEqual((two.name, two.distance), ("Bord 2", Fraction(1)))
        # Each other's only neighbour, every pair the other way round.
        self.assertEqual((one.alike, one.alike_distance), (["Bord 2"], Fraction(1)))
        self.assertEqual(two.alike, ["Bord 1"])

    def test_the_flag_names_the_furthest_move_the_tables_first_on_a_tie(self):
        res = self.counted()
        self.assertEqual([d.name for d in res.tables_flagged], ["Bord 2"])
        flag = res.tables_flagged[0]
        # Rec 8 and rec 1 both move 7 places; Bord 2 lists 8 first.
        self.assertEqual((flag.rec.number, flag.place, flag.room_place), (8, 1, 8))
        self.assertFalse(res.tables_vs_room[0].flagged)

    def test_one_table_is_the_room_and_flags_nothing(self):
        add_participant(self.other_discussion, self.other_table, BACKWARD)
        res = results.of(self.other_discussion)
        self.assertEqual([d.distance for d in res.tables_vs_room], [0])
        self.assertEqual(res.tables_flagged, [])

    def test_nothing_without_ballots(self):
        res = results.of(self.other_discussion)
        self.assertEqual(res.tables_vs_room, [])
        self.assertEqual(res.splits, [])
        self.assertEqual(res.certainty.state, "none")


class ContestedTests(DividesTestCase):
    def setUp(self):
        super().setUp()
        # Two put rec 1 first, two put it last: places 1, 1, 8, 8.
        for _ in range(2):
            add_participant(self.discussion, self.table1, FORWARD)
        for _ in range(2):
            add_participant(self.discussion, self.table2, [2, 3, 4, 5, 6, 7, 8, 1])

    def test_an_even_split_between_first_and_last_is_0_and_contested(self):
        res = self.counted()
        first = res.splits[0]
        self.assertEqual(first.rec.number, 1)
        self.assertTrue(first.contested)
        self.assertAlmostEqual(first.consensus, 0.0)
        self.assertEqual((first.top, first.bottom, first.third), (2, 2, 2))
        self.assertEqual(first.level, "little")
        self.assertEqual([s.rec.number for s in res.contested], [1])

    def test_neighbouring_places_are_near_agreement(self):
        split = next(s for s in self.counted().splits if s.rec.number == 2)
        # Places 2, 2, 1, 1: mean 1.5, each 0.5 of 7 away: 1 + log2(13/14) = 0.8931.
        self.assertAlmostEqual(split.consensus, 0.8931, places=4)
        self.assertFalse(split.contested)
        self.assertEqual(split.level, "much")


class CertaintyTests(DividesTestCase):
    def test_ten_alike_ballots_make_a_clear_top_three(self):
        for _ in range(10):
            add_participant(self.discussion, self.table1, FORWARD)
        sure = self.counted().certainty
        self.assertEqual(sure.state, "clear")
        self.assertEqual([c.chance for c in sure.chances[:4]], [1, 1, 1, 0])
        self.assertTrue(sure.winner_agree and sure.top_agree)
        self.assertEqual(sure.condorcet.number, 1)
        self.assertEqual(sure.span, None)

    def test_three_nearly_equal_at_places_2_to_4_are_too_close_to_call(self):
        # 4 × 1,2,3,4…; 3 × 1,3,4,2…; 3 × 1,4,2,3…: recs 2, 3, 4 earn 51, 50 and 49
        # points for two places of the top three; rec 1 is first on every ballot.
        rest = [5, 6, 7, 8]
        for _ in range(4):
            add_participant(self.discussion, self.table1, [1, 2, 3, 4, *rest])
        for _ in range(3):
            add_participant(self.discussion, self.table2, [1, 3, 4, 2, *rest])
            add_participant(self.discussion, self.table2, [1, 4, 2, 3, *rest])
        res = self.counted()
        self.assertEqual([row.borda for row in res.room.rows[1:4]], [51, 50, 49])
        sure = res.certainty
        self.assertEqual(sure.state, "close")
        self.assertEqual(sure.span, (2, 4))
        self.assertEqual(sure.chances[0].chance, 1)
        self.assertEqual({c.rec.number for c in sure.unsettled}, {2, 3, 4})
        # Rec 1 first on every ballot beats every other head to head.
        self.assertEqual(sure.condorcet.number, 1)
        # The same ballots, the same chances: the seed is fixed.
        results.clear()
        self.assertEqual(self.counted().certainty.chances, sure.chances)
        by_group = self.counted(results.GROUP).certainty
        self.assertEqual(by_group.state, "close")

    def test_a_cycle_has_no_condorcet_winner(self):
        rest = [4, 5, 6, 7, 8]
        for ballot in ([1, 2, 3], [2, 3, 1], [3, 1, 2]):
            add_participant(self.discussion, self.table1, [*ballot, *rest])
            add_participant(self.discussion, self.table2, [*ballot, *rest])
        sure = self.counted().certainty
        self.assertIsNone(sure.condorcet)

    def test_too_few_ballots(self):
        for _ in range(divides.MIN_BALLOTS - 1):
            add_participant(self.discussion, self.table1, FORWARD)
        sure = self.counted().certainty
        self.assertEqual((sure.state, sure.chances), ("few", []))

    def test_a_big_hall_draws_fewer_rounds(self):
        self.assertEqual(divides.rounds_for(10), 200)
        self.assertEqual(divides.rounds_for(125), 200)
        self.assertEqual(divides.rounds_for(1000), 25)
        self.assertEqual(divides.rounds_for(2000), 25)


class FrozenTests(DividesTestCase):
    def test_after_the_deletion_the_tables_and_the_splits_stay_and_the_chances_are_absent(self):
        for _ in range(3):
            add_participant(self.discussion, self.table1, FORWARD)
        for _ in range(2):
            add_participant(self.discussion, self.table2, BACKWARD)
        before = self.counted()
        Discussion.objects.filter(pk=self.discussion.pk).update(
            started_at=timezone.now() - timedelta(hours=1),
            ended_at=timezone.now() - timedelta(minutes=1),
        )
        deletion.delete_participant_data(self.workshop)
        results.clear()
        after = self.counted()
        self.assertIsNotNone(after.frozen_at)
        self.assertEqual(
            [(d.name, d.distance, d.flagged) for d in after.tables_vs_room],
            [(d.name, d.distance, d.flagged) for d in before.tables_vs_room],
        )
        self.assertEqual(
            [(s.rec, s.contested) for s in after.splits],
            [(s.rec, s.contested) for s in before.splits],
        )
        self.assertEqual(after.certainty.state, "absent")
        self.assertTrue(after.certainty.winner_agree)
        self.assertIsNone(after.certainty.condorcet)
        # And the screens and the report say so, with the rest drawn from the frozen tables.
        from django.urls import reverse

        self.client.force_login(self.alice)
        absent = "Rangordningarna är raderade: hur säkert resultatet var kan inte räknas om."
        page = self.client.get(reverse("facilitator:dashboard", args=[self.discussion.pk]))
        self.assertContains(page, absent)
        self.assertContains(page, "först; rummet sätter den på plats 8.")
        report = self.client.get(reverse("export:report", args=[self.workshop.pk]))
        self.assertContains(report, absent)


class ScreensAndFilesTests(DividesTestCase):
    """Two tables that disagree: the words on the dashboard, the projector, the report
    and the figures in the files."""

    # The words each language says, for the flag of Bord 2 (rec 8 first, the room's 8th),
    # the contested recommendations and the sentence of how sure.
    WORDS = {
        "sv": [
            "Bord som skiljer sig från rummet",
            "Bord 2 sätter rek. 8",
            "först; rummet sätter den på plats 8.",
            "Av alla par av rekommendationer ordnar gruppen 100 % tvärtom mot rummet.",
            "Omstridda rekommendationer",
            "4 rekommendationer delar rummet i två läger.",
            "Hur säkert är resultatet",
        ],
        "nb": [
            "Bord som skiller seg fra rommet",
            "Bord 2 setter anb. 8",
            "først; rommet setter den på plass 8.",
            "Av alle par av anbefalinger ordner gruppen 100 % motsatt av rommet.",
            "Omstridte anbefalinger",
            "4 anbefalinger deler rommet i to leirer.",
            "Hvor sikkert er resultatet",
        ],
        "en": [
            "Tables that differ from the room",
            "Bord 2 ranks rec. 8",
            "first; the room puts it in place 8.",
            "Of all pairs of recommendations, the table orders 100 % the other way round",
            "Contested recommendations",
            "4 recommendations split the room into two camps.",
            "How sure is the result",
        ],
    }

    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)
        # As in TablesAgainstTheRoomTests: the room orders 1..8 as Bord 1 (three
        # ballots), Bord 2 (two) reversed. Recs 1, 2, 7 and 8 get three places in one
        # third and two in the other: contested (see ContestedTests for the rule).
        for _ in range(3):
            add_participant(self.discussion, self.table1, FORWARD)
        for _ in range(2):
            add_participant(self.discussion, self.table2, BACKWARD)
        Discussion.objects.filter(pk=self.discussion.pk).update(results_revealed=True)

    def get(self, name, language="sv", *args):
        from django.conf import settings
        from django.core.cache import cache
        from django.urls import reverse

        cache.clear()
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: language})
        return self.client.get(reverse(name, args=[*args] or [self.discussion.pk]))

    def test_the_dashboard_says_it_in_words_in_each_language(self):
        for language, words in self.WORDS.items():
            with self.subTest(language=language):
                page = self.get("facilitator:dashboard", language).content.decode()
                for text in words:
                    self.assertIn(text, page)
                # The title carries the workshop's language.
                title = self.recs[7].title
                self.assertRegex(
                    page, rf'<span lang="sv">.{re.escape(title)}.</span> (först|først|first)'
                )

    def test_while_the_time_runs_the_resampling_waits(self):
        from django.urls import reverse

        Discussion.objects.filter(pk=self.discussion.pk).update(results_revealed=False)
        self.client.post(reverse("facilitator:timer", args=[self.discussion.pk, "start"]))
        page = self.get("facilitator:dashboard")
        self.assertContains(page, "Räknas när tiden är ute, när du pausar eller när du visar")
        self.assertContains(page, "först; rummet sätter den på plats 8.")  # this is live
        counted = results.of(Discussion.objects.get(pk=self.discussion.pk))
        self.assertNotIn("certainty", counted.__dict__)  # never counted
        self.client.post(reverse("facilitator:timer", args=[self.discussion.pk, "pause"]))
        page = self.get("facilitator:dashboard")
        self.assertNotContains(page, "Räknas när tiden är ute")
        self.assertContains(page, "Ingen plats är säker: rangordningen är för jämn för att avgöra.")

    def test_the_projector_says_how_sure(self):
        # Five ballots, three one way and two the other: drawn again, either camp can
        # be the larger one, so no recommendation is sure of the top three or out of it.
        sure = results.of(self.discussion).certainty
        self.assertEqual((sure.state, sure.span, sure.whole), ("close", (1, 8), True))
        expected = {
            "sv": "Ingen plats är säker: rangordningen är för jämn för att avgöra.",
            "nb": "Ingen plass er sikker: rangeringen er for jevn til å avgjøre.",
            "en": "No place is sure: the ranking is too close to call.",
        }
        for language, words in expected.items():
            with self.subTest(language=language):
                page = self.get("facilitator:projector_results", language).content.decode()
                found = re.search(r'<p class="pr-certainty pr-close">([^<]*)</p>', page)
                self.assertEqual(words, found.group(1).strip())

    def test_when_no_place_is_sure_the_sentence_says_so_not_places_1_to_8(self):
        # Each of the eight rotations of 1..8 once: every recommendation is at every
        # place once, 28 points each, all sharing place 1, and by symmetry none is in
        # or out of the top three in most draws (each one's chance is near 3/8).
        for shift in range(8):
            ballot = FORWARD[shift:] + FORWARD[:shift]
            add_participant(self.other_discussion, self.other_table, ballot)
        res = results.of(Discussion.objects.get(pk=self.other_discussion.pk))
        self.assertEqual({row.borda for row in res.room.rows}, {28})
        sure = res.certainty
        self.assertEqual((sure.state, sure.span, sure.whole), ("close", (1, 1), True))
        Discussion.objects.filter(pk=self.other_discussion.pk).update(results_revealed=True)
        self.client.force_login(self.bob)
        for language, sentence in {
            "sv": "Ingen plats är säker: rangordningen är för jämn för att avgöra.",
            "nb": "Ingen plass er sikker: rangeringen er for jevn til å avgjøre.",
            "en": "No place is sure: the ranking is too close to call.",
        }.items():
            with self.subTest(language=language):
                page = self.get("facilitator:projector_results", language, self.other_discussion.pk)
                self.assertContains(page, sentence)
                self.assertNotContains(page, "Plats 1 är för jämn")

    def test_the_projector_says_too_close_to_call(self):
        rest = [5, 6, 7, 8]
        # 4, 3 and 3 ballots: 51, 50 and 49 points at places 2–4 (CertaintyTests).
        for ballot, times in (([1, 2, 3, 4], 4), ([1, 3, 4, 2], 3), ([1, 4, 2, 3], 3)):
            for _ in range(times):
                add_participant(self.other_discussion, self.other_table, [*ballot, *rest])
        Discussion.objects.filter(pk=self.other_discussion.pk).update(results_revealed=True)
        self.client.force_login(self.bob)
        for language, sentence in {
            "sv": "Platserna 2–4 är för jämna för att avgöra.",
            "nb": "Plassene 2–4 er for jevne til å avgjøre.",
            "en": "Places 2–4 are too close to call.",
        }.items():
            with self.subTest(language=language):
                page = self.get("facilitator:projector_results", language, self.other_discussion.pk)
                self.assertContains(page, sentence)
                self.assertContains(page, 'class="pr-certainty pr-close"')

    def test_the_files_carry_the_figures(self):
        import io
        import json

        import openpyxl

        from discussions import export

        doc = export.build_json(self.workshop)
        divides_doc = doc["discussions"][0]["divides"]
        tables = {t["name"]: t for t in divides_doc["tables"]}
        self.assertEqual(tables["Bord 2"]["kendall_distance"], 1)
        self.assertEqual(tables["Bord 1"]["kendall_distance"], 0)
        self.assertTrue(tables["Bord 2"]["flagged"])
        self.assertEqual(
            tables["Bord 2"]["largest_move"], {"recommendation": 8, "place": 1, "room_place": 8}
        )
        self.assertEqual(tables["Bord 2"]["most_alike"], [self.table1.pk])
        contested = [r["recommendation"] for r in divides_doc["recommendations"] if r["contested"]]
        self.assertEqual(sorted(contested), [1, 2, 7, 8])
        self.assertEqual(divides_doc["certainty"]["state"], "close")
        first, last = divides_doc["certainty"]["unsettled_places"]
        self.assertEqual(len(divides_doc["certainty"]["chances"]), 8)
        json.dumps(doc)  # and it is JSON

        book = openpyxl.load_workbook(io.BytesIO(export.build_xlsx(self.workshop)))
        rows = list(book["Grupper mot rummet"].iter_rows(values_only=True))
        self.assertEqual(rows[2][1:4], ("Bord 2", 2, 1))
        self.assertEqual(rows[2][6:11], ("Ja", 8, self.recs[7].title, 1, 8))
        omstridda = list(book["Omstridda"].iter_rows(values_only=True))[1:]
        self.assertEqual(sorted(r[1] for r in omstridda if r[6] == "Ja"), [1, 2, 7, 8])
        sure = list(book["Hur säkert"].iter_rows(values_only=True))[1:]
        self.assertEqual(
            sure[0][1:5],
            (5, "Ingen plats är säker: rangordningen är för jämn för att avgöra.", first, last),
        )

        report = self.get("export:report", "sv", self.workshop.pk).content.decode()
        self.assertIn("Bord som skiljer sig från rummet", report)
        self.assertIn("först; rummet sätter den på plats 8.", report)
        self.assertIn("Omstridda rekommendationer", report)
        self.assertIn("Ingen plats är säker: rangordningen är för jämn för att avgöra.", report)


@given(st.permutations(list(range(7))), st.permutations(list(range(7))))
def test_the_pair_masks_count_what_kendall_distance_counts(a, b):
    """divides.py counts the tables' distances by bit masks over the pairs: the same
    as agreement.kendall_distance, whatever the orders (and whatever the reference)."""
    items = sorted(a)
    swapped = (divides.pair_mask(a, items) ^ divides.pair_mask(b, items)).bit_count()
    assert Fraction(swapped, 21) == agreement.kendall_distance(a, b)
