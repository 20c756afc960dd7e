"""The projector, the timer controls, the reveal and the live dashboard."""

import html
import re
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from discussions import facilitator_writes, participant_writes, ranking, results, timer
from discussions.management.commands.crowd import make_crowd
from discussions.models import Discussion, Group
from tests.base import BaseTestCase, add_area, add_participant


class LiveTestCase(BaseTestCase):
    def setUp(self):
        cache.clear()
        self.client.force_login(self.alice)
        self.d = self.discussion.pk

    def fresh(self):
        return Discussion.objects.get(pk=self.d)

    def control(self, action, htmx=False, **data):
        return self.client.post(
            reverse("facilitator:timer", args=[self.d, action]),
            data,
            headers={"HX-Request": "true"} if htmx else {},
        )

    def set_clock(self, **fields):
        Discussion.objects.filter(pk=self.d).update(**fields)


class TimerControlTests(LiveTestCase):
    def test_start_pause_resume_extend_end(self):
        steps = [
            ("start", timer.State.RUNNING),
            ("pause", timer.State.PAUSED),
            ("resume", timer.State.RUNNING),
            ("extend1", timer.State.RUNNING),
            ("extend5", timer.State.RUNNING),
            ("end", timer.State.ENDED),
        ]
        for action, state in steps:
            with self.subTest(action=action):
                before = self.fresh().revision
                response = self.control(action)
                self.assertRedirects(
                    response, reverse("facilitator:dashboard", args=[self.d]), status_code=303
                )
                discussion = self.fresh()
                self.assertEqual(timer.state(discussion.clock, timezone.now()), state)
                self.assertEqual(discussion.revision, before + 1)
        self.assertEqual(self.fresh().duration_seconds, 1200 + 60 + 300)

    def test_toggle_is_the_space_bar(self):
        for state in (timer.State.RUNNING, timer.State.PAUSED, timer.State.RUNNING):
            self.control("toggle")
            self.assertEqual(timer.state(self.fresh().clock, timezone.now()), state)

    def test_refused_transitions_say_why_and_change_nothing(self):
        cases = [
            ("pause", {}, "har inte startat"),
            ("resume", {}, "har inte startat"),
            ("start", {"started_at": timezone.now()}, "pågår redan"),
            ("resume", {"started_at": timezone.now()}, "pågår redan"),
            ("pause", {"started_at": timezone.now(), "paused_at": timezone.now()}, "redan pausad"),
            ("start", {"started_at": timezone.now(), "paused_at": timezone.now()}, "pausad"),
            ("end", {"started_at": timezone.now(), "ended_at": timezone.now()}, "redan avslutad"),
            (
                "extend1",
                {"started_at": timezone.now(), "ended_at": timezone.now()},
                "kan inte förlängas",
            ),
            ("toggle", {"started_at": timezone.now(), "ended_at": timezone.now()}, "avslutad"),
        ]
        for action, clock, message in cases:
            with self.subTest(action=action, clock=clock):
                self.set_clock(**{"started_at": None, "paused_at": None, "ended_at": None, **clock})
                before = self.fresh()
                response = self.control(action)
                self.assertContains(response, message, status_code=409)
                after = self.fresh()
                self.assertEqual(after.revision, before.revision)
                self.assertEqual(after.clock, before.clock)

    def test_htmx_gets_204_and_a_trigger_or_the_reason_as_text(self):
        response = self.control("start", htmx=True)
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Trigger"], "gf-changed")
        response = self.control("start", htmx=True)
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertEqual(response.content.decode(), "Diskussionen pågår redan.")

    def test_unknown_action_is_400(self):
        for action in ["explode", "START", "extend99"]:
            with self.subTest(action=action):
                self.assertEqual(self.control(action).status_code, 400)
        self.assertIsNone(self.fresh().started_at)

    def test_next_sends_a_browser_without_javascript_back(self):
        for name, page in [
            ("projector", "facilitator:projector"),
            ("results", "facilitator:projector_results"),
            ("https://evil.example/", "facilitator:dashboard"),
        ]:
            with self.subTest(next=name):
                self.set_clock(started_at=None)
                response = self.control("start", next=name)
                self.assertRedirects(
                    response,
                    reverse(page, args=[self.d]),
                    status_code=303,
                    fetch_redirect_response=False,
                )

    def test_extend_after_time_ran_out_reopens(self):
        self.set_clock(started_at=timezone.now() - timedelta(minutes=25))
        self.control("extend5")
        clock = self.fresh().clock
        self.assertEqual(timer.state(clock, timezone.now()), timer.State.RUNNING)
        self.assertGreater(timer.seconds_left(clock, timezone.now()), 290)

    def test_end_after_time_ran_out_makes_it_final(self):
        started = timezone.now() - timedelta(minutes=25)
        self.set_clock(started_at=started)
        self.assertEqual(self.control("end").status_code, 303)
        discussion = self.fresh()
        self.assertEqual(discussion.ended_at, started + timedelta(minutes=20))
        self.assertContains(self.control("extend1"), "kan inte förlängas", status_code=409)

    def test_state_survives_a_reload(self):
        self.control("start")
        self.control("pause")
        response = self.client.get(reverse("facilitator:projector", args=[self.d]))
        self.assertContains(response, 'data-state="paused"')
        self.assertContains(response, "Pausad")
        self.assertContains(response, "Fortsätt")


