"""Numbers a facilitator can explain in one sentence (issue 22, section 5).

Every list (the projector, the phones, the dashboard, the report) is ordered by the
points and prints them, so they fall down the list; equal points share a place; a
recommendation's number is a label ("Rek. 2"), never a bare "2." beside a place; the
dashboard names every measure and says where Schulze or Kemeny disagree.

The ballots below make the points and Schulze disagree, counted by hand. Eight
recommendations, top-3 ballots: a first place earns 7 points, a second 6, a third 5,
and the five left unranked share the 10 points left over, 2 each.

    ballot        at      1    2    3    4 … 8
    3 × (1, 2, 3) Bord 1  21   18   15   6 each
    2 × (2, 3, 1) Bord 2  10   14   12   4 each
    points                31   32   27   10 each

Head to head, 1 is above 2 on three ballots and below it on two: 1 beats 2, and
1 and 2 beat 3, so Schulze (and Kemeny) say 1, 2, 3; the points say 2, 1, 3. By the
points: 2 first, 1 second, 3 third, 4 to 8 share fourth place. Each table alone agrees
with itself: Bord 1 says 1, 2, 3 both ways (21, 18, 15), Bord 2 says 2, 3, 1 (14, 12, 10).
"""

import itertools
import re

from django.http import HttpResponse
from django.test import SimpleTestCase
from django.urls import reverse

from discussions import facilitator_writes, ranking
from discussions.participant_cookie import cookie_name, set_participant_cookie
from tests.base import BaseTestCase, add_participant

ROOM_POINTS = ["32", "31", "27", "10", "10", "10", "10", "10"]
ROOM_PLACES = [1, 2, 3, 4, 4, 4, 4, 4]
ROOM_ORDER = [2, 1, 3, 4, 5, 6, 7, 8]  # equal points in the Schulze order: 4, 5, … 8

SENTENCE = {
    "sv": "Poäng: 7 för en förstaplats, 6 för en andraplats",
    "nb": "Poeng: 7 for en førsteplass, 6 for en andreplass",
    "en": "Points: 7 for a first place, 6 for a second place",
}
LABEL = {"sv": "Rek.", "nb": "Anb.", "en": "Rec."}

HIDDEN = r'<span class="visually-hidden">[^<]*</span>'


def falls(points):
    values = [float(p.replace(",", ".")) for p in points]
    return all(a >= b for a, b in itertools.pairwise(values))


class PlacesTests(SimpleTestCase):
    """ranking.shared_places and ranking.disagreements, on hand-made places."""

    def test_equal_points_share_a_place_and_the_next_place_skips(self):
        self.assertEqual(ranking.shared_places([9, 7, 7, 4]), [1, 2, 2, 4])
        self.assertEqual(ranking.shared_places([4, 9, 7, 7]), [4, 1, 2, 2])
        self.assertEqual(ranking.shared_places([5, 5, 5]), [1, 1, 1])
        self.assertEqual(ranking.shared_places([]), [])

    def test_a_swap_of_the_sixth_and_seventh_is_places_6_to_7(self):
        shown = [1, 2, 3, 4, 5, 6, 7, 8]
        other = [1, 2, 3, 4, 5, 7, 6, 8]
        self.assertEqual(ranking.disagreements(shown, other), [(6, 7)])

    def test_a_rotation_covers_all_three_places(self):
        # Shown 3rd, 4th, 5th; the other method puts them 5th, 3rd, 4th.
        self.assertEqual(ranking.disagreements([1, 2, 3, 4, 5], [1, 2, 5, 3, 4]), [(3, 5)])

    def test_two_separate_swaps_are_two_ranges(self):
        shown = [1, 2, 3, 4, 5, 6]
        self.assertEqual(ranking.disagreements(shown, [2, 1, 3, 4, 6, 5]), [(1, 2), (5, 6)])
        # Swaps that share a place merge: 2↔3 and 3↔4 as a chain.
        self.assertEqual(ranking.disagreements([1, 2, 3, 4], [1, 4, 2, 3]), [(2, 4)])

    def test_a_tie_in_the_shown_places_is_no_disagreement(self):
        # Two items share the 2nd place; the other method orders them either way.
        self.assertEqual(ranking.disagreements([1, 2, 2, 4], [1, 3, 2, 4]), [])
        # But an item below the tie put above one of them is.
        self.assertEqual(ranking.disagreements([1, 2, 2, 4], [1, 2, 4, 3]), [(2, 4)])

    def test_agreement_and_a_method_without_places_give_nothing(self):
        self.assertEqual(ranking.disagreements([1, 2, 3], [1, 2, 3]), [])
        self.assertEqual(ranking.disagreements([1, 2, 3], [None, None, None]), [])

    def test_unequal_lengths_are_refused(self):
        with self.assertRaises(ValueError):
            ranking.disagreements([1, 2], [1])


class NumbersTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for _ in range(3):
            add_participant(cls.discussion, cls.table1, (1, 2, 3), why="Därför")
        cls.phone_owner = None
        for _ in range(2):
            cls.phone_owner = add_participant(cls.discussion, cls.table2, (2, 3, 1))
        facilitator_writes.run_timer(cls.discussion.pk, "start")
        facilitator_writes.run_timer(cls.discussion.pk, "end")
        facilitator_writes.reveal_results(cls.discussion.pk, True)

    def page(self, name, *args, language="sv"):
        self.client.cookies["django_language"] = language
        response = self.client.get(reverse(name, args=args))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def projector(self, language="sv"):
        self.client.force_login(self.alice)
        return self.page("facilitator:projector_results", self.discussion.pk, language=language)

    def phone(self, language="sv"):
        signed = HttpResponse()
        set_participant_cookie(signed, self.phone_owner)
        name = cookie_name(self.discussion.pk)
        self.client.cookies[name] = signed.cookies[name].value
        html = self.page("phone_results", self.discussion.pk, language=language)
        return html[html.index('class="phone-results"') :]

    def dashboard(self, language="sv"):
        self.client.force_login(self.alice)
        return self.page("facilitator:dashboard", self.discussion.pk, language=language)

    # --- The projector ------------------------------------------------------------

    def test_the_projector_lists_by_the_points_which_fall_down_the_list(self):
        rows = re.findall(
            rf'<span class="pr-pos">{HIDDEN}(\d+)</span>\s*<span class="pr-title">'
            r'<span class="rec-label">Rek\. (\d+)</span>.*?<span class="pr-points">([^ <]*)',
            self.projector(),
            re.S,
        )
        self.assertEqual([int(n) for _p, n, _pt in rows], ROOM_ORDER)
        self.assertEqual([pt for _p, _n, pt in rows], ROOM_POINTS)
        self.assertEqual([int(p) for p, _n, _pt in rows], ROOM_PLACES)
        self.assertTrue(falls([pt for _p, _n, pt in rows]))

    def test_the_projector_says_what_the_points_are_in_each_language(self):
        for language, sentence in SENTENCE.items():
            html = self.projector(language)
            explain = html[html.index('class="pr-explain"') :]
            self.assertIn(sentence, explain[: explain.index("</p>")], language)
            self.assertIn(f'<span class="rec-label">{LABEL[language]} 2</span>', html)
        self.assertNotIn("Schulze", self.projector())

    def test_the_projector_says_so_when_each_group_weighs_the_same(self):
        self.client.force_login(self.alice)
        url = reverse("facilitator:projector_results", args=[self.discussion.pk])
        html = self.client.get(url, {"vikt": "grupp"}).content.decode()
        self.assertIn("Varje grupp väger lika: en grupps poäng delas med antalet", html)

    def test_a_groups_top_three_on_the_projector_have_places_and_labels(self):
        html = self.projector()
        groups = html[html.index('class="pr-groups') :]
        bord_2 = groups[groups.index("Bord 2") :]
        top = re.findall(
            rf'<span class="pr-top-pos">{HIDDEN}(\d+)</span> <span class="pr-top-title">'
            r'<span class="rec-label">Rek\. (\d+)',
            bord_2[: bord_2.index("</ol>")],
        )
        self.assertEqual(top, [("1", "2"), ("2", "3"), ("3", "1")])

    # --- The phone ----------------------------------------------------------------

    def test_the_phone_prints_each_place_and_points_that_fall(self):
        html = self.phone()
        lists = html.split('class="result-list"')[1:]
        row = (
            rf'<span class="result-place">{HIDDEN}(\d+)</span>\s*<span class="result-title">'
            r'<span class="rec-label">Rek\. (\d+)</span>.*?<span class="result-points">([^ <]*) '
        )
        table, room = (re.findall(row, part.split("</ol>")[0], re.S) for part in lists)
        # Bord 2 alone: 2 has 14, 3 has 12, 1 has 10, the rest 4 each.
        self.assertEqual(
            table,
            [("1", "2", "14"), ("2", "3", "12"), ("3", "1", "10")]
            + [("4", str(n), "4") for n in (4, 5, 6, 7, 8)],
        )
        self.assertEqual([int(n) for _p, n, _pt in room], ROOM_ORDER)
        self.assertEqual([pt for _p, _n, pt in room], ROOM_POINTS)
        self.assertEqual([int(p) for p, _n, _pt in room], ROOM_PLACES)

    def test_the_phone_says_what_the_points_are_in_each_language(self):
        for language, sentence in SENTENCE.items():
            html = self.phone(language)
            self.assertIn(sentence, html, language)
            self.assertIn(f'<span class="rec-label">{LABEL[language]} 2</span>', html)
            self.assertNotIn('class="rec-number"', html)

    # --- The dashboard ------------------------------------------------------------

    def room_table(self, html):
        return html[html.index('id="ranking-overall"') : html.index('id="dash-matrix"')]

    def test_the_dashboard_lists_by_the_points_with_schulze_and_kemeny_beside(self):
        rows = re.findall(
            r'<td class="f-num f-pos">(\d+)</td>\s*<th scope="row" class="f-rec-cell">'
            r'<span class="rec-label">Rek\. (\d+)</span>.*?<span class="f-bar-value">([^<]*)'
            r'</span></span></td>\s*<td class="f-num f-other">(\d+)</td>\s*'
            r'<td class="f-num f-other">(\d+)</td>',
            self.room_table(self.dashboard()),
            re.S,
        )
        self.assertEqual([int(n) for _p, n, *_ in rows], ROOM_ORDER)
        self.assertEqual([int(p) for p, *_ in rows], ROOM_PLACES)
        self.assertEqual([pt for _p, _n, pt, *_ in rows], ROOM_POINTS)
        # Schulze and Kemeny: 1 before 2; 4 to 8 in the list's order.
        self.assertEqual([int(s) for *_, s, _k in rows], [2, 1, 3, 4, 5, 6, 7, 8])
        self.assertEqual([int(k) for *_, k in rows], [2, 1, 3, 4, 5, 6, 7, 8])

    def test_the_dashboard_names_where_the_methods_disagree(self):
        html = self.dashboard()
        room = self.room_table(html)
        self.assertIn("Schulze-metoden och poängen är oense om platserna 1–2.", room)
        self.assertIn("Kemeny och poängen är oense om platserna 1–2.", room)
        self.assertNotIn("ger samma ordning", room)
        # Each table alone agrees with itself.
        for group in (self.table1, self.table2):
            part = html[html.index(f'id="group-{group.pk}"') :]
            part = part[: part.index("</details>")]
            self.assertIn("Poängen, Schulze-metoden och Kemeny ger samma ordning.", part)
            self.assertNotIn("oense", part)
        english = self.room_table(self.dashboard("en"))
        self.assertIn("The Schulze method and the points disagree on places 1–2.", english)
        norwegian = self.room_table(self.dashboard("nb"))
        self.assertIn("Schulze-metoden og poengene er uenige om plassene 1–2.", norwegian)

    def test_every_measure_explains_itself_on_focus_and_in_the_legend(self):
        html = self.dashboard()
        room = self.room_table(html)
        terms = re.findall(r'<span class="f-term" tabindex="0" aria-describedby="([^"]+)">', room)
        # Place, points, Schulze, Kemeny, mean place, first places, distribution.
        self.assertEqual(len(terms), 7)
        for tip in terms:
            self.assertEqual(html.count(f'id="{tip}"'), 1, tip)
            self.assertRegex(html, rf'<span class="f-tip" role="tooltip" id="{tip}">[^<]{{12,}}')
        legend = room[room.index('<dl class="f-legend">') :]
        legend = legend[: legend.index("</dl>")]
        for term in ("Plats", "Poäng", "Schulze", "Kemeny", "Medelplats", "Förstaplatser"):
            self.assertIn(f"<dt>{term}</dt>", legend)
        self.assertIn("7 för en förstaplats", legend)
        self.assertIn("Kendalls W", legend)
        # The words the issue found unexplained are gone from the headings.
        self.assertNotIn(">1:a<", html)
        self.assertNotIn(">Medel<", html)
        self.assertNotIn("W = ", html)
        # Each group's table has tips of its own, not the room's ids again.
        self.assertIn(f'id="tip-{self.table1.pk}-points"', html)

    def test_the_matrix_places_each_group_by_its_points(self):
        html = self.dashboard()
        matrix = html[html.index('id="dash-matrix"') :]
        matrix = matrix[: matrix.index("</tbody>")]
        rows = re.findall(
            r'<td class="f-num">(\d+)</td>\s*<th scope="row" class="f-rec-cell">'
            r'<span class="rec-label">Rek\. (\d+)</span> <span lang="sv">[^<]*</span></th>\s*'
            r'<td class="f-num f-place[^"]*"[^>]*>(\d+)</td><td class="f-num f-place[^"]*"[^>]*>'
            r"(\d+)</td>",
            matrix,
        )
        # (room's place, recommendation, its place in Bord 1, in Bord 2): 2 is 1st, 2nd
        # and 1st; 1 is 2nd, 1st and 3rd; 3 is 3rd, 3rd and 2nd.
        self.assertEqual(
            [tuple(int(v) for v in row) for row in rows[:3]],
            [(1, 2, 2, 1), (2, 1, 1, 3), (3, 3, 3, 2)],
        )

    # --- The report ---------------------------------------------------------------

    def test_the_report_lists_by_the_points_and_says_what_they_are(self):
        self.client.force_login(self.alice)
        html = self.page("export:report", self.workshop.pk)
        room = html.split('<table class="r-table">')[1].split("</table>")[0]
        rows = re.findall(
            r'<td class="r-num r-pos">(\d+)(?:<abbr[^>]*>=</abbr>)?</td>'
            r'\s*<th scope="row" class="r-rec">'
            r'<span class="rec-label">Rek\. (\d+)</span>.*?'
            r'<span class="r-bar-value">([^<]*)</span>',
            room,
            re.S,
        )
        self.assertEqual([int(n) for _p, n, _pt in rows], ROOM_ORDER)
        self.assertEqual([pt for *_, pt in rows], ROOM_POINTS)
        self.assertEqual([int(p) for p, *_ in rows], ROOM_PLACES)
        self.assertIn(SENTENCE["sv"], html)
        self.assertIn("Schulze-metoden och poängen är oense om platserna 1–2.", html)
        self.assertNotIn('class="r-rec-number"', html)
