"""The plenary on the projector: missing areas, activities and reasons, a page at a
time, and the facilitator's choice of what the projector shows."""

import re

from django.core.cache import caches
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discussions import facilitator_writes, plenary, results
from discussions.management.commands.crowd import make_crowd
from discussions.models import Discussion, MissingArea
from discussions.results import Rec
from tests.base import BaseTestCase, add_activity, add_area, add_participant


class Text:
    def __init__(self, text):
        self.text = text


def shape(pages):
    """Each page as [(rec, first, how many)]."""
    return [[(s.rec, s.first, len(s.items)) for s in page.sections] for page in pages]


class PaginateTests(SimpleTestCase):
    """What goes on which page; no database."""

    def test_short_entries_fill_pages_of_at_most_most(self):
        items = [Text("Kultur") for _ in range(10)]
        # Each: one line, its tables and a gap, 2.15 lines; 15 lines hold six.
        pages = plenary.paginate([(None, None, items)], most=7)
        self.assertEqual(shape(pages), [[(None, 1, 6)], [(None, 7, 4)]])
        pages = plenary.paginate([(None, None, items)], most=4)
        self.assertEqual(shape(pages), [[(None, 1, 4)], [(None, 5, 4)], [(None, 9, 2)]])

    def test_long_texts_take_more_room_and_one_longer_than_a_page_gets_its_own(self):
        long = Text("x" * 320)  # 320 / 72 characters: five lines, with its tables 6.15
        huge = Text("y" * 72 * 20)  # twenty lines: more than a page
        pages = plenary.paginate([(None, None, [long, long, long, huge, long])], most=7)
        self.assertEqual(
            shape(pages), [[(None, 1, 2)], [(None, 3, 1)], [(None, 4, 1)], [(None, 5, 1)]]
        )

    def test_a_recommendation_runs_on_with_its_heading_again(self):
        a, b = Rec(3, "Kort titel"), Rec(5, "En annan")
        items = [Text("Tågdag") for _ in range(5)]
        pages = plenary.paginate([(a, 1, items), (b, 2, [])], most=3)
        self.assertEqual(shape(pages), [[(a, 1, 3)], [(a, 4, 2), (b, 1, 0)]])
        self.assertFalse(pages[0].sections[0].continued)
        self.assertTrue(pages[1].sections[0].continued)
        self.assertEqual(pages[1].sections[0].total, 5)
        self.assertEqual(pages[1].sections[0].last, 5)
        self.assertEqual([p.number for p in pages], [1, 2])

    def test_one_section_a_page_when_asked(self):
        a, b = Rec(1, "A"), Rec(2, "B")
        pages = plenary.paginate(
            [(a, 1, [Text("x")]), (b, 2, [Text("y")])], most=3, page_per_section=True
        )
        self.assertEqual(shape(pages), [[(a, 1, 1)], [(b, 1, 1)]])

    def test_nothing_is_one_empty_page(self):
        pages = plenary.paginate([], most=3)
        self.assertEqual(shape(pages), [[]])


class PlenaryTestCase(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.alice)
        self.d = self.discussion.pk

    def fresh(self):
        return Discussion.objects.get(pk=self.d)

    def show(self, view, page=None, **extra):
        data = {"view": view, **({"page": page} if page is not None else {}), **extra}
        return self.client.post(reverse("facilitator:projector_show", args=[self.d]), data)

    def page(self, view, page=None):
        if page is not None:
            self.show(view, page)
        return self.client.get(reverse(f"facilitator:projector_{view}", args=[self.d]))

    def reveal(self):
        Discussion.objects.filter(pk=self.d).update(results_revealed=True)


def texts(response, css_class):
    """The text that opens each element with this class, in the page's order."""
    found = re.findall(rf'class="{css_class}">([^<]*)', response.content.decode())
    return [" ".join(text.split()) for text in found]