class RevealTests(LiveTestCase):
    def test_reveal_and_hide_results(self):
        url = reverse("facilitator:reveal", args=[self.d])
        before = self.fresh().revision
        self.assertEqual(self.client.post(url, {"reveal": "1"}).status_code, 303)
        self.assertTrue(self.fresh().results_revealed)
        self.assertEqual(self.fresh().revision, before + 1)
        # The same button twice: nothing changes, nothing is bumped.
        self.client.post(url, {"reveal": "1"})
        self.assertEqual(self.fresh().revision, before + 1)
        self.client.post(url, {"reveal": "0"})
        self.assertFalse(self.fresh().results_revealed)
        self.assertEqual(self.fresh().revision, before + 2)

    def test_bad_reveal_value_is_400(self):
        url = reverse("facilitator:reveal", args=[self.d])
        for data in [{}, {"reveal": "yes"}, {"reveal": "2"}]:
            with self.subTest(data=data):
                self.assertEqual(self.client.post(url, data).status_code, 400)
        self.assertFalse(self.fresh().results_revealed)

    def test_results_stay_off_the_projector_until_revealed(self):
        add_participant(self.discussion, self.table1, (2, 1))
        url = reverse("facilitator:projector_results", args=[self.d])
        response = self.client.get(url)
        self.assertContains(response, "Resultaten visas snart")
        self.assertNotContains(response, "Knyt ihop Oslo och Stockholm")
        self.client.post(reverse("facilitator:reveal", args=[self.d]), {"reveal": "1"})
        response = self.client.get(url)
        self.assertNotContains(response, "Resultaten visas snart")
        self.assertContains(response, "Knyt ihop Oslo och Stockholm")
        self.assertContains(response, "Bord 1")

    def test_phone_mode_follows_the_reveal(self):
        # The phone reloads when its mode changes; "-results" is how it learns.
        from discussions.phone_poll import Mode, mode

        self.assertIs(mode(self.fresh(), timezone.now()), Mode.BEFORE)
        self.client.post(reverse("facilitator:reveal", args=[self.d]), {"reveal": "1"})
        self.assertIs(mode(self.fresh(), timezone.now()), Mode.BEFORE_RESULTS)
        self.control("start")
        self.assertIs(mode(self.fresh(), timezone.now()), Mode.OPEN_RESULTS)


