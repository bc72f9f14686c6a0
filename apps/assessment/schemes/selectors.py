"""All reads of assessment schemes, rounds, scores, appeals and star ratings. Scores, items, manual values,
appeals and star ratings start from ``visible_to(actor)`` (a township sees only its own); schemes and rounds are
city-wide reference rows, read by anyone with the view permission."""

from __future__ import annotations

from django.db.models import Count

from apps.common.filters import filter_queryset

from ..models.schemes import (
    AssessmentRound,
    AssessmentScheme,
    ManualValue,
    ScoreAppeal,
    ScoreItem,
    StarRating,
    TownshipScore,
)
from .filters import AppealFilterSet, RoundFilterSet, ScoreFilterSet, StarFilterSet


def _signed_in(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active)


def scheme_list(*, actor, filters=None):
    if not _signed_in(actor):
        return AssessmentScheme.objects.none()
    return AssessmentScheme.objects.annotate(indicator_count=Count("indicators")).order_by("-effective_from")


def scheme_get(*, actor, pk):
    return scheme_list(actor=actor).get(pk=pk)


def round_list(*, actor, filters=None):
    if not _signed_in(actor):
        return filter_queryset(RoundFilterSet, AssessmentRound.objects.none(), filters)
    qs = AssessmentRound.objects.select_related("scheme").order_by("-year")
    return filter_queryset(RoundFilterSet, qs, filters)


def visible_score_counts(*, actor, round_ids) -> dict[int, int]:
    """{round id: number of scores ``actor`` sees in it} (one query; a township sees its own row only)."""
    rows = (
        TownshipScore.objects.visible_to(actor)
        .filter(round_id__in=list(round_ids))
        .values("round_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["round_id"]: r["n"] for r in rows}


def round_get(*, actor, pk):
    if not _signed_in(actor):
        raise AssessmentRound.DoesNotExist
    return AssessmentRound.objects.select_related("scheme", "closed_by").get(pk=pk)


def score_list(*, actor, filters=None):
    qs = (
        TownshipScore.objects.visible_to(actor)
        .select_related("township", "round")
        .order_by("-round__year", "rank", "township__order", "id")
    )
    return filter_queryset(ScoreFilterSet, qs, filters)


def round_scores(*, actor, rnd):
    return list(
        TownshipScore.objects.visible_to(actor)
        .filter(round=rnd)
        .select_related("township")
        .order_by("rank", "township__order", "id")
    )


def score_get(*, actor, pk):
    return TownshipScore.objects.visible_to(actor).select_related("township", "round", "round__scheme").get(pk=pk)


def score_items(score) -> list[ScoreItem]:
    return list(score.items.select_related("indicator", "appeal").order_by("indicator__order", "indicator_id"))


def appeal_list(*, actor, filters=None):
    qs = (
        ScoreAppeal.objects.visible_to(actor)
        .select_related("township", "indicator", "round")
        .order_by("-filed_at", "-id")
    )
    return filter_queryset(AppealFilterSet, qs, filters)


def appeal_get(*, actor, pk):
    return (
        ScoreAppeal.objects.visible_to(actor)
        .select_related("township", "indicator", "round", "filed_by", "decided_by")
        .get(pk=pk)
    )


def appeals_of(*, actor, rnd, township_id) -> list[ScoreAppeal]:
    return list(
        ScoreAppeal.objects.visible_to(actor)
        .filter(round=rnd, township_id=township_id)
        .select_related("indicator")
        .order_by("-filed_at")
    )


def manual_values_of(*, actor, rnd, township_id=None) -> list[ManualValue]:
    qs = ManualValue.objects.visible_to(actor).filter(round=rnd).select_related("indicator", "township")
    if township_id is not None:
        qs = qs.filter(township_id=township_id)
    return list(qs.order_by("township__order", "indicator__order"))


def manual_value_get(*, actor, pk):
    return ManualValue.objects.visible_to(actor).select_related("round", "indicator", "township").get(pk=pk)


def star_list(*, actor, filters=None):
    qs = StarRating.objects.visible_to(actor).select_related("township").order_by("township__order", "-year", "id")
    return filter_queryset(StarFilterSet, qs, filters)
