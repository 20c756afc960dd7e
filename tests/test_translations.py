"""The nb and en catalogues: complete, in step with the source, compiled, and used.

Swedish is the source language, so it has no catalogue of its own: every other
language in settings.LANGUAGES has locale/<code>/LC_MESSAGES/django.po, and the
compiled django.mo beside it is committed (Django loads only the .mo, and a fresh
machine or CI may have no GNU gettext to compile it).

None of this needs gettext installed: the catalogues are read with polib, the .mo
with the standard library, and the source strings are found the way makemessages
finds them (Django's own templatize for templates, the ast for Python). Where
xgettext is installed, one test also runs the real makemessages on a copy of the
source and checks that it finds exactly the same strings, so the two cannot drift.
"""

import ast
import gettext
import html
import io
import re
import shutil
import subprocess
import sys
import tokenize
from datetime import date
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import get_language_info
from django.utils.translation.template import templatize

from discussions import facilitator_writes, participant_writes
from discussions.models import Discussion, MissingArea, Participant
from tests.base import BaseTestCase, make_user

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLURAL_FORMS = {
    "nb": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
}
# What makemessages reads (scripts/messages): these extensions, and every folder but these.
EXTENSIONS = {".html", ".txt", ".py"}
IGNORED = {".venv", "staticfiles", "test-artifacts", "bench", "tests"}
# Keywords makemessages gives xgettext for Python: name -> positions of
# (context, singular, plural); None where the call has no such argument.
KEYWORDS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
# %(name)s, %(n)d, %s, %.1f …; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# Letters Norwegian and English never use: a msgstr that has them is Swedish left in.
FOREIGN_LETTERS = {"nb": re.compile("[äöÄÖ]"), "en": re.compile("[åäöæøÅÄÖÆØ]")}
BRAND = "Gränsforum"


def catalogue(lang) -> polib.POFile:
    path = LOCALE / lang / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{path} is missing: run scripts/messages (README.md, Translations)"
    return polib.pofile(str(path))


def entries(lang):
    return [e for e in catalogue(lang) if not e.obsolete]


def key(ctx, msgid, plural):
    return (ctx or None, msgid, plural or None)


def describe(k):
    ctx, msgid, plural = k
    return f"{msgid!r}" + (f" (plural {plural!r})" if plural else "") + (f" [{ctx}]" if ctx else "")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


# --- Finding the source strings, as makemessages does -------------------------------


def source_files(root: Path = ROOT):
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if path.suffix not in EXTENSIONS or not path.is_file():
            continue
        if parts[0] in IGNORED or any(part.startswith(".") for part in parts):
            continue
        yield path


def _call_name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _string(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _from_call(name, args):
    """(context, singular, plural) of a gettext-style call whose strings are literals."""
    values = []
    for at in KEYWORDS[name]:
        if at is None:
            values.append(None)
        elif at < len(args) and _string(args[at]) is not None:
            values.append(_string(args[at]))
        else:
            return None  # not a literal: xgettext cannot read it either
    return key(*values)


def python_msgids(source: str) -> set:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _call_name(node.func) in KEYWORDS:
            k = _from_call(_call_name(node.func), node.args)
            if k:
                found.add(k)
    return found


def template_msgids(source: str, origin: str) -> set:
    """The strings of {% translate %} and {% blocktranslate %}, via Django's templatize.

    templatize turns a template into the gettext calls xgettext reads; each string in
    them is a Python literal (repr), one per line, so Python's tokenizer reads them.
    """
    code = templatize(source, origin=origin)
    # Templates keep their own indentation, which means nothing here.
    code = "\n".join(line.lstrip() for line in code.splitlines()) + "\n"
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(code).readline)
        if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
    ]
    found = set()
    for i, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in KEYWORDS:
            continue
        if i + 1 >= len(tokens) or tokens[i + 1].string != "(":
            continue
        args, j = [], i + 2
        while j < len(tokens) and tokens[j].string != ")":
            if tokens[j].type == tokenize.STRING:
                args.append(ast.Constant(ast.literal_eval(tokens[j].string)))
            elif tokens[j].type == tokenize.NAME:
                args.append(ast.Name(tokens[j].string))
            j += 1
        k = _from_call(token.string, args)
        if k:
            found.add(k)
    return found