class ProjectorTests(LiveTestCase):
    def test_shows_code_qr_and_join_url(self):
        response = self.client.get(reverse("facilitator:projector", args=[self.d]))
        self.assertContains(response, "VARM26")
        self.assertContains(response, "testserver/j/VARM26")
        self.assertContains(response, 'aria-label="QR-kod till http://testserver/j/VARM26/"')
        svg = re.search(r'<svg[^>]*class="qr-code".*?</svg>', response.content.decode(), re.S)
        self.assertIsNotNone(svg)
        self.assertIn("<path", svg.group(0))
        self.assertNotIn("<script", svg.group(0))

    def test_qr_matches_segno_for_the_absolute_join_url(self):
        import segno

        response = self.client.get(reverse("facilitator:projector", args=[self.d]), secure=True)
        expected = segno.make("https://testserver/j/VARM26/", error="m")
        path = re.search(r'<path[^>]* d="([^"]+)"', response.content.decode()).group(1)
        self.assertIn(f'd="{path}"', expected.svg_inline(border=0, omitsize=True))

    def test_running_timer_and_counts_per_group(self):
        add_participant(self.discussion, self.table1, (1,))
        add_participant(self.discussion, self.table1)
        add_participant(self.discussion, self.table2, (2, 3))
        self.control("start")
        response = self.client.get(reverse("facilitator:projector", args=[self.d]))
        self.assertContains(response, 'data-state="running"')
        self.assertContains(response, 'data-seconds-left="1200"')
        self.assertContains(response, ">20:00<")
        self.assertContains(response, "3 anslutna")
        self.assertContains(response, "2 har rangordnat")
        content = response.content.decode()
        self.assertRegex(
            content, r"Bord 1</span>\s*<span[^>]*><strong>1</strong>&thinsp;/&thinsp;2"
        )
        self.assertRegex(
            content, r"Bord 2</span>\s*<span[^>]*><strong>1</strong>&thinsp;/&thinsp;1"
        )

    def test_time_out_says_so_plainly(self):
        self.set_clock(started_at=timezone.now() - timedelta(minutes=21))
        response = self.client.get(reverse("facilitator:projector", args=[self.d]))
        self.assertContains(response, ">0:00<")
        self.assertContains(response, "Tiden är ute")
        self.assertContains(response, 'data-state="ended"')

    def test_keyboard_shortcuts_are_on_the_controls(self):
        response = self.client.get(reverse("facilitator:projector", args=[self.d]))
        for key in ["space", "1", "5", "e", "r"]:
            self.assertContains(response, f'data-shortcut="{key}"')
        # "End now" asks first: in a dialog on the page, or on a page without JavaScript.
        self.assertContains(response, 'data-confirm="end-dialog"')
        self.assertContains(response, '<dialog id="end-dialog"')
        self.assertNotContains(response, "hx-confirm=")
        self.assertNotContains(response, " style=")
        self.assertNotContains(response, "hx-on")
        self.assertNotRegex(response.content.decode(), r"<script(?![^>]*\bsrc=)")

    def test_the_dashboard_has_no_single_key_shortcuts(self):
        # WCAG 2.1.4: the keys only where they are announced, on the projector.
        response = self.client.get(reverse("facilitator:dashboard", args=[self.d]))
        self.assertNotContains(response, "data-shortcut=")
        self.assertNotContains(response, "<kbd>")
        self.assertContains(response, 'id="timer-toggle"')

    def test_the_workshops_texts_carry_their_language_on_other_pages(self):
        # WCAG 3.1.2: a Norwegian page reads the Swedish title as Swedish.
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "nb"})
        title = html.escape(self.discussion.title)
        for name in ("dashboard", "projector"):
            response = self.client.get(reverse(f"facilitator:{name}", args=[self.d]))
            self.assertContains(response, '<html lang="nb"')
            self.assertRegex(response.content.decode(), rf'<h1[^>]* lang="sv">{re.escape(title)}<')

    def test_the_end_asks_on_a_page_of_its_own_without_javascript(self):
        url = reverse("facilitator:end_confirm", args=[self.d])
        response = self.client.get(url, {"next": "projector"})
        end = reverse("facilitator:timer", args=[self.d, "end"])
        self.assertContains(response, f'action="{end}"')
        self.assertContains(response, 'name="next" value="projector"')
        self.assertContains(response, f'href="{reverse("facilitator:projector", args=[self.d])}"')
        # Nothing has ended yet; an odd "next" goes back to the dashboard.
        self.assertIsNone(Discussion.objects.get(pk=self.d).ended_at)
        response = self.client.get(url, {"next": "//evil.example"})
        self.assertContains(response, 'name="next" value="dashboard"')
        self.assertEqual(self.client.post(url).status_code, 405)

    def test_group_names_are_escaped(self):
        Group.objects.filter(pk=self.table1.pk).update(name='<img src=x onerror="alert(1)">')
        response = self.client.get(reverse("facilitator:projector", args=[self.d]))
        self.assertNotContains(response, "<img src=x")
        self.assertContains(response, "&lt;img src=x")


