"""Workshops, their timed discussions, the groups at the tables, and what people submit.

All of the app's models in one module, as Django has them, past 400 lines: half of
it is the constraints and why they are there.

Integrity lives in the database: a ranking can never hold a recommendation or a
position twice, nobody endorses the same entry twice, and two open discussions
never share a join code. The views check the rest (a participant's group belongs
to their discussion; a ranked recommendation belongs to the discussion's set).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from discussions import timer
from recommendations.models import Recommendation, RecommendationSet

# Limits on everything a person types; the forms enforce them with a message,
# PostgreSQL enforces the CharFields' lengths too.
TEXT_MAX = 500
TITLE_MAX = 200
NAME_MAX = 40
QUESTION_MAX = 1000

# The slide's wording, word for word (seeds/workshop-slides-sv.txt).
DEFAULT_QUESTION_RANK = (
    "Är någon av rekommendationerna viktigare än andra att vi gemensamt i Värmland jobbar med? "
    "Varför?"
)
DEFAULT_QUESTION_MISSING = "Saknar ni något område i rekommendationerna?"
DEFAULT_QUESTION_ACTIVITIES = (
    "I mån av tid: Finns det konkreta förslag på aktiviteter inom någon av rekommendationerna?"
)
DEFAULT_DURATION_SECONDS = 20 * 60

# Join codes are read off a projector and typed on a phone: upper case, and no
# characters that look alike (0/O, 1/I/L). 31 symbols, 6 long: 31**6 ≈ 8.9e8 codes.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
PUBLIC_ID_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def random_code(length: int = JOIN_CODE_LENGTH, alphabet: str = JOIN_CODE_ALPHABET) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def normalise_join_code(raw: str) -> str:
    """What a person typed → the stored form: upper case, no spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def new_public_id() -> str:
    return random_code(8, PUBLIC_ID_ALPHABET)


def new_shuffle_seed() -> int:
    return secrets.randbits(31)


class Language(models.TextChoices):
    SWEDISH = "sv", "Svenska"
    NORWEGIAN = "nb", "Norsk bokmål"
    ENGLISH = "en", "English"


class ProjectorView(models.TextChoices):
    """What the projector shows; the values name its pages' URLs (facilitator_urls.py)."""

    TIMER = "timer", _("Tid")
    RESULTS = "results", _("Rangordning")
    AREAS = "areas", _("Saknade områden")
    ACTIVITIES = "activities", _("Aktiviteter")
    REASONS = "reasons", _("Motiveringar")
    # Which recommendations got a concrete activity at which table (results.coverage).
    COVERAGE = "coverage", _("Täckning")


class Workshop(models.Model):
    title = models.CharField(_("titel"), max_length=TITLE_MAX)
    date = models.DateField(_("datum"), null=True, blank=True)
    place = models.CharField(_("plats"), max_length=TITLE_MAX, blank=True)
    language = models.CharField(
        _("språk"), max_length=5, choices=Language.choices, default=Language.SWEDISH
    )
    recommendation_set = models.ForeignKey(
        RecommendationSet,
        on_delete=models.PROTECT,
        related_name="workshops",
        verbose_name=_("rekommendationslista"),
    )
    # Everyone who may run, watch and export this workshop. A user sees only the
    # workshops they are a member of.
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="workshops",
        blank=True,
        verbose_name=_("facilitatorer"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshoppar")
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""), name="discussions_workshop_title_not_empty"
            ),
        ]

    def __str__(self):
        return self.title