def source_msgids(root: Path = ROOT) -> dict:
    """Every translatable string in the source -> the first file that has it."""
    found = {}
    for path in source_files(root):
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(root))
        keys = python_msgids(text) if path.suffix == ".py" else template_msgids(text, rel)
        for k in keys:
            found.setdefault(k, rel)
    return found


def catalogue_keys(lang) -> set:
    return {key(e.msgctxt, e.msgid, e.msgid_plural) for e in entries(lang)}


# --- (a) every entry translated ------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_header_names_the_language_and_its_plural_forms(lang):
    po = catalogue(lang)
    assert po.metadata.get("Language") == lang
    assert po.metadata.get("Plural-Forms") == PLURAL_FORMS[lang]
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy: remove '#, fuzzy' above it"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(lang):
    nplurals = int(re.search(r"nplurals=(\d+)", PLURAL_FORMS[lang])[1])
    problems = []
    for e in entries(lang):
        where = describe(key(e.msgctxt, e.msgid, e.msgid_plural))
        if "fuzzy" in e.flags:
            problems.append(f"fuzzy: {where}")
        if e.msgid_plural:
            forms = [e.msgstr_plural.get(i, "") for i in range(nplurals)]
            if not all(forms) or len(e.msgstr_plural) != nplurals:
                problems.append(f"a plural form is missing or empty: {where}")
        elif not e.msgstr:
            problems.append(f"untranslated: {where}")
    assert not problems, f"locale/{lang}: " + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders_and_the_markup(lang):
    problems = []
    for e in entries(lang):
        pairs = (
            [(e.msgid, e.msgstr_plural.get(0, "")), (e.msgid_plural, e.msgstr_plural.get(1, ""))]
            if e.msgid_plural
            else [(e.msgid, e.msgstr)]
        )
        for source, translation in pairs:
            if placeholders(source) != placeholders(translation):
                problems.append(f"placeholders differ: {source!r} -> {translation!r}")
            if sorted(TAG.findall(source)) != sorted(TAG.findall(translation)):
                problems.append(f"markup differs: {source!r} -> {translation!r}")
    assert not problems, f"locale/{lang}: " + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_swedish_is_left_in_a_translation(lang):
    letters = FOREIGN_LETTERS[lang]
    left = [
        text
        for e in entries(lang)
        for text in [e.msgstr, *e.msgstr_plural.values()]
        if letters.search(text.replace(BRAND, ""))
    ]
    assert not left, f"locale/{lang} has letters {lang} never uses: {left}"