class AreasTests(PlenaryTestCase):
    def test_most_plus_ones_first_merged_shown_once_with_their_tables_hidden_never(self):
        p = [add_participant(self.discussion, self.table1, (1,)) for _ in range(4)]
        q = [add_participant(self.discussion, self.table2, (1,)) for _ in range(3)]
        culture = add_area(p[0], "Kultur", endorsers=[p[1], q[0]])  # +2
        sport = add_area(q[1], "Idrott", endorsers=[q[2]])  # +1
        both = add_area(p[2], "Idrott och kultur", endorsers=[q[2], p[3], p[1]])  # +3
        add_area(p[3], "Hemligt", endorsers=[p[0], p[1], p[2], q[0], q[1]], hidden=True)
        # The duplicate goes into "Idrott": q[2]'s +1 is on both and counts once,
        # p[3]'s and p[1]'s move over: 1 + 2 = 3, more than "Kultur"'s 2.
        facilitator_writes.merge(MissingArea, self.d, both.pk, sport.pk)
        response = self.page("areas")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(texts(response, "pl-text"), ["Idrott", "Kultur"])
        self.assertEqual(texts(response, "pl-plus"), ["+3", "+2"])
        self.assertNotContains(response, "Idrott och kultur")
        self.assertNotContains(response, "Hemligt")
        tables = texts(response, "pl-tables")
        self.assertEqual(tables[0], "Bord 2 · Bord 1")
        self.assertEqual(tables[1], "Bord 1")
        self.assertContains(response, "sammanslaget av 2 förslag")
        self.assertEqual(texts(response, "pl-sub"), ["flest +1 först · 2 förslag"])
        self.assertIsNotNone(culture)

    def test_texts_are_escaped_and_nothing_is_inline(self):
        p = add_participant(self.discussion, self.table1)
        add_area(p, '<img src=x onerror="alert(1)">')
        response = self.page("areas")
        self.assertNotContains(response, "<img src=x")
        self.assertContains(response, "&lt;img src=x")
        self.assertNotContains(response, " style=")
        self.assertNotRegex(response.content.decode(), r"<script(?![^>]*\bsrc=)")

    def test_a_long_list_is_paged_and_every_entry_is_on_one_page(self):
        p = add_participant(self.discussion, self.table1)
        for i in range(15):
            add_area(p, f"Område nummer {i:02}")
        seen = []
        for number in (1, 2, 3):
            response = self.page("areas", number)
            self.assertContains(response, f"Sida {number} av 3")
            seen += texts(response, "pl-text")
        self.assertEqual(sorted(seen), [f"Område nummer {i:02}" for i in range(15)])
        # Past the last page: the last page.
        self.assertContains(self.page("areas", 9), "Sida 3 av 3")

    def test_none_yet(self):
        self.assertContains(self.page("areas"), "Inga saknade områden än.")