class Invitation(models.Model):
    """A member's invitation for another account to join a workshop, waiting for
    the invitee to accept or decline it on their list of workshops.

    Why: adding a username straight to the members put anyone into a workshop
    without their consent, and the answer told whether that username existed."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inbjudan")
        verbose_name_plural = _("inbjudningar")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "invitee"], name="discussions_invitation_once"
            ),
        ]

    def __str__(self):
        return f"{self.invitee} → {self.workshop}"


class Discussion(models.Model):
    """One timed round of group discussion within a workshop."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="discussions", verbose_name=_("workshop")
    )
    title = models.CharField(_("titel"), max_length=TITLE_MAX)
    recommendation_set = models.ForeignKey(
        RecommendationSet,
        on_delete=models.PROTECT,
        related_name="discussions",
        verbose_name=_("rekommendationslista"),
    )
    join_code = models.CharField(_("anslutningskod"), max_length=12, default=random_code)
    question_rank = models.TextField(
        _("fråga 1 (rangordning)"), max_length=QUESTION_MAX, default=DEFAULT_QUESTION_RANK
    )
    question_missing = models.TextField(
        _("fråga 2 (saknade områden)"), max_length=QUESTION_MAX, default=DEFAULT_QUESTION_MISSING
    )
    question_activities = models.TextField(
        _("fråga 3 (aktiviteter)"), max_length=QUESTION_MAX, default=DEFAULT_QUESTION_ACTIVITIES
    )
    shuffle_recommendations = models.BooleanField(
        _("blanda korten per deltagare"),
        default=False,
        help_text=_("Motverkar att det som står först får fler röster."),
    )
    results_revealed = models.BooleanField(_("resultat visas"), default=False)

    # What the projector shows, chosen on the dashboard or by keys on the projector:
    # every projector tab follows the choice (live.follow). The page is
    # the one of the chosen view's pages (discussions/plenary.py). Names appear beside
    # the reasons only when this is ticked, and then only those a participant gave.
    projector_view = models.CharField(
        _("projektorns vy"),
        max_length=12,
        choices=ProjectorView.choices,
        default=ProjectorView.TIMER,
    )
    projector_page = models.PositiveSmallIntegerField(_("projektorns sida"), default=1)
    projector_names = models.BooleanField(_("visa namn på projektorn"), default=False)
    # Bumped by every choice of what the projector shows, even of the view it shows
    # already, so that a projector tab opened elsewhere follows. Its own counter, not
    # the revision: the phones show none of it, and a page turned on the projector
    # must not send a hall's phones for their lists again.
    projector_shown = models.PositiveIntegerField(default=0)

    # The timer: timestamps only, never a ticking counter (see discussions/timer.py).
    duration_seconds = models.PositiveIntegerField(
        _("längd i sekunder"), default=DEFAULT_DURATION_SECONDS
    )
    started_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.FloatField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)

    # Bumped in the same transaction as every facilitator write that changes what a
    # screen shows. Participants' writes bump their group's revision instead (see
    # Group.revision); live_revision() adds the two up.
    revision = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Which round the live ballots (Ranking, Participant.why) and the clock above are
    # of: 1, or 2 once the facilitator opened a second round after the plenary
    # (facilitator_writes.open_second_round). Round 1 is then kept as it was, in
    # FirstRound and FirstRoundRanking.
    round = models.PositiveSmallIntegerField(_("runda"), default=1)

    class Meta:
        verbose_name = _("diskussion")
        verbose_name_plural = _("diskussioner")
        ordering = ["workshop_id", "created_at"]
        constraints = [
            # Only open discussions compete for a code: an old, ended one may
            # share its code with a new one without the join page being unsure.
            models.UniqueConstraint(
                fields=["join_code"],
                condition=Q(ended_at__isnull=True),
                name="discussions_discussion_join_code_open_unique",
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__gt=0, duration_seconds__lte=24 * 3600),
                name="discussions_discussion_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(paused_seconds__gte=0),
                name="discussions_discussion_paused_seconds_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(paused_at__isnull=True) | Q(started_at__isnull=False),
                name="discussions_discussion_paused_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=False),
                name="discussions_discussion_ended_after_start",
            ),
            models.CheckConstraint(
                condition=Q(paused_at__isnull=True) | Q(ended_at__isnull=True),
                name="discussions_discussion_not_paused_and_ended",
            ),
            models.CheckConstraint(
                condition=~Q(join_code=""), name="discussions_discussion_join_code_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(round__in=[1, 2]), name="discussions_discussion_round_1_or_2"
            ),
        ]

    def __str__(self):
        return f"{self.workshop.title} – {self.title}"

    def get_join_url(self):
        return reverse("join_code", args=[self.join_code])

    @property
    def clock(self) -> timer.Clock:
        return timer.Clock(
            duration_seconds=self.duration_seconds,
            started_at=self.started_at,
            paused_at=self.paused_at,
            paused_seconds=self.paused_seconds,
            ended_at=self.ended_at,
        )

    def set_clock(self, clock: timer.Clock) -> None:
        self.duration_seconds = clock.duration_seconds
        self.started_at = clock.started_at
        self.paused_at = clock.paused_at
        self.paused_seconds = clock.paused_seconds
        self.ended_at = clock.ended_at

    @classmethod
    def bump_revision(cls, discussion_id: int, by: int = 1) -> None:
        """Call inside the writing transaction; a conditional UPDATE, so no lost bump."""
        cls.objects.filter(pk=discussion_id).update(revision=F("revision") + by)

    @staticmethod
    def with_live_revision(queryset):
        """Annotate `live_revision`: the discussion's revision plus all its groups'.

        It changes with every write to the discussion, by anyone, so the dashboard and
        the projector can answer "nothing new" after one query. Both terms only rise,
        and deleting a group adds its revision to the discussion's
        (facilitator_writes.delete_group), so the sum never comes back to a value a
        screen has already shown.
        """
        groups = (
            Group.objects.filter(discussion=OuterRef("pk"))
            .order_by()
            .values("discussion")
            .annotate(total=Sum("revision"))
            .values("total")
        )
        return queryset.annotate(live_revision=F("revision") + Coalesce(Subquery(groups), Value(0)))

    def get_live_revision(self) -> int:
        return (
            Discussion.with_live_revision(Discussion.objects.filter(pk=self.pk))
            .values_list("live_revision", flat=True)
            .get()
        )