class PollTests(LiveTestCase):
    def poll(self, name, rev, state, **params):
        query = {"rev": rev, "state": state, **params}
        return self.client.get(reverse(name, args=[self.d]), query)

    def test_unchanged_poll_is_204_after_one_query(self):
        discussion = self.fresh()
        for name in [
            "facilitator:projector_live",
            "facilitator:projector_results_live",
            "facilitator:dashboard_live",
        ]:
            with self.subTest(name=name):
                # Two queries load the session and the user; the third is the only
                # one of the view: the revision and the clock.
                with self.assertNumQueries(3):
                    response = self.poll(name, discussion.revision, "not_started")
                self.assertEqual(response.status_code, 204)
                self.assertEqual(response.content, b"")

    def test_a_write_makes_the_poll_answer_with_the_fragment(self):
        rev = self.fresh().revision
        add_participant(self.discussion, self.table1, (1,))
        Discussion.bump_revision(self.d)  # as participant_writes.join does
        response = self.poll("facilitator:projector_live", rev, "not_started")
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertTrue(content.lstrip().startswith('<section id="live"'))
        self.assertNotIn("<html", content)
        self.assertIn(f"rev={rev + 1}", content)

    def test_answers_are_counted_after_the_poll_that_finds_them_and_drawn_by_the_next(self):
        """No poll waits for a count: the one that finds new answers is answered with
        what it has (204) and counts them after its answer is sent; the next draws them."""
        url = reverse("facilitator:dashboard_live", args=[self.d])
        drawn = self.client.get(url, {"rev": "-1", "state": "x"}).content.decode()
        poll_url = html.unescape(re.search(r'hx-get="([^"]+)"', drawn)[1])
        add_participant(self.discussion, self.table1, (4,))

        def counts(captured):
            return any('"discussions_ranking"' in q["sql"] for q in captured)

        with CaptureQueriesContext(connection) as finding:
            self.assertEqual(self.client.get(poll_url).status_code, 204)
        self.assertTrue(counts(finding))  # after its answer, in the same request cycle
        with CaptureQueriesContext(connection) as drawing:
            response = self.client.get(poll_url)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(counts(drawing))
        self.assertContains(response, "1 rangordning")
        # The clock and the facilitator's own changes do not wait for a count.
        self.control("start")
        self.assertEqual(self.client.get(poll_url).status_code, 200)

    def test_time_running_out_changes_the_answer_without_a_write(self):
        self.control("start")
        discussion = self.fresh()
        self.assertEqual(
            self.poll("facilitator:dashboard_live", discussion.revision, "running").status_code, 204
        )
        self.set_clock(started_at=timezone.now() - timedelta(minutes=21))
        response = self.poll("facilitator:dashboard_live", discussion.revision, "running")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "state=ended")

    def test_in_a_big_hall_participants_changes_wait_but_the_facilitators_do_not(self):
        discussion = self.fresh()
        rev, drev = discussion.get_live_revision(), discussion.revision
        Group.bump_revision(self.table1.pk)  # a participant wrote, as services do
        now = int(timezone.now().timestamp())

        def poll(**params):
            query = {"rev": rev, "state": "not_started", "drev": drev, "at": now, "w": 10}
            return self.poll("facilitator:dashboard_live", **{**query, **params}).status_code

        self.assertEqual(poll(), 204)  # drawn just now in a hall of 2,000
        self.assertEqual(poll(at=now - 11), 200)  # ten seconds on
        self.assertEqual(poll(w=1), 200)  # a workshop: at once
        self.assertEqual(poll(at=now - 11, w=10_000), 200)  # never more than ten seconds
        for junk in ["", "-5", "²", "9" * 40, "x"]:
            self.assertEqual(poll(w=junk), 200)
        Discussion.bump_revision(self.d)  # the facilitator acted: at once
        self.assertEqual(poll(), 200)
        self.assertEqual(poll(drev=drev + 1, rev=rev + 2), 204)

    def test_the_wait_grows_with_the_hall(self):
        page = self.client.get(reverse("facilitator:dashboard", args=[self.d])).content.decode()
        self.assertIn("w=0", page)
        make_crowd(self.discussion, 600, seed=1)
        cache.clear()
        page = self.client.get(reverse("facilitator:dashboard", args=[self.d])).content.decode()
        self.assertIn(f"w={600 // 200}", page)

    def test_fresh_asks_for_a_redraw_even_when_nothing_changed(self):
        # Sent when the facilitator opens a group that was drawn closed.
        discussion = self.fresh()
        self.assertEqual(
            self.poll("facilitator:dashboard_live", discussion.revision, "not_started").status_code,
            204,
        )
        response = self.poll(
            "facilitator:dashboard_live", discussion.revision, "not_started", fresh="1"
        )
        self.assertEqual(response.status_code, 200)
        self.client.logout()
        response = self.poll("facilitator:dashboard_live", discussion.revision, "x", fresh="1")
        self.assertEqual(response.status_code, 302)  # to the login, as without it

    def test_poll_keeps_the_weighting_and_bad_params_are_harmless(self):
        response = self.poll("facilitator:dashboard_live", "x", "y", vikt="grupp")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "vikt=grupp")
        for params in [{"rev": "-1"}, {"rev": "9" * 40}, {"state": "<b>"}, {}]:
            with self.subTest(params=params):
                response = self.client.get(
                    reverse("facilitator:dashboard_live", args=[self.d]), params
                )
                self.assertEqual(response.status_code, 200)