class ActivitiesTests(PlenaryTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Everyone ranks 5, then 2, then 7: the room's order begins 5, 2, 7.
        p = [add_participant(cls.discussion, cls.table1, (5, 2, 7)) for _ in range(3)]
        recs = {rec.number: rec for rec in cls.recs}
        add_activity(p[0], "Tågdag", recs[2], endorsers=[p[1]])
        add_activity(p[1], "Pendlarforum", recs[2], endorsers=[p[0], p[2]])
        add_activity(p[2], "Gemensam projektfond", recs[5])

    def all_pages(self):
        first = self.page("activities", 1)
        count = int(re.search(r"Sida 1 av (\d+)", first.content.decode())[1])
        return [first] + [self.page("activities", n) for n in range(2, count + 1)]

    def headings(self, pages):
        numbers = []
        for response in pages:
            numbers += re.findall(
                r'<span class="rec-label">Rek\. (\d+)</span>', response.content.decode()
            )
        return [int(n) for n in numbers]

    def test_under_their_recommendation_in_the_rooms_order_most_plus_ones_first(self):
        self.reveal()
        pages = self.all_pages()
        order = self.headings(pages)
        self.assertEqual(order[:3], [5, 2, 7])
        self.assertEqual(sorted(order), list(range(1, 9)))  # every one, once
        first = pages[0]
        self.assertContains(first, "Plats 1")
        self.assertEqual(
            texts(first, "pl-text")[:3], ["Gemensam projektfond", "Pendlarforum", "Tågdag"]
        )
        self.assertEqual(texts(first, "pl-plus")[:3], ["+0", "+2", "+1"])

    def test_recommendations_without_an_activity_say_so(self):
        self.reveal()
        content = "".join(r.content.decode() for r in self.all_pages())
        # Eight recommendations, two with activities.
        self.assertEqual(content.count("Inga förslag än."), 6)

    def test_until_the_results_are_revealed_the_lists_order_and_no_places(self):
        pages = self.all_pages()
        self.assertEqual(self.headings(pages), list(range(1, 9)))
        for response in pages:
            self.assertNotContains(response, "Plats ")
            self.assertContains(response, "i listans ordning")


class ReasonsTests(PlenaryTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        t1, t2 = cls.table1, cls.table2
        # Five put 3 first, two put 1 first, one puts 8 first: the room's order
        # is 3, 1, 2 (two ballots name 2, one names 8), then 8.
        for i in range(5):
            add_participant(cls.discussion, t1, (3, 1, 2), why=f"Skäl tre nummer {i + 1}")
        add_participant(cls.discussion, t2, (1, 3, 2), why="Ett för att Oslo", name="Astrid")
        add_participant(cls.discussion, t2, (1, 3, 2), why="Ett för tågen")
        add_participant(cls.discussion, t2, (8,), why="Åtta är viktigast")

    def test_hidden_until_the_results_are_revealed(self):
        response = self.page("reasons")
        self.assertContains(response, "visas här när resultaten visas")
        self.assertNotContains(response, "Skäl tre")

    def test_a_few_at_a_time_for_the_top_recommendations(self):
        self.reveal()
        page1 = self.page("reasons")
        self.assertContains(page1, "Sida 1 av 3")
        self.assertEqual(
            texts(page1, "pl-text"),
            ["Skäl tre nummer 1", "Skäl tre nummer 2", "Skäl tre nummer 3"],
        )
        self.assertContains(page1, "(1–3 av 5)")
        page2 = self.page("reasons", 2)
        self.assertEqual(texts(page2, "pl-text"), ["Skäl tre nummer 4", "Skäl tre nummer 5"])
        self.assertContains(page2, "(4–5 av 5)")
        page3 = self.page("reasons", 3)
        self.assertEqual(texts(page3, "pl-text"), ["Ett för att Oslo", "Ett för tågen"])
        self.assertContains(page3, "(2 motiveringar)")
        self.assertContains(page3, "Plats 2")
        for response in (page1, page2, page3):
            self.assertNotContains(response, "Åtta är viktigast")  # place 4

    def test_names_only_when_the_facilitator_shows_them(self):
        self.reveal()
        response = self.page("reasons", 3)
        self.assertEqual(texts(response, "pl-tables"), ["Bord 2", "Bord 2"])
        self.assertNotContains(response, "Astrid")
        self.assertContains(response, "Visa namnen<")
        url = reverse("facilitator:projector_names", args=[self.d])
        before = self.fresh()
        response = self.client.post(url, {"names": "1", "next": "projector"})
        self.assertRedirects(
            response,
            reverse("facilitator:projector_reasons", args=[self.d]),
            status_code=303,
            fetch_redirect_response=False,
        )
        after = self.fresh()
        self.assertTrue(after.projector_names)
        self.assertEqual(after.revision, before.revision)  # the phones are not woken
        self.assertEqual(after.projector_shown, before.projector_shown + 1)
        response = self.client.get(reverse("facilitator:projector_reasons", args=[self.d]))
        # Who gave no name stays a table.
        self.assertEqual(texts(response, "pl-tables"), ["Bord 2 · Astrid", "Bord 2"])
        self.assertContains(response, "Dölj namnen<")
        for bad in ({}, {"names": "yes"}):
            self.assertEqual(self.client.post(url, bad).status_code, 400)
        self.client.post(url, {"names": "0"})
        self.assertNotContains(self.page("reasons", 3), "Astrid")

    def test_no_names_no_choice(self):
        self.reveal()
        from discussions.models import Participant

        Participant.objects.update(display_name="")
        Discussion.objects.filter(pk=self.d).update(projector_names=True)
        response = self.page("reasons", 3)
        self.assertNotContains(response, "namnen<")
        self.assertEqual(texts(response, "pl-tables"), ["Bord 2", "Bord 2"])


class ChoiceTests(PlenaryTestCase):
    """What the projector shows is chosen on the dashboard or on the projector, and
    every projector tab follows."""

    def test_show_stores_the_view_and_page_without_waking_the_phones(self):
        before = self.fresh()
        response = self.show("areas")
        self.assertRedirects(
            response,
            reverse("facilitator:projector_areas", args=[self.d]),
            status_code=303,
            fetch_redirect_response=False,
        )
        after = self.fresh()
        self.assertEqual((after.projector_view, after.projector_page), ("areas", 1))
        self.assertEqual(after.revision, before.revision)
        self.assertEqual(after.projector_shown, before.projector_shown + 1)
        self.show("reasons", 2)
        self.assertEqual((self.fresh().projector_view, self.fresh().projector_page), ("reasons", 2))
        # The same choice again still counts: a tab opened by hand follows it.
        self.show("reasons", 2)
        self.assertEqual(self.fresh().projector_shown, before.projector_shown + 3)
        for view, name in [("timer", "projector"), ("results", "projector_results")]:
            response = self.show(view)
            self.assertRedirects(
                response,
                reverse(f"facilitator:{name}", args=[self.d]),
                status_code=303,
                fetch_redirect_response=False,
            )

    def test_from_the_dashboard(self):
        response = self.show("activities", next="dashboard")
        self.assertRedirects(
            response,
            reverse("facilitator:dashboard", args=[self.d]),
            status_code=303,
            fetch_redirect_response=False,
        )
        url = reverse("facilitator:projector_show", args=[self.d])
        response = self.client.post(url, {"view": "areas"}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Trigger"], "gf-changed")
        dashboard = self.client.get(reverse("facilitator:dashboard", args=[self.d]))
        self.assertRegex(
            dashboard.content.decode(),
            r'class="secondary pj-current" aria-current="true">Saknade områden</button>',
        )
        # The keys are the projector's: the dashboard neither announces nor takes them.
        self.assertNotContains(dashboard, "<kbd>")

    def test_bad_choices_are_400_and_change_nothing(self):
        before = self.fresh()
        bad = [{}, {"view": "tv"}, *({"view": "areas", "page": p} for p in ["0", "x", "10000"])]
        for data in bad:
            with self.subTest(data=data):
                response = self.client.post(
                    reverse("facilitator:projector_show", args=[self.d]), data
                )
                self.assertEqual(response.status_code, 400)
        after = self.fresh()
        self.assertEqual(after.projector_view, before.projector_view)
        self.assertEqual(after.projector_shown, before.projector_shown)

    def poll(self, name, page_url):
        drawn = self.client.get(page_url).content.decode()
        return re.search(r'hx-get="([^"]+)"', drawn)[1].replace("&amp;", "&")

    def test_every_projector_tab_follows_the_choice(self):
        for name, view in [
            ("projector", "timer"),
            ("projector_results", "results"),
            ("projector_areas", "areas"),
            ("projector_activities", "activities"),
            ("projector_reasons", "reasons"),
            ("projector_coverage", "coverage"),
        ]:
            with self.subTest(view=view):
                poll_url = self.poll(name, reverse(f"facilitator:{name}", args=[self.d]))
                self.assertEqual(self.client.get(poll_url).status_code, 204)
                other = "reasons" if view != "reasons" else "areas"
                self.show(other)
                response = self.client.get(poll_url)
                self.assertEqual(
                    response["HX-Redirect"],
                    reverse(f"facilitator:projector_{other}", args=[self.d]),
                )
                # Turning a page of the view a tab shows draws it again, in place.
                poll_url = self.poll(name, reverse(f"facilitator:{name}", args=[self.d]))
                self.show(view)
                response = self.client.get(poll_url)
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("HX-Redirect", response)

    def test_a_tab_opened_by_hand_shows_its_own_view_until_the_next_choice(self):
        self.show("areas")
        url = reverse("facilitator:projector", args=[self.d])
        poll_url = self.poll("projector", url)
        facilitator_writes.run_timer(self.d, "start")  # any other change
        response = self.client.get(poll_url)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("HX-Redirect", response)

    def test_the_dashboards_poll_notices_a_choice_made_on_the_projector(self):
        poll_url = self.poll("dashboard", reverse("facilitator:dashboard", args=[self.d]))
        self.assertEqual(self.client.get(poll_url).status_code, 204)
        self.show("reasons")
        response = self.client.get(poll_url)
        self.assertEqual(response.status_code, 200)
        self.assertRegex(response.content.decode(), r'aria-current="true">Motiveringar</button>')

    def test_keys_are_on_the_projectors_buttons(self):
        p = add_participant(self.discussion, self.table1)
        for i in range(15):
            add_area(p, f"Område {i}")
        response = self.page("areas", 2)
        for key in ["t", "r", "s", "a", "m", "k", "prev", "next"]:
            self.assertContains(response, f'data-shortcut="{key}"')
        for key in ["T", "R", "S", "A", "M", "K", "←", "→"]:
            self.assertContains(response, f"{key}</kbd>")
        # The dashboard pages the projector with buttons, not with keys that scroll.
        dashboard = self.client.get(reverse("facilitator:dashboard", args=[self.d]))
        self.assertContains(dashboard, "Sida 2 av 3")
        self.assertNotContains(dashboard, 'data-shortcut="next"')


class QueriesTests(PlenaryTestCase):
    def test_each_view_takes_the_same_queries_for_few_and_many(self):
        self.reveal()
        Discussion.objects.filter(pk=self.d).update(projector_names=True)

        def draw(name):
            results.clear()
            for kept in caches.all():
                kept.clear()
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(reverse(name, args=[self.d]))
            self.assertEqual(response.status_code, 200)
            return len(queries)

        names = [
            "projector_areas",
            "projector_activities",
            "projector_reasons",
            "projector_coverage",
        ]
        make_crowd(self.discussion, 20, seed=1)
        few = {name: draw(f"facilitator:{name}") for name in names}
        make_crowd(self.discussion, 400, seed=2)
        many = {name: draw(f"facilitator:{name}") for name in names}
        self.assertEqual(few, many)
        # The session and the user, the discussion, and results.of's nine.
        self.assertEqual(set(few.values()), {12})


class PhonesTests(PlenaryTestCase):
    def test_a_phone_never_sees_the_plenary(self):
        other = add_participant(self.discussion, self.table1, (1,), why="Mitt hemliga skäl")
        self.assertIsNotNone(other)
        self.reveal()
        self.show("reasons")
        self.client.logout()
        response = self.client.post(
            reverse("join_code", args=["VARM26"]), {"group": self.table1.pk, "name": "Pia"}
        )
        self.assertEqual(response.status_code, 303)
        phone = self.client.get(response["Location"])
        self.assertEqual(phone.status_code, 200)
        self.assertNotContains(phone, "Mitt hemliga skäl")
        response = self.client.get(reverse("facilitator:projector_reasons", args=[self.d]))
        self.assertEqual(response.status_code, 302)
