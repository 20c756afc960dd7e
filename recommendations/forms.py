"""The form for a recommendation list: a name, a source, and the recommendations pasted
as text (read by recommendations/paste.py, whose problems become sentences here)."""

import unicodedata

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from recommendations import paste
from recommendations.models import TITLE_MAX

# More than this many problems at once helps nobody: the rest follow once these are fixed.
SHOWN_PROBLEMS = 8


def _n(value) -> str:
    return number_format(value, force_grouping=True)


def problem_message(problem: paste.Problem) -> str:
    p = {
        "number": problem.number,
        "line": problem.line,
        "size": _n(problem.size or 0),
        "max": _n(problem.other or 0),
        "other": problem.other,
    }
    match problem.code:
        case "empty":
            return _("Rutan är tom: klistra in rekommendationerna.")
        case "text_too_long":
            return _("Texten är för lång: %(size)s tecken, högst %(max)s.") % p
        case "control":
            return ngettext(
                "Rad %(line)s innehåller ett osynligt styrtecken. Skriv om den raden.",
                "%(n)s rader innehåller osynliga styrtecken, den första är rad %(line)s. "
                "Skriv om de raderna.",
                problem.size,
            ) % {**p, "n": problem.size}
        case "too_many":
            return (
                _(
                    "Texten blev %(size)s rekommendationer, men högst %(max)s går att "
                    "rangordna på en telefon. Dela upp dem på flera listor."
                )
                % p
            )
        case "bad_number":
            return _("Rad %(line)s: numret %(number)s går inte, bara 1 till %(max)s.") % p
        case "duplicate_number":
            return _("Rad %(line)s: numret %(number)s finns redan ovanför.") % p
        case "order":
            return (
                _(
                    "Rad %(line)s: numret %(number)s kommer efter %(other)s. Numren ska öka "
                    "uppifrån och ned."
                )
                % p
            )
        case "no_title":
            return _("Rad %(line)s: rekommendation %(number)s har ingen rubrik.") % p
        case "title_too_long":
            return (
                _(
                    "Rad %(line)s: rubriken till rekommendation %(number)s är %(size)s tecken, "
                    "högst %(max)s. Sätt • före varje punkt, så hamnar punkterna inte i rubriken."
                )
                % p
            )
        case "bullets_too_long":
            return (
                _(
                    "Rad %(line)s: punkterna under rekommendation %(number)s är %(size)s tecken "
                    "tillsammans, högst %(max)s."
                )
                % p
            )
        case "duplicate_title":
            return _("Rad %(line)s: rekommendation %(number)s har samma rubrik som %(other)s.") % p
    raise ValueError(problem.code)


def no_control_characters(value: str) -> None:
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise forms.ValidationError(_("Texten innehåller osynliga styrtecken."))


class SetForm(forms.Form):
    name = forms.CharField(
        label=_("Listans namn"),
        max_length=TITLE_MAX,
        validators=[no_control_characters],
        help_text=_("Visas för dig när du väljer lista, och i exporten."),
    )
    source = forms.CharField(
        label=_("Källa (valfritt)"),
        max_length=TITLE_MAX,
        required=False,
        validators=[no_control_characters],
        help_text=_("Till exempel rapportens titel."),
    )
    # No maxlength on the box: a browser would cut a long paste short without a word.
    text = forms.CharField(
        label=_("Rekommendationerna"),
        strip=False,
        error_messages={"required": _("Rutan är tom: klistra in rekommendationerna.")},
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text=_(
            "Klistra in dem, till exempel från bilderna: en rad med nummer och rubrik "
            "(”1. Rubrik”), sedan punkterna, var och en på en rad som börjar med • eller -. "
            "Utan • blir varje rad under rubriken en punkt. Du får se resultatet innan något "
            "sparas."
        ),
    )

    def __init__(self, *args, with_text=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed = None
        if with_text:
            # paste.parse names the line with a control character, NUL included.
            self.fields["text"].validators = []
        else:
            del self.fields["text"]

    def clean_text(self):
        text = self.cleaned_data["text"]
        self.parsed = paste.parse(text)
        if self.parsed.problems:
            problems = self.parsed.problems
            messages = [problem_message(p) for p in problems[:SHOWN_PROBLEMS]]
            if len(problems) > SHOWN_PROBLEMS:
                more = len(problems) - SHOWN_PROBLEMS
                messages.append(
                    ngettext(
                        "… och %(n)s fel till.",
                        "… och %(n)s fel till.",
                        more,
                    )
                    % {"n": more}
                )
            raise forms.ValidationError(messages)
        return text

    @property
    def items(self):
        return self.parsed.items if self.parsed is not None else None