class Group(models.Model):
    """A table of people who discuss together."""

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="groups", verbose_name=_("diskussion")
    )
    name = models.CharField(_("namn"), max_length=NAME_MAX)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    # Bumped by every participant write that changes what this group's phones show
    # (participant_writes.py). A phone compares it (plus the discussion's revision) to wake only
    # for its own table, and writes at different tables never wait for each other's
    # row lock: with one counter on the discussion, every write in a full hall queued
    # behind the last one.
    revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("grupp")
        verbose_name_plural = _("grupper")
        ordering = ["discussion_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "name"], name="discussions_group_name_unique"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="discussions_group_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def bump_revision(cls, group_id: int) -> None:
        """Call last in the writing transaction: the row stays locked only until commit."""
        cls.objects.filter(pk=group_id).update(revision=F("revision") + 1)


class Participant(models.Model):
    """One phone in one discussion. No account: a signed cookie holds the id."""

    discussion = models.ForeignKey(
        Discussion,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("diskussion"),
    )
    # RESTRICT: a group with people in it cannot vanish from under them, but
    # deleting the whole discussion still takes both.
    group = models.ForeignKey(
        Group, on_delete=models.RESTRICT, related_name="participants", verbose_name=_("grupp")
    )
    # The anonymous id that exports show instead of a name.
    public_id = models.CharField(max_length=12, unique=True, default=new_public_id)
    display_name = models.CharField(_("namn"), max_length=NAME_MAX, blank=True)
    why = models.CharField(_("varför"), max_length=TEXT_MAX, blank=True)
    ranked_at = models.DateTimeField(null=True, blank=True)
    # The why as it was when round 1 closed (copied when round 2 opens; "" for
    # someone who joined in round 2 or gave none). Round 1's ballot: FirstRoundRanking.
    first_round_why = models.CharField(_("varför i runda 1"), max_length=TEXT_MAX, blank=True)
    # Seeds this phone's order of the cards when the discussion shuffles them,
    # so the order stays put across reloads.
    shuffle_seed = models.PositiveIntegerField(default=new_shuffle_seed)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deltagare")
        # Swedish says "deltagare" for one and for many; other languages do not.
        verbose_name_plural = pgettext_lazy("plural", "deltagare")
        ordering = ["discussion_id", "created_at"]

    def __str__(self):
        return self.display_name or self.public_id


class Ranking(models.Model):
    """One ranked recommendation on one participant's ballot (position 1 = most important).

    A ballot may rank only the top few; the recommendations it leaves out count as
    tied below every ranked one (see discussions/ranking.py).
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="rankings")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="rankings"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("rangordning")
        verbose_name_plural = _("rangordningar")
        ordering = ["participant_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "recommendation"],
                name="discussions_ranking_recommendation_once",
            ),
            models.UniqueConstraint(
                fields=["participant", "position"], name="discussions_ranking_position_once"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=100),
                name="discussions_ranking_position_range",
            ),
        ]

    def __str__(self):
        return f"{self.participant}: {self.position}. {self.recommendation.title}"


class FirstRound(models.Model):
    """Round 1's clock as it was when the facilitator opened round 2: the
    Discussion's clock fields are round 2's from then on. `closed_at`: when round 2
    opened; who joined after it has no round-1 ballot."""

    discussion = models.OneToOneField(
        Discussion, on_delete=models.CASCADE, related_name="first_round"
    )
    duration_seconds = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    paused_seconds = models.FloatField(default=0)
    ended_at = models.DateTimeField()
    closed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("runda 1")
        verbose_name_plural = _("första rundor")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gte=F("started_at")),
                name="discussions_firstround_ended_after_start",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__gte=F("ended_at")),
                name="discussions_firstround_closed_after_end",
            ),
        ]

    def __str__(self):
        return f"{self.discussion_id}: {self.started_at:%H:%M}–{self.ended_at:%H:%M}"


class FirstRoundRanking(models.Model):
    """One place on a participant's round-1 ballot, copied from Ranking when round 2
    opened and never written again. The same constraints as Ranking."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="first_round_rankings"
    )
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("rangordning i runda 1")
        verbose_name_plural = _("rangordningar i runda 1")
        ordering = ["participant_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "recommendation"],
                name="discussions_firstroundranking_recommendation_once",
            ),
            models.UniqueConstraint(
                fields=["participant", "position"],
                name="discussions_firstroundranking_position_once",
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=100),
                name="discussions_firstroundranking_position_range",
            ),
        ]

    def __str__(self):
        return f"{self.participant_id}: {self.position}. {self.recommendation_id}"


