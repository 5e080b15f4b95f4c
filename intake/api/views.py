"""智能派单 through the API: the active model's accuracy as operators read it (GET intake/classifier/), and a
dispatcher's category for imported history or a correction of an automatic one. The suggestions for a text
(POST intake/classify/) name the routed unit, so they are dispatch's (dispatch.api.views.classify)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from hotline.core.api.permissions import allowed

from .. import services
from ..selectors import automatic_categories_visible_to, classifier_report, uncategorised_history_visible_to
from .serializers import leaf_category_field


def version_row(version) -> dict:
    return {
        "version": version.version,
        "trained_at": version.trained_at,
        "since": version.since,
        "until": version.until,
        "demands": version.demands,
        "knowledge_texts": version.knowledge_texts,
        "held_out": version.held_out,
        "top1": version.top1,
        "top3": version.top3,
        "incumbent_top1": version.incumbent_top1,
        "seconds": version.seconds,
        "active": version.is_active,
        "activated_at": version.activated_at,
        "note": version.note,
    }


def report_body(report: dict) -> dict:
    model = report["model"]
    policy = report["policy"]
    return {
        "model": None
        if model is None
        else {
            **version_row(model),
            "per_group": model.metrics.get("per_group", []),
            "confusion": model.metrics.get("confusion", []),
            "confused_pairs": model.metrics.get("confused_pairs", []),
            "curve": model.metrics.get("curve", []),
        },
        "auto_dispatch": {
            "enabled": policy.enabled,
            "required_precision": float(policy.precision),
            "threshold": report["threshold"],
            "precision_at_threshold": (report["at_threshold"] or {}).get("precision"),
            "coverage_at_threshold": (report["at_threshold"] or {}).get("coverage"),
        },
        "acceptance": report["acceptance"],
        "automatic": report["automatic"],
        "versions": [version_row(v) for v in report["versions"]],
    }


@extend_schema(
    responses={200: OpenApiTypes.OBJECT},
    description="The active classifier version's top-1 / top-3 accuracy on its held-out slice, per top-level "
    "category, the confusion between top-level categories (triples actual, predicted, count) and the most "
    "confused level-3 pairs, precision and coverage at each confidence threshold, the auto-dispatch threshold "
    "with its measured precision, the weekly acceptance of suggestions, and the recent versions. "
    "`model` is null before the first training.",
)
@api_view(["GET"])
@permission_classes([allowed("intake.view_classifier")])
def classifier(request):
    return Response(report_body(classifier_report()))


@extend_schema(
    request=inline_serializer(
        "DemandCategoryRequest", {"category": leaf_category_field(), "used": serializers.BooleanField(required=False)}
    ),
    responses={200: OpenApiTypes.OBJECT},
    description="A dispatcher sets the category of an imported demand that has none, or corrects an automatic "
    "one. 409 category_confirmed when a person chose the demand's category already.",
)
@api_view(["POST"])
@permission_classes([allowed("intake.categorise")])
def categorise(request, pk):
    class Body(serializers.Serializer):
        category = leaf_category_field()
        used = serializers.BooleanField(required=False, default=False)

    body = Body(data=request.data)
    body.is_valid(raise_exception=True)
    # The dispatcher's page's scope: history without a category, or an automatic category (404 otherwise).
    demand = uncategorised_history_visible_to(request.user).filter(pk=pk).first() or get_object_or_404(
        automatic_categories_visible_to(request.user), pk=pk
    )
    demand = services.demand_categorise(
        demand=demand, category=body.validated_data["category"], by=request.user, used=body.validated_data["used"]
    )
    return Response(
        {"id": demand.pk, "number": demand.number, "category": demand.category.code, "automatic": demand.category_auto}
    )