class DashboardTests(LiveTestCase):
    def render_fragment(self):
        # The path that counts and draws, not the one that finds them kept.
        results.clear()
        for kept in caches.all():
            kept.clear()
        return self.client.get(
            reverse("facilitator:dashboard_live", args=[self.d]), {"rev": "-1", "state": "x"}
        )

    def test_fragment_queries_do_not_grow_with_the_crowd(self):
        """The dashboard at 20 participants and at 2,000: the same queries."""
        make_crowd(self.discussion, 20, seed=1)
        with CaptureQueriesContext(connection) as few:
            response = self.render_fragment()
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "20</td>")
        make_crowd(self.discussion, 1980, seed=2)
        with self.assertNumQueries(len(few)):
            response = self.render_fragment()
        self.assertContains(response, "2000</td>")
        # The session and the user, the poll's check, the discussion, and results.of's
        # nine (results.py), and the moderation log's last events.
        self.assertEqual(len(few), 14)

    def test_shows_rankings_groups_matrix_whys_and_entries(self):
        anna = add_participant(self.discussion, self.table1, (3, 1), why="För pendlarnas skull")
        bo = add_participant(self.discussion, self.table2, (5,))
        area = add_area(anna, "Kultur", endorsers=[bo])
        self.control("start")
        response = self.client.get(reverse("facilitator:dashboard", args=[self.d]))
        hide = reverse("facilitator:entry_hide", args=[self.d, "area", area.pk])
        merge = reverse("facilitator:entry_merge", args=[self.d, "area", area.pk])
        self.assertContains(response, f'action="{hide}" hx-post="{hide}"')
        self.assertContains(response, f'href="{merge}"')
        self.assertContains(response, "Rangordning, alla grupper")
        self.assertContains(response, "Grupperna jämförda")
        self.assertContains(response, "Kendalls W")
        self.assertContains(response, "För pendlarnas skull")
        self.assertContains(response, "Kultur")
        self.assertContains(response, "+1</span>")
        self.assertContains(response, 'class="f-dist"')
        self.assertContains(response, "f-bar-fill f-w-")
        self.assertNotContains(response, " style=")

    def test_matrix_cells_give_each_groups_place_with_its_mean_in_swedish(self):
        Group.objects.create(discussion=self.discussion, name="Bord 3", position=3)
        add_participant(self.discussion, self.table1, (3, 1))
        add_participant(self.discussion, self.table1, (3, 2))
        add_participant(self.discussion, self.table2, (3,))
        content = self.render_fragment().content.decode()
        matrix = content[content.index('id="dash-matrix"') :]
        row = matrix[matrix.index("Rek. 3</span>") :]
        row = row[: row.index("</tr>")]
        first = '<td class="f-num f-place f-place-1" title="medelplats 1,0">1</td>'
        # Bord 1 and Bord 2 both put it first; Bord 3 has no ballots yet.
        self.assertIn(first + first + '<td class="f-num muted">–</td>', row)

    def test_each_groups_summary_names_it_counts_its_ballots_and_says_how_they_agree(self):
        Group.objects.filter(pk=self.table1.pk).update(name="Bord <1>")
        everything = tuple(range(1, 9))
        add_participant(self.discussion, self.table1, everything)
        add_participant(self.discussion, self.table1, everything)
        add_participant(self.discussion, self.table2, (5,))
        content = self.render_fragment().content.decode()

        def summary(group):
            part = content[content.index(f'id="group-{group.pk}"') :]
            return part[part.index("<summary>") : part.index("</summary>")]

        # Two identical ballots agree completely; one ballot has no W to give.
        self.assertIn("<strong>Bord &lt;1&gt;</strong>", summary(self.table1))
        self.assertIn("2 rangordningar · enighet 1,00</span>", summary(self.table1))
        self.assertIn("1 rangordning</span>", summary(self.table2))
        self.assertNotIn("enighet", summary(self.table2))
        self.client.cookies["django_language"] = "nb"
        content = self.render_fragment().content.decode()
        self.assertIn("2 rangeringer · enighet 1,00", summary(self.table1))

    def test_a_groups_kept_table_is_drawn_again_after_its_groups_own_changes(self):
        """Each group's table is kept per its revision: a ballot at the table (the
        phones' write path) and a new name (the facilitator's) both show at once,
        and the other table, unchanged, keeps what it showed."""
        anna = add_participant(self.discussion, self.table1, (1,))
        add_participant(self.discussion, self.table2, (5,))
        page = reverse("facilitator:dashboard", args=[self.d])
        self.control("start")

        def summary(group):
            """The group's summary line, and the first recommendation of its table."""
            content = self.client.get(page).content.decode()
            part = content[content.index(f'id="group-{group.pk}"') :]
            part = part[: part.index("</details>")]
            first = re.search(r'<span class="rec-label">Rek\. (\d+)</span>', part).group(1)
            return part[part.index("<summary>") : part.index("</summary>")] + f" first {first}"

        self.assertIn("1 rangordning</span>", summary(self.table1))
        self.assertIn("first 1", summary(self.table1))
        self.assertIn("first 5", summary(self.table2))
        recommendations = list(self.discussion.recommendation_set.recommendations.all())
        bo = add_participant(self.discussion, self.table1)
        participant_writes.save_ranking(bo, [2], recommendations)
        participant_writes.save_ranking(anna, [2], recommendations)
        self.assertIn("2 rangordningar · enighet 1,00</span>", summary(self.table1))
        self.assertIn("first 2", summary(self.table1))
        self.assertIn("1 rangordning</span>", summary(self.table2))
        self.assertIn("first 5", summary(self.table2))
        facilitator_writes.rename_group(self.table2, "Fönsterbordet")
        self.assertIn("<strong>Fönsterbordet</strong>", summary(self.table2))

    def test_the_matrix_foot_and_the_participation_table_give_each_group_its_numbers(self):
        Group.objects.create(discussion=self.discussion, name="Bord <3>", position=3)
        add_participant(self.discussion, self.table1, (1, 2, 3), why="Därför")
        add_participant(self.discussion, self.table1, (1, 3, 2))
        add_participant(self.discussion, self.table2)
        content = self.render_fragment().content.decode()
        # W as the template's floatformat:2 shows it, from the ranking module's maths.
        recs = [rec.pk for rec in self.recs]
        ballots = [[recs[0], recs[1], recs[2]], [recs[0], recs[2], recs[1]]]
        w = floatformat(ranking.kendalls_w(recs, ballots), 2)
        self.assertNotIn(w, ("1,00", "0,00"))
        foot = content[content.index("<tfoot>", content.index('id="dash-matrix"')) :]
        foot = foot[: foot.index("</tfoot>")]
        self.assertIn(f'<td class="f-num">{w}</td><td class="f-num">–</td>', foot)
        self.assertIn(
            '<td class="f-num">2</td><td class="f-num">0</td><td class="f-num">0</td>', foot
        )
        self.assertIn('<th scope="col" class="f-num">Bord &lt;3&gt;</th>', content)
        self.assertIn(
            '<tr><th scope="row">Bord 1</th><td class="f-num">2</td><td class="f-num">2</td>'
            '<td class="f-num">1</td></tr>',
            content,
        )
        self.assertIn(
            '<tr><th scope="row">Bord &lt;3&gt;</th><td class="f-num">0</td>'
            '<td class="f-num">0</td><td class="f-num">0</td></tr>',
            content,
        )

    def test_a_matrix_cells_mean_place_is_rounded_as_in_the_groups_table(self):
        add_participant(self.discussion, self.table1, (3, 1))
        add_participant(self.discussion, self.table1, (3, 2))
        content = self.render_fragment().content.decode()
        matrix = content[content.index('id="dash-matrix"') :]
        row = matrix[matrix.index('<span class="rec-label">Rek. 1</span>') :]
        row = row[: row.index("</tr>")]
        # Recommendation 1's mean place in Bord 1 is 3.75 (second, and unranked at
        # 5.5): 3,8 as its table shows it, not cut off to 3,7.
        self.assertIn('title="medelplats 3,8"', row)

    def test_ranking_rows_localise_numbers_not_the_histogram_and_escape_titles(self):
        self.discussion.recommendation_set.recommendations.filter(number=1).update(
            title="Pendling <b>& skatt</b>"
        )
        add_participant(self.discussion, self.table1, (3, 1))
        add_participant(self.discussion, self.table1, (3, 2))
        content = self.render_fragment().content.decode()
        overall = content[content.index('id="ranking-overall"') :]
        row = overall[overall.index('<span class="rec-label">Rek. 1</span>') :]
        row = row[: row.index("</tr>")]
        self.assertIn("Pendling &lt;b&gt;&amp; skatt&lt;/b&gt;", row)
        self.assertNotIn("<b>", content)
        # Recommendation 1: second on one ballot (6 points), unranked on the other,
        # where the six unranked share 15 points (2.5 each): 8.5 in all. Its mean
        # place is (2 + 5.5) / 2 = 3.75; in Swedish with a decimal comma.
        self.assertIn('<span class="f-bar-value">8,5</span>', row)
        self.assertIn('<td class="f-num">3,8</td>', row)
        # Its histogram: one ballot of the table's peak of two at place 2, half as
        # high (12 of 24), with a decimal point, or the SVG would not parse.
        self.assertIn('<rect x="10" y="0" width="8" height="12.0"></rect>', row)
        self.assertIn("<title>plats 1: 0, plats 2: 1,", row)

    def test_weighting_switch(self):
        for _ in range(3):
            add_participant(self.discussion, self.table1, (3,))
        add_participant(self.discussion, self.table2, (5,))
        url = reverse("facilitator:dashboard", args=[self.d])
        by_people = self.client.get(url)
        by_groups = self.client.get(url, {"vikt": "grupp"})
        self.assertContains(by_groups, 'aria-current="true" class="f-current">Varje grupp')
        self.assertContains(by_people, 'aria-current="true" class="f-current">Varje deltagare')
        self.assertContains(by_groups, "vikt=grupp")
        # Borda with 8 items: first place 7 points, the 7 unranked share 21, 3 each.
        # Each person: 3 is 3 * 7 + 3 = 24, 5 is 3 * 3 + 7 = 16.
        # Each group (table 1's three ballots weigh 1/3): both 7 + 3 = 10.
        people = re.findall(r'f-bar-value">([\d.,]+)<', by_people.content.decode())
        groups = re.findall(r'f-bar-value">([\d.,]+)<', by_groups.content.decode())
        self.assertEqual(people[:2], ["24", "16"])
        self.assertEqual(groups[:2], ["10", "10"])

    def test_user_texts_are_escaped(self):
        evil = "<script>alert('x')</script>"
        anna = add_participant(self.discussion, self.table1, (1,), why=evil)
        add_area(anna, evil)
        response = self.client.get(reverse("facilitator:dashboard", args=[self.d]))
        self.assertNotContains(response, evil)
        self.assertContains(response, "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;")

    def test_an_entry_row_shows_what_was_merged_escaped_and_a_hide_form_with_csrf(self):
        anna = add_participant(self.discussion, self.table1, (1,))
        kept = add_area(anna, "Kultur & idrott")
        add_area(anna, "<b>kultur</b>", merged_into=kept)
        content = self.render_fragment().content.decode()
        item = content[content.index('<li class="f-entry">') :]
        item = item[: item.index("</li>")]
        self.assertIn("Kultur &amp; idrott", item)
        merged = '<span class="f-merged">Sammanslaget med: <q>&lt;b&gt;kultur&lt;/b&gt;</q>'
        self.assertIn(merged, item)
        self.assertIn('<span class="f-entry-group">Bord 1</span>', item)
        hide = reverse("facilitator:entry_hide", args=[self.d, "area", kept.pk])
        self.assertIn(f'form="moderation" formaction="{hide}"', item)
        self.assertIn('name="hidden" value="1"', item)
        self.assertNotIn("csrfmiddlewaretoken", item)
        # The form the button posts carries this browser's token.
        form = content[content.index('<form id="moderation"') :]
        form = form[: form.index("</form>")]
        self.assertRegex(form, r'<input type="hidden" name="csrfmiddlewaretoken" value="\w+">')
        self.assertNotIn("<b>", content)

    def test_long_lists_are_cut_until_asked_for_all(self):
        anna = add_participant(self.discussion, self.table1, (1,))
        for i in range(20):
            add_area(anna, f"Område nummer {i:02d}")
        url = reverse("facilitator:dashboard", args=[self.d])
        self.assertContains(self.client.get(url), "Område nummer", count=15)
        self.assertContains(self.client.get(url), "Visa alla 20")
        self.assertContains(self.client.get(url, {"alla": "1"}), "Område nummer", count=20)

    def test_the_live_poll_draws_only_the_tables_of_the_open_groups(self):
        add_participant(self.discussion, self.table1, (3, 1))
        add_participant(self.discussion, self.table2, (5, 2))
        live = reverse("facilitator:dashboard_live", args=[self.d])

        def details(response, group):
            content = response.content.decode()
            start = content.index(f'<details id="group-{group.pk}"')
            return content[start : content.index("</details>", start)]

        # The whole page (also without JavaScript) draws every group's table.
        page = self.client.get(reverse("facilitator:dashboard", args=[self.d]))
        for group in (self.table1, self.table2):
            self.assertIn("<table", details(page, group))
            self.assertNotIn("data-lazy", details(page, group))
        # A poll draws the summaries, and the tables only of the groups named open.
        for query, drawn in [
            ({}, []),
            ({"open": str(self.table1.pk)}, [self.table1]),
            ({"open": f"{self.table2.pk},{self.table1.pk}"}, [self.table1, self.table2]),
            ({"open": f"x,-1,,99999999,{self.table2.pk},²"}, [self.table2]),
            ({"open": ",".join(["7"] * 5000) + f",{self.table1.pk}"}, []),
        ]:
            with self.subTest(query=query):
                response = self.client.get(live, {"rev": "-1", "state": "x", **query})
                self.assertEqual(response.status_code, 200)
                for group in (self.table1, self.table2):
                    part = details(response, group)
                    self.assertIn("1 rangordning", part)  # the summary, always
                    self.assertEqual("<table" in part, group in drawn)
                    self.assertEqual("data-lazy" in part, group not in drawn)
