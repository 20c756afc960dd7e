"""The facilitator's set-up forms: workshops, discussions, groups, invitations."""

import unicodedata

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from discussions.facilitator_writes import MAX_TABLES
from discussions.models import NAME_MAX, Discussion, Ranking, Workshop
from recommendations.models import RecommendationSet
from recommendations.set_writes import visible_sets

MAX_MINUTES = 240


def _refuse_controls(form, single_line: tuple[str, ...], multi_line: tuple[str, ...] = ()):
    """Refuse control characters (BEL, ESC, DEL, C1 …) in these fields as the
    participants' fields do (participant_writes.clean_text): every one of them, CR
    and LF included, in a one-line name; all but line breaks and tabs in a text."""
    for name in single_line + multi_line:
        if name in form.fields:
            allowed = "\n\r\t" if name in multi_line else ""
            form.fields[name].validators.append(_no_controls(allowed))


def _no_controls(allowed: str):
    def validate(value):
        if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value or ""):
            raise forms.ValidationError(
                _("Texten innehåller otillåtna kontrolltecken."), code="control"
            )

    return validate


def _offer_sets(form, user):
    """The lists a facilitator may pick: the shared ones, their own, their workshops'
    (recommendations/set_writes.py), and the one already chosen."""
    if user is None:
        return
    current = form.instance.recommendation_set_id if form.instance else None
    form.fields["recommendation_set"].queryset = RecommendationSet.objects.filter(
        Q(pk__in=visible_sets(user).values("pk")) | Q(pk=current)
    )


class WorkshopForm(forms.ModelForm):
    class Meta:
        model = Workshop
        fields = ["title", "date", "place", "language", "recommendation_set"]
        labels = {
            "title": _("Titel"),
            "date": _("Datum"),
            "place": _("Plats"),
            "language": _("Språk"),
            "recommendation_set": _("Rekommendationer"),
        }
        help_texts = {
            "recommendation_set": _("Listan som deltagarna rangordnar i nya diskussioner."),
        }
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_sets(self, user)
        _refuse_controls(self, ("title", "place"))


class DiscussionForm(forms.ModelForm):
    duration_minutes = forms.IntegerField(
        label=_("Längd i minuter"),
        min_value=1,
        max_value=MAX_MINUTES,
        initial=20,
    )

    class Meta:
        model = Discussion
        fields = [
            "title",
            "duration_minutes",
            "question_rank",
            "question_missing",
            "question_activities",
            "recommendation_set",
            "shuffle_recommendations",
        ]
        labels = {
            "title": _("Titel"),
            "question_rank": _("Fråga 1: rangordna och motivera"),
            "question_missing": _("Fråga 2: saknade områden"),
            "question_activities": _("Fråga 3: förslag på aktiviteter"),
            "recommendation_set": _("Rekommendationer"),
            "shuffle_recommendations": _("Blanda korten i olika ordning för varje deltagare"),
        }
        widgets = {
            "question_rank": forms.Textarea(attrs={"rows": 3}),
            "question_missing": forms.Textarea(attrs={"rows": 2}),
            "question_activities": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_sets(self, user)
        _refuse_controls(
            self, ("title",), ("question_rank", "question_missing", "question_activities")
        )
        duration = self.fields["duration_minutes"]
        if self.instance.pk:
            duration.initial = max(1, round(self.instance.duration_seconds / 60))
            if self.instance.started_at is not None:
                # The clock is running on these seconds: change it with +1/+5 min.
                duration.disabled = True
                duration.help_text = _(
                    "Diskussionen har startat: förläng den med +1 min / +5 min i stället."
                )
            if self._has_rankings():
                # Rankings point at recommendations of the current set.
                self.fields["recommendation_set"].disabled = True
                self.fields["recommendation_set"].help_text = _(
                    "Deltagare har redan rangordnat, så listan kan inte bytas."
                )

    def _has_rankings(self) -> bool:
        return Ranking.objects.filter(participant__discussion=self.instance).exists()

    def save(self, commit=True):
        # Only a changed number of minutes touches the clock: re-saving a form
        # for a discussion of 20 min 30 s must not round it to 21 minutes.
        if "duration_minutes" in self.changed_data and not self.fields["duration_minutes"].disabled:
            self.instance.duration_seconds = self.cleaned_data["duration_minutes"] * 60
        return super().save(commit)


class TablesForm(forms.Form):
    # No fixed number: the groups page fills in what completes the room, if it knows
    # (setup_views._room), else nothing.
    count = forms.IntegerField(label=_("Antal bord"), min_value=1, max_value=MAX_TABLES)


class GroupNameForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=NAME_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _refuse_controls(self, ("name",))


class InviteForm(forms.Form):
    username = forms.CharField(
        label=_("Användarnamn"),
        max_length=150,
        help_text=_(
            "Den du bjuder in behöver ett konto och blir facilitator när hen tackar ja. "
            "Alla facilitatorer kan styra, se och ändra allt i workshoppen."
        ),
        # Someone else's name: no autofill of one's own, and no capital first letter
        # from a phone's keyboard (user names are case sensitive).
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