# --- (b) the catalogues hold exactly the strings of the source ----------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_source_string_is_in_the_catalogue(lang):
    source = source_msgids()
    missing = sorted(set(source) - catalogue_keys(lang), key=str)
    assert not missing, (
        f"locale/{lang} lacks strings of the source; run scripts/messages and translate them:\n"
        + "\n".join(f"{describe(k)} ({source[k]})" for k in missing)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogue_has_no_string_the_source_dropped(lang):
    stale = sorted(catalogue_keys(lang) - set(source_msgids()), key=str)
    assert not stale, (
        f"locale/{lang} has strings no longer in the source; run scripts/messages:\n"
        + "\n".join(describe(k) for k in stale)
    )


GETTEXT_TOOLS = ["xgettext", "msgmerge", "msguniq", "msgattrib"]


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in GETTEXT_TOOLS),
    reason="GNU gettext is not installed (apt-get install gettext): the check of this "
    "test's string finder against the real makemessages is skipped; the catalogue tests "
    "above still run",
)
def test_the_string_finder_agrees_with_makemessages(tmp_path):
    """makemessages on a copy of the source finds exactly what source_msgids() finds."""
    for path in source_files():
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    (tmp_path / "locale").mkdir()
    ignore = [arg for folder in sorted(IGNORED) for arg in ("-i", folder)]
    subprocess.run(
        [
            *(sys.executable, "manage.py", "makemessages", "-l", "nb", "--no-location"),
            *("-e", ",".join(sorted(ext.lstrip(".") for ext in EXTENSIONS)), *ignore),
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    made = polib.pofile(str(tmp_path / "locale" / "nb" / "LC_MESSAGES" / "django.po"))
    by_makemessages = {key(e.msgctxt, e.msgid, e.msgid_plural) for e in made}
    by_finder = set(source_msgids(tmp_path))
    assert by_finder == by_makemessages, (
        f"only makemessages: {sorted(by_makemessages - by_finder, key=str)}\n"
        f"only the finder: {sorted(by_finder - by_makemessages, key=str)}"
    )


# --- (c) the committed .mo is the compiled .po --------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_committed_mo_matches_the_po(lang):
    mo_path = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run scripts/messages"
    with mo_path.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    expected = {}
    for e in entries(lang):
        msgid = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid
        if e.msgid_plural:
            for i, text in e.msgstr_plural.items():
                expected[(msgid, int(i))] = text
        else:
            expected[msgid] = e.msgstr
    actual = {k: v for k, v in compiled._catalog.items() if k != ""}
    assert actual == expected, (
        f"locale/{lang}/LC_MESSAGES/django.mo is not the compiled django.po: "
        "run scripts/messages (or manage.py compilemessages -i .venv) and commit the .mo; "
        f"differs for {sorted(set(actual.items()) ^ set(expected.items()), key=str)[:10]}"
    )
    assert compiled.info().get("plural-forms") == PLURAL_FORMS[lang]


# --- (d) the pages speak the chosen language -----------------------------------------


class TranslatedPagesTests(BaseTestCase):
    """Real pages in nb and en: the interface is translated, the organiser's words are not."""

    def setUp(self):
        self.d = self.discussion.pk
        self.rec = self.recs[0]
        self.workshop.date = date(2026, 6, 3)
        self.workshop.save()

    def use(self, lang):
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: lang})

    def join(self):
        response = self.client.post("/j/VARM26/", {"group": self.table1.pk, "name": "Kari"})
        self.assertEqual(response.status_code, 303)
        return Participant.objects.latest("pk")

    def fill(self, participant=None):
        """A running discussion with a ballot, a missing area and revealed results."""
        participant = participant or Participant.objects.latest("pk")
        facilitator_writes.run_timer(self.d, "start")
        participant_writes.save_ranking(participant, [self.rec.number], self.recs)
        participant_writes.add_entry(participant, MissingArea, "Kultur och idrott")
        facilitator_writes.reveal_results(self.d, True)
        return participant

    def data(self) -> list[str]:
        """Everything on these pages that is data, not interface: stays as written."""
        d = self.discussion
        words = [BRAND, d.title, "Kultur och idrott"]
        words += [w.title for w in (self.workshop, self.other_workshop)]
        words += [d.question_rank, d.question_missing, d.question_activities]
        words += [self.rec_set.name, self.rec_set.source, str(self.rec_set)]
        for rec in self.recs:
            # Whole, and cut short as the phone's list of recommendations shows them, and
            # its buttons' names ("Flytta ‘…’ upp till plats 2").
            words += [rec.title, Truncator(rec.title).chars(60), Truncator(rec.title).chars(40)]
            words += rec.bullet_list
        for code, name in settings.LANGUAGES:
            words += [name, get_language_info(code)["name_local"]]
        return sorted((w for w in words if w), key=len, reverse=True)

    def assert_interface_in(self, lang, response, present=(), absent=()):
        self.assertEqual(response.status_code, 200, response.content[:300])
        self.assertContains(response, f'<html lang="{lang}"')
        text = html.unescape(response.content.decode())
        for phrase in present:
            self.assertIn(phrase, text)
        for phrase in absent:
            self.assertNotIn(phrase, text)
        for word in self.data():
            text = text.replace(word, "")
        leftover = FOREIGN_LETTERS[lang].findall(text)
        if leftover:
            at = FOREIGN_LETTERS[lang].search(text).start()
            self.fail(f"untranslated text in {lang}: …{text[max(0, at - 80) : at + 40]}…")

    def test_home_and_login_follow_the_browsers_language(self):
        for lang, join, password in [
            ("nb", "Bli med i diskusjonen", "Passord"),
            ("en", "Join the discussion", "Password"),
        ]:
            with self.subTest(lang=lang):
                headers = {"accept-language": f"{lang},sv;q=0.5"}
                self.assert_interface_in(
                    lang,
                    self.client.get("/", headers=headers),
                    present=[join],
                    absent=["Gå med i diskussionen", "Koden på skärmen"],
                )
                self.assert_interface_in(
                    lang,
                    self.client.get(reverse("login"), headers=headers),
                    present=[password],
                    absent=["Lösenord", "Användarnamn"],
                )

    def test_a_participants_pages(self):
        expected = {
            "nb": ("Hvilken gruppe (hvilket bord) sitter du ved?", "Rangeringen din", "Lagre"),
            "en": ("Which group (table) are you sitting at?", "Your ranking", "Cancel"),
        }
        for lang, (which, ranking, save_or_cancel) in expected.items():
            with self.subTest(lang=lang):
                self.client.cookies.clear()
                self.use(lang)
                self.assert_interface_in(
                    lang,
                    self.client.get("/j/VARM26/"),
                    present=[which],
                    absent=["Vilken grupp (vilket bord) sitter du vid?"],
                )
                # Before the start, then running with a ballot, an entry and the results.
                self.join()
                self.assert_interface_in(
                    lang,
                    self.client.get(reverse("phone", args=[self.d])),
                    absent=["Har inte börjat", "Diskussionen har inte börjat än."],
                )
                participant = self.fill()
                page = self.client.get(reverse("phone", args=[self.d]))
                self.assert_interface_in(
                    lang,
                    page,
                    present=[ranking],
                    absent=["Din rangordning", "Din grupp", "Spara motiveringen"],
                )
                # The organiser's words stay as they wrote them.
                text = html.unescape(page.content.decode())
                self.assertIn(self.rec.title, text)
                self.assertIn(self.discussion.question_rank, text)
                entry = MissingArea.objects.get(author=participant)
                edit = reverse("entry_edit", args=[self.d, "area", entry.pk])
                self.assert_interface_in(
                    lang, self.client.get(edit), present=[save_or_cancel], absent=["Spara"]
                )
                facilitator_writes.run_timer(self.d, "end")
                self.assert_interface_in(
                    lang,
                    self.client.get(reverse("phone", args=[self.d])),
                    absent=["Tiden är ute"],
                )
                Discussion.objects.filter(pk=self.d).update(
                    started_at=None, ended_at=None, results_revealed=False
                )

    def test_the_facilitators_pages(self):
        self.join()
        self.fill()
        self.client.force_login(self.alice)
        entry = MissingArea.objects.get()
        pages = [
            reverse("facilitator:workshops"),
            reverse("facilitator:workshop", args=[self.workshop.pk]),
            reverse("facilitator:workshop_create"),
            reverse("facilitator:discussion_edit", args=[self.d]),
            reverse("facilitator:groups", args=[self.d]),
            reverse("facilitator:projector", args=[self.d]),
            reverse("facilitator:projector_results", args=[self.d]),
            reverse("facilitator:dashboard", args=[self.d]),
            reverse("facilitator:dashboard", args=[self.d]) + "?vikt=grupp",
            reverse("facilitator:entry_merge", args=[self.d, "area", entry.pk]),
            reverse("recommendations:list"),
            reverse("recommendations:set", args=[self.rec_set.slug]),
            reverse("export:page", args=[self.workshop.pk]),
            reverse("export:report", args=[self.workshop.pk]),
            reverse("export:delete_participants", args=[self.workshop.pk]),
            reverse("export:delete_workshop", args=[self.workshop.pk]),
        ]
        expected = {
            "nb": {
                "dashboard": ["Deltakelse", "Rangering, alle grupper", "Manglende områder"],
                "projector": ["Skann koden med mobilen, eller gå til", "Pause"],
            },
            "en": {
                "dashboard": ["Participation", "Ranking, all groups", "Missing areas"],
                "projector": ["Scan the code with your phone, or go to", "Pause"],
            },
        }
        for lang in LANGUAGES:
            self.use(lang)
            for url in pages:
                with self.subTest(lang=lang, url=url):
                    self.assert_interface_in(lang, self.client.get(url))
            with self.subTest(lang=lang, page="dashboard"):
                dashboard = self.client.get(reverse("facilitator:dashboard", args=[self.d]))
                self.assert_interface_in(
                    lang,
                    dashboard,
                    present=expected[lang]["dashboard"],
                    absent=["Deltagande", "Rangordning, alla grupper", "Saknade områden"],
                )
                self.assertContains(dashboard, html.escape(self.rec.title))
            with self.subTest(lang=lang, page="projector"):
                self.assert_interface_in(
                    lang,
                    self.client.get(reverse("facilitator:projector", args=[self.d])),
                    present=expected[lang]["projector"],
                    absent=["Skanna koden med mobilen", "Pausa"],
                )

    def test_a_missing_page(self):
        for lang, title in [("nb", "Siden finnes ikke"), ("en", "Page not found")]:
            self.use(lang)
            with self.subTest(lang=lang):
                response = self.client.get("/finns-inte/")
                self.assertEqual(response.status_code, 404)
                self.assertContains(response, title, status_code=404)
                self.assertNotContains(response, "Sidan finns inte", status_code=404)

    def test_the_admin_names_our_models_in_the_language(self):
        """Our verbose names are ours to translate; the admin's own words are Django's.

        Django's nb catalogue lacks a few admin strings (the theme toggle, some labels
        for screen readers), and Django falls back to LANGUAGE_CODE's catalogue for
        them, so those show in Swedish; only en is checked for leftovers here.
        """
        self.client.force_login(make_user("root", is_staff=True, is_superuser=True))
        expected = {
            "nb": ["Deltakere", "Aktivitetsforslag", "Workshoper", "Anbefalingslister"],
            "en": ["Participants", "Activity proposals", "Workshops", "Recommendation lists"],
        }
        for lang, names in expected.items():
            self.use(lang)
            with self.subTest(lang=lang):
                page = self.client.get(reverse("admin:index"))
                self.assertContains(page, f'<html lang="{lang}"')
                for name in names:
                    self.assertContains(page, f">{name}</a>")
                for name in ["Deltagare", "Workshoppar", "Rekommendationslistor"]:
                    self.assertNotContains(page, name)
        self.assert_interface_in("en", self.client.get(reverse("admin:index")))
        self.assert_interface_in(
            "en", self.client.get(reverse("admin:discussions_discussion_change", args=[self.d]))
        )

    def test_dates_follow_the_language(self):
        self.client.force_login(self.alice)
        for lang, day in [("sv", "3 juni 2026"), ("nb", "3. juni 2026"), ("en", "June 3, 2026")]:
            self.use(lang)
            with self.subTest(lang=lang):
                pages = ["/f/", f"/f/w/{self.workshop.pk}/"]
                pages.append(reverse("export:report", args=[self.workshop.pk]))
                for url in pages:
                    self.assertContains(self.client.get(url), day)