class Entry(models.Model):
    """Something a participant wrote that others can +1: shared by the two kinds below."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE)
    group = models.ForeignKey(Group, on_delete=models.RESTRICT)
    author = models.ForeignKey(Participant, on_delete=models.CASCADE)
    text = models.CharField(_("text"), max_length=TEXT_MAX)
    # Moderation hides, never deletes: a hidden entry can be restored.
    hidden = models.BooleanField(_("dold"), default=False)
    # A duplicate merged into another entry stops being shown on its own; its
    # endorsements count towards the entry it was merged into.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["created_at"]

    def __str__(self):
        return self.text


class MissingArea(Entry):
    class Meta(Entry.Meta):
        verbose_name = _("saknat område")
        verbose_name_plural = _("saknade områden")
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""), name="discussions_missingarea_text_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("id")),
                name="discussions_missingarea_not_merged_into_itself",
            ),
        ]


class ActivityProposal(Entry):
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("rekommendation"),
    )

    class Meta(Entry.Meta):
        verbose_name = _("aktivitetsförslag")
        verbose_name_plural = pgettext_lazy("plural", "aktivitetsförslag")
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""), name="discussions_activityproposal_text_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("id")),
                name="discussions_activityproposal_not_merged_into_itself",
            ),
        ]


class MissingAreaEndorsement(models.Model):
    """A +1: one per participant and entry, enforced by the database."""

    entry = models.ForeignKey(MissingArea, on_delete=models.CASCADE, related_name="endorsements")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("+1 på saknat område")
        verbose_name_plural = _("+1 på saknade områden")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "participant"], name="discussions_missingareaendorsement_once"
            ),
        ]

    def __str__(self):
        return f"+1 {self.participant_id} → {self.entry_id}"


class ActivityEndorsement(models.Model):
    entry = models.ForeignKey(
        ActivityProposal, on_delete=models.CASCADE, related_name="endorsements"
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("+1 på aktivitet")
        verbose_name_plural = _("+1 på aktiviteter")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "participant"], name="discussions_activityendorsement_once"
            ),
        ]

    def __str__(self):
        return f"+1 {self.participant_id} → {self.entry_id}"


class TableAnswer(models.Model):
    """One version of a table's agreed answer: its top recommendation and why.

    The slide asks the *group*; after ranking on their own, the members of a table
    write one answer together, from any of their phones. Versions are only ever
    added, never changed (numbered 1, 2, … per table), so who wrote what stays
    visible, and a save based on an older version than the newest is refused
    rather than overwriting it (discussions/table_answers.py).
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="answers")
    number = models.PositiveIntegerField()
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rekommendation"),
    )
    why = models.CharField(_("varför"), max_length=TEXT_MAX, blank=True)
    # Who: the phone, and its name as it was then (the row may be deleted).
    author = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(max_length=NAME_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bordets gemensamma svar")
        verbose_name_plural = _("bordens gemensamma svar")
        ordering = ["group_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "number"], name="discussions_tableanswer_number_once"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="discussions_tableanswer_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(recommendation__isnull=False) | ~Q(why=""),
                name="discussions_tableanswer_not_empty",
            ),
        ]

    def __str__(self):
        return f"{self.group_id} v{self.number}"


