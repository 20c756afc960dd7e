from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from recommendations.paste import BULLETS_MAX, TITLE_MAX

__all__ = ["BULLETS_MAX", "TITLE_MAX", "Recommendation", "RecommendationSet"]


class RecommendationSetManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class RecommendationSet(models.Model):
    """A numbered list of recommendations that a discussion asks people to rank."""

    slug = models.SlugField(_("kortnamn"), max_length=60, unique=True)
    name = models.CharField(_("namn"), max_length=TITLE_MAX)
    source = models.CharField(
        _("källa"), max_length=TITLE_MAX, blank=True, help_text=_("Till exempel rapportens titel.")
    )
    # Who made the list in the app, and the only one who may change it. Empty for
    # the lists loaded from fixtures/: shared with everyone, and read-only in the app.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recommendation_sets",
        verbose_name=_("skapad av"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecommendationSetManager()

    class Meta:
        verbose_name = _("rekommendationslista")
        verbose_name_plural = _("rekommendationslistor")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("recommendations:set", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class RecommendationManager(models.Manager):
    def get_by_natural_key(self, set_slug, number):
        return self.get(recommendation_set__slug=set_slug, number=number)


class Recommendation(models.Model):
    recommendation_set = models.ForeignKey(
        RecommendationSet,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("lista"),
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    title = models.CharField(_("rubrik"), max_length=TITLE_MAX)
    # One bullet point per line: easy to edit in the admin, and the slide's
    # bullets are short sentences that never span paragraphs.
    bullets = models.TextField(_("punkter"), blank=True, help_text=_("En punkt per rad."))

    objects = RecommendationManager()

    class Meta:
        verbose_name = _("rekommendation")
        verbose_name_plural = _("rekommendationer")
        ordering = ["recommendation_set_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation_set", "number"],
                name="recommendations_recommendation_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="recommendations_recommendation_number_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""),
                name="recommendations_recommendation_title_not_empty",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (*self.recommendation_set.natural_key(), self.number)

    natural_key.dependencies = ["recommendations.recommendationset"]

    @property
    def bullet_list(self) -> list[str]:
        return [line.strip() for line in self.bullets.splitlines() if line.strip()]
