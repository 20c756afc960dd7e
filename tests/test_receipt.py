"""The participant's receipt: after the reveal, a phone's own ranking beside its
table's and the room's, and what became of each entry it wrote.

The places below are counted by hand (the points: with 8 recommendations a first
place earns 7, a second 6, …, an eighth 0; every ballot here ranks all eight):

  me (Bord 1)          3 1 2 4 5 6 7 8
  neighbour (Bord 1)   1 2 4 5 6 7 8 3
  three at Bord 2      1 2 4 5 3 6 7 8   (each)

  rec:      1    2    3    4    5    6    7    8
  Bord 1:  13   11    7    9    7    5    3    1   places 1 2 4= 3 4= 6 7 8
  room:    34   29   16   24   19   11    6    1   places 1 2 5  3 4  6 7 8

So my first choice (3) is the room's fifth and shares its table's fourth place with
5 (equal points share a place, and the next is sixth: 1, 2, 3, 4, 4, 6, …).
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions import receipt as receipts
from discussions import results
from discussions.models import Discussion, MissingArea, Participant
from tests.base import add_activity, add_area, add_participant
from tests.test_phone import PhoneTestCase

MINE = "3,1,2,4,5,6,7,8"
NEIGHBOUR = (1, 2, 4, 5, 6, 7, 8, 3)
TABLE2 = (1, 2, 4, 5, 3, 6, 7, 8)


class ReceiptTests(PhoneTestCase):
    def setUp(self):
        super().setUp()
        self.me = self.join(group=self.table1)
        self.start()
        self.assertEqual(self.client.post(self.url("rank/"), {"order": MINE}).status_code, 303)
        self.neighbour = add_participant(self.discussion, self.table1, NEIGHBOUR)
        for _ in range(3):
            add_participant(self.discussion, self.table2, TABLE2)
        # What I wrote: one shown with a +1, one merged into the neighbour's, one
        # hidden by the facilitator.
        self.shown = add_area(self.me, "Fler cykelvägar", endorsers=[self.neighbour])
        self.target = add_area(self.neighbour, "Tåg till Oslo varje timme")
        add_area(self.me, "Tågen borde gå oftare", merged_into=self.target)
        self.hidden = add_activity(self.me, "Något olämpligt", self.recs[1])
        self.hidden.hidden = True
        self.hidden.save()

    def reveal(self):
        Discussion.objects.filter(pk=self.discussion.pk).update(
            results_revealed=True, revision=self.revision() + 1
        )

    def receipt_part(self, client=None):
        page = (client or self.client).get(self.url("results/")).content.decode()
        if 'class="receipt"' not in page:
            return ""
        start = page.index('class="receipt"')
        return page[start : page.index("</section>", start)]

    def test_nothing_of_it_before_the_reveal(self):
        page = self.client.get(self.url("results/")).content.decode()
        self.assertNotIn('class="receipt"', page)
        self.assertNotIn("Ditt förstahandsval", page)
        self.assertNotIn("Facilitatorn slog ihop", page)
        self.reveal()
        self.assertIn("Ditt förstahandsval", self.receipt_part())

    def test_the_numbers(self):
        self.reveal()
        counted = results.of(self.discussion)
        receipt = receipts.of(counted, self.me.pk)
        self.assertEqual(receipt.table_name, "Bord 1")
        self.assertEqual(receipt.total, 8)
        self.assertEqual(
            [(line.rec.number, line.mine, line.table, line.room) for line in receipt.lines],
            [
                (3, 1, 4, 5),
                (1, 2, 1, 1),
                (2, 3, 2, 2),
                (4, 4, 3, 3),
                (5, 5, 4, 4),
                (6, 6, 6, 6),
                (7, 7, 7, 7),
                (8, 8, 8, 8),
            ],
        )
        # Bord 1's fourth place is shared by 3 and 5; the room shares none.
        self.assertEqual([line.rec.number for line in receipt.lines if line.table_shared], [3, 5])
        self.assertFalse(any(line.room_shared for line in receipt.lines))
        self.assertEqual(receipt.first.rec.number, 3)
        self.assertEqual(receipt.room_first.rec.number, 1)
        self.assertEqual(
            [(f.kind, f.text, f.status, f.endorsements, f.into) for f in receipt.entries],
            [
                ("area", "Fler cykelvägar", "shown", 1, ""),
                ("area", "Tågen borde gå oftare", "merged", 0, "Tåg till Oslo varje timme"),
                ("activity", "Något olämpligt", "hidden", 0, ""),
            ],
        )
        # The neighbour wrote only the target: none of mine on their receipt.
        theirs = receipts.of(counted, self.neighbour.pk)
        self.assertEqual([f.text for f in theirs.entries], ["Tåg till Oslo varje timme"])
        self.assertIsNone(receipts.of(counted, 0))

    def test_the_phone_says_it_in_words(self):
        self.reveal()
        part = self.receipt_part()
        title = self.recs[2].title
        label = '<span class="rec-label">Rek. 3</span>'
        self.assertIn(f'Ditt förstahandsval: {label} <span lang="sv">{title}', part)
        self.assertIn("Er grupp satte det på delad plats 4 av 8.", part)
        self.assertIn("Alla grupper tillsammans satte det på plats 5 av 8.", part)
        self.assertIn("Alla gruppers förstaval är Rek. 1. Du satte det på plats 2.", part)
        # The three columns, my first choice's group first: mine, my table's (shared),
        # the room's.
        first = part[part.index("<tbody") : part.index("</tbody>")]
        self.assertIn('class="receipt-mine-first"', first)
        self.assertIn(title, first)
        first_row = first[first.index("<td>") :]
        self.assertEqual(
            [cell.split("<")[0] for cell in first_row.split("<td>")[1:]], ["1", "4", "5"]
        )
        self.assertIn('title="delad plats">=</abbr>', first_row)
        self.assertIn("= betyder delad plats", part)
        # What became of what I wrote.
        self.assertIn("Fler cykelvägar", part)
        self.assertIn("Finns med i resultaten. 1 person gav +1.", part)
        merged = part[part.index("Tågen borde gå oftare") :]
        self.assertIn("Facilitatorn slog ihop det med ett liknande förslag:", merged)
        quote = '<blockquote class="fate-into">Tåg till Oslo varje timme</blockquote>'
        self.assertIn(quote, merged)
        hidden = part[part.index("Något olämpligt") :]
        self.assertIn("Facilitatorn dolde det här. Bara du ser det.", hidden)

    def test_another_phone_sees_none_of_my_entries(self):
        self.reveal()
        other = self.client_class()
        self.join(client=other, group=self.table1)
        part = self.receipt_part(other)
        self.assertIn("Du rangordnade ingenting", part)
        for text in ("Fler cykelvägar", "Tågen borde gå oftare", "Något olämpligt"):
            self.assertNotIn(text, part)
        # Nor on the step pages, where my own hidden and merged ones show to me.
        for kind, text in (("area", "Tågen borde gå oftare"), ("activity", "Något olämpligt")):
            self.assertNotContains(other.get(self.url(f"{kind}/")), text)
            self.assertContains(self.client.get(self.url(f"{kind}/")), text)
        mine = self.client.get(self.url("area/")).content.decode()
        merged = mine[mine.index("Tågen borde gå oftare") :]
        self.assertIn("Facilitatorn slog ihop det med ett liknande förslag:", merged)
        mine = self.client.get(self.url("activity/")).content.decode()
        self.assertIn("Facilitatorn dolde det här. Bara du ser det.", mine)

    def test_merged_into_an_entry_hidden_since_is_hidden(self):
        MissingArea.objects.filter(pk=self.target.pk).update(hidden=True)
        self.reveal()
        receipt = receipts.of(results.of(self.discussion), self.me.pk)
        self.assertEqual(
            [f.status for f in receipt.entries if f.text == "Tågen borde gå oftare"], ["hidden"]
        )
        page = self.client.get(self.url("area/")).content.decode()
        self.assertNotIn("Tåg till Oslo varje timme", page)

    def test_shared_places_one_two_two_four(self):
        """Bord 2 on its own: two ballots 1 2 3 4 … and 1 3 2 4 … give 1 14 points,
        2 and 3 11 each, 4 8: places 1, 2, 2, 4."""
        discussion = self.other_discussion
        discussion.refresh_from_db()
        a = add_participant(discussion, self.other_table, (1, 2, 3, 4, 5, 6, 7, 8))
        add_participant(discussion, self.other_table, (1, 3, 2, 4, 5, 6, 7, 8))
        receipt = receipts.of(results.of(discussion), a.pk)
        self.assertEqual(
            [(line.rec.number, line.table, line.table_shared) for line in receipt.lines[:4]],
            [(1, 1, False), (2, 2, True), (3, 2, True), (4, 4, False)],
        )
        self.assertEqual(receipt.room_first.rec.number, 1)

    def test_a_constant_number_of_queries_once_counted(self):
        self.reveal()
        self.client.get(self.url("results/"))  # counts the results, once

        def measure():
            with CaptureQueriesContext(connection) as queries:
                page = self.client.get(self.url("results/"))
            self.assertContains(page, "Ditt förstahandsval")
            return len(queries)

        few = measure()
        for _ in range(40):
            add_participant(self.discussion, self.table2, TABLE2)
        Discussion.objects.filter(pk=self.discussion.pk).update(revision=self.revision() + 1)
        self.client.get(self.url("results/"))  # counted again, once, at the new revision
        self.assertEqual(measure(), few)
        self.assertEqual(few, 2)  # the participant, the live revision: whatever the crowd
        self.assertEqual(Participant.objects.filter(discussion=self.discussion).count(), 45)