# The two kinds of entry by their name in URLs, and each kind's +1s.
ENTRY_MODELS = {"area": MissingArea, "activity": ActivityProposal}
ENDORSEMENT_MODELS = {MissingArea: MissingAreaEndorsement, ActivityProposal: ActivityEndorsement}


class ReportSnapshot(models.Model):
    """A discussion's report, frozen when its participants' data was deleted.

    `data` holds what the printed report and the summary sheets show: the rankings
    (overall and per group, with agreement) and the texts as the report prints them,
    without author, name or id. Its shape is the "results" and "kept_texts" objects of
    the JSON export (docs/export-schema.md), so nothing in it leads back to a person.
    One per discussion: a discussion is ended for good when its data is deleted, so
    no answer can arrive later that the frozen report would lack.
    """

    discussion = models.OneToOneField(
        Discussion, on_delete=models.CASCADE, related_name="report_snapshot"
    )
    schema_version = models.PositiveSmallIntegerField(default=1)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sparad rapport")
        verbose_name_plural = _("sparade rapporter")

    def __str__(self):
        return f"{self.discussion} ({self.created_at:%Y-%m-%d})"


class ModerationAction(models.TextChoices):
    HIDE = "hide", _("dolde")
    UNHIDE = "unhide", _("återställde")
    MERGE = "merge", _("slog ihop")
    UNMERGE = "unmerge", _("ångrade sammanslagningen av")
    RENAME = "rename", _("bytte namn på gruppen")
    ADD_GROUPS = "add_groups", _("lade till grupperna")
    DELETE_GROUP = "delete_group", _("tog bort gruppen")


class ModerationKind(models.TextChoices):
    AREA = "area", _("saknat område")
    ACTIVITY = "activity", _("aktivitetsförslag")
    GROUP = "group", _("grupp")


class ModerationEvent(models.Model):
    """One thing a facilitator did to what others see: who, when, what, and why.

    Entries are hidden and merged, never deleted, and so is this log: the dashboard
    shows it newest first and every export carries it. A merge keeps in `undo` what
    it changed (the +1s it moved or dropped, the entries that followed), so that it
    can be undone exactly (discussions/facilitator_writes.unmerge).
    """

    Action = ModerationAction
    Kind = ModerationKind

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="moderation_events"
    )
    # Who: the account, and its name as it was (kept if the account is deleted).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20, choices=ModerationAction.choices)
    kind = models.CharField(max_length=10, choices=ModerationKind.choices)
    # The entry or group acted on (no foreign key: the log outlives what it names).
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    # What it was: the entry's text or the group's name as it was then.
    text = models.CharField(max_length=TEXT_MAX, blank=True)
    # A merge's target (its id and text), a rename's new name.
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_text = models.CharField(max_length=TEXT_MAX, blank=True)
    reason = models.CharField(_("anledning"), max_length=TEXT_MAX, blank=True)
    undo = models.JSONField(default=dict, blank=True)
    undone_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="undoes"
    )

    class Meta:
        verbose_name = _("modereringshändelse")
        verbose_name_plural = _("modereringslogg")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["discussion", "-created_at"], name="discussions_moderation_newest"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=[action.value for action in ModerationAction]),
                name="discussions_moderationevent_action_known",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[kind.value for kind in ModerationKind]),
                name="discussions_moderationevent_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(undone_by__isnull=True) | Q(action="merge"),
                name="discussions_moderationevent_only_merges_undone",
            ),
        ]

    def __str__(self):
        return f"{self.username} {self.action} {self.kind} {self.object_id}"
