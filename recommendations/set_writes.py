"""A facilitator's own recommendation lists: who sees which, and every change to one.

The rules, in one place:

- A list loaded from fixtures/ (no `created_by`) is shared: everyone sees it and may
  copy it; nobody changes it in the app.
- A facilitator sees the shared lists, their own, and the lists of the workshops and
  discussions they are a member of. They may copy any of these.
- Only the one who made a list may change or delete it.
- Its name and source may always change: they are labels, not what people answered.
- Its recommendations (numbers, titles, bullet points) may change only while no
  discussion has answers on it: a ranking or an activity under one of them, a
  missing area, or a reason in a discussion that uses it. After that, copy it.
- It may be deleted only while no workshop or discussion uses it.

Each change runs in one transaction that first takes the lock of every discussion
using the list (exclusively, as a facilitator's write does: discussions/locks.py),
so no answer can arrive between the check and the change, and then bumps their
revisions, so every screen showing the list reloads it.
"""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from discussions.locks import lock_discussion
from discussions.models import ActivityProposal, Discussion, MissingArea, Participant, Ranking
from discussions.refused import Refused
from recommendations.models import TITLE_MAX, Recommendation, RecommendationSet
from recommendations.paste import Item


def visible_sets(user):
    return RecommendationSet.objects.filter(
        Q(created_by__isnull=True)
        | Q(created_by=user)
        | Q(workshops__members=user)
        | Q(discussions__workshop__members=user)
    ).distinct()


def has_answers(rec_set: RecommendationSet) -> bool:
    in_use = Q(discussion__recommendation_set=rec_set)
    return (
        Ranking.objects.filter(recommendation__recommendation_set=rec_set).exists()
        or ActivityProposal.objects.filter(recommendation__recommendation_set=rec_set).exists()
        or MissingArea.objects.filter(in_use).exists()
        or Participant.objects.filter(in_use).exclude(why="").exists()
    )


def _new_slug(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "lista"
    taken = set(
        RecommendationSet.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    return next(s for n in range(1, 1000) if (s := base if n == 1 else f"{base}-{n}") not in taken)


def create_set(user, name: str, source: str, items: list[Item]) -> RecommendationSet:
    for attempt in range(3):
        try:
            with transaction.atomic():
                slug = _new_slug(name)
                if attempt:  # someone took the same slug at the same moment
                    slug = f"{slug[:50]}-{secrets.token_hex(3)}"
                rec_set = RecommendationSet.objects.create(
                    slug=slug, name=name, source=source, created_by=user
                )
                _replace(rec_set, items)
                return rec_set
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _lock_discussions(rec_set_id: int) -> list[int]:
    ids = list(
        Discussion.objects.filter(recommendation_set_id=rec_set_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for discussion_id in ids:
        lock_discussion(discussion_id)
    return ids


def update_set(rec_set: RecommendationSet, name: str, source: str, items=None) -> bool:
    """Save a new name and source, and (if `items` is given) new recommendations.

    Returns whether anything changed. Raises Refused (409) when the recommendations
    would change under answers already given.
    """
    with transaction.atomic():
        discussions = _lock_discussions(rec_set.pk)
        changed = False
        if items is not None and _differs(rec_set, items):
            if has_answers(rec_set):
                raise Refused(
                    _(
                        "Deltagare har redan svarat på de här rekommendationerna, så de kan "
                        "inte ändras längre. Gör en kopia av listan och ändra i den."
                    ),
                    409,
                )
            _replace(rec_set, items)
            changed = True
        if (rec_set.name, rec_set.source) != (name, source):
            RecommendationSet.objects.filter(pk=rec_set.pk).update(name=name, source=source)
            rec_set.name, rec_set.source = name, source
            changed = True
        if changed:
            for discussion_id in discussions:
                Discussion.bump_revision(discussion_id)
    return changed


def _differs(rec_set: RecommendationSet, items: list[Item]) -> bool:
    current = [
        Item(r.number, r.title, tuple(r.bullet_list))
        for r in rec_set.recommendations.order_by("number")
    ]
    return current != list(items)


def _replace(rec_set: RecommendationSet, items: list[Item]) -> None:
    """Make the list's recommendations these items: rows kept by number (so a phone's
    page that shows number 3 still finds number 3), changed in place, added, removed."""
    existing = {r.number: r for r in rec_set.recommendations.all()}
    wanted = {item.number for item in items}
    Recommendation.objects.filter(
        recommendation_set=rec_set, number__in=set(existing) - wanted
    ).delete()
    for item in items:
        bullets = "\n".join(item.bullets)
        rec = existing.get(item.number)
        if rec is None:
            Recommendation.objects.create(
                recommendation_set=rec_set, number=item.number, title=item.title, bullets=bullets
            )
        elif (rec.title, rec.bullets) != (item.title, bullets):
            rec.title, rec.bullets = item.title, bullets
            rec.save(update_fields=["title", "bullets"])


def copy_name(name: str) -> str:
    suffix = _(" (kopia)")
    return name[: TITLE_MAX - len(suffix)] + suffix


def copy_set(rec_set: RecommendationSet, user) -> RecommendationSet:
    items = [
        Item(r.number, r.title, tuple(r.bullet_list))
        for r in rec_set.recommendations.order_by("number")
    ]
    return create_set(user, copy_name(rec_set.name), rec_set.source, items)


def delete_set(rec_set: RecommendationSet) -> None:
    with transaction.atomic():
        _lock_discussions(rec_set.pk)
        if rec_set.workshops.exists() or rec_set.discussions.exists():
            raise Refused(
                _(
                    "Listan används av en workshop eller diskussion och kan inte tas bort. "
                    "Byt lista där först."
                ),
                409,
            )
        rec_set.delete()
