"""Assessment API: the month's ranking (CONTRACT.md)."""

import datetime as dt
import functools

from django.db.models import F
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, views
from rest_framework.response import Response

from hotline.core.api.permissions import allowed
from hotline.core.choices import UnitLevel
from hotline.core.exceptions import InvalidInput, NotFound

from ..models import Snapshot, SnapshotUnit


class RankingRowSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")

    class Meta:
        model = SnapshotUnit
        fields = [
            "unit",
            "name",
            "level",
            "volume",
            "per_10k",
            "assessed",
            "response_rate",
            "resolution_rate",
            "satisfaction_rate",
            "bonus",
            "score",
            "previous_score",
            "rank",
            "tier",
            # Extensions (docs/assessment.md): the month's due orders and what became of them, the plain
            # shares beside the scheme's rates, and the weighted process part.
            "due",
            "below_minimum",
            "no_reply",
            "late",
            "rehandled",
            "carried",
            "unreachable",
            "unreachable_share",
            "unreachable_flag",
            "contacted_share",
            "resolved_share",
            "satisfied_share",
            "process_score",
            # 协办: the assisting parts — due, each check's share, the lead units' rating, the part's score.
            "assist_due",
            "assist_signed",
            "assist_on_time",
            "assist_on_site",
            "assist_rating",
            "assist_rated",
            "assist_score",
            # 主动治理: the capped bonus of the month's verified actions and evaluated topics (its credits:
            # the scorecard).
            "proactive_bonus",
            "proactive_credits",
        ]


# The serializer's fields read through a relation; every other field is the snapshot row's own column.
SOURCES = {"unit": "unit__code", "name": "unit__name"}


@functools.cache
def _decimal_fields() -> frozenset[str]:
    fields = RankingRowSerializer().fields
    return frozenset(name for name, field in fields.items() if isinstance(field, serializers.DecimalField))


def ranking_rows(rows) -> list[dict]:
    """The rows exactly as RankingRowSerializer gives them, read as tuples: building 343 snapshot rows
    and their units as model instances and passing them through DRF's per-field machinery was most
    of the request (frozen rows need no more than their values). Decimals are strings, as DRF
    gives them (the columns have their decimal places already)."""
    names = RankingRowSerializer.Meta.fields
    decimals = _decimal_fields()
    result = []
    for values in rows.values_list(*(SOURCES.get(name, name) for name in names)):
        row = dict(zip(names, values))
        for name in decimals:
            if row[name] is not None:
                row[name] = f"{row[name]:f}"
        result.append(row)
    return result


class RankingPageSerializer(serializers.Serializer):
    period = serializers.CharField()
    revision = serializers.IntegerField(help_text="0 for a preview")
    preview = serializers.BooleanField(help_text="The month so far (预览), not frozen: it will change.")
    as_of = serializers.DateTimeField(allow_null=True, help_text="The moment the orders were judged as of.")
    scheme = serializers.IntegerField(help_text="The scheme version that scored it.")
    rules = serializers.IntegerField(
        help_text="1: counted in the month evaluated (first rules); 2: the due-month rules."
    )
    results = RankingRowSerializer(many=True)
    next = serializers.URLField(allow_null=True)


def ranking_snapshot_for(params) -> Snapshot:
    """The snapshot a ranking request names: ?period=YYYY-MM (required), &preview=1 for the month so far,
    &district=<code> for a district's internal ranking (its own scheme)."""
    from hotline.core.models import Unit

    try:
        period = dt.datetime.strptime(params.get("period", ""), "%Y-%m").date()
    except ValueError:
        raise InvalidInput(_("period must be YYYY-MM."), code="invalid_period") from None
    district = None
    if params.get("district"):
        district = Unit.objects.filter(code=params["district"], level=UnitLevel.DISTRICT).first()
        if district is None:
            raise InvalidInput(_("Unknown district."), code="invalid_district")
    wanted = Snapshot.objects.filter(period=period, district=district).select_related("scheme")
    if params.get("preview") in ("1", "true"):
        snapshot = wanted.filter(is_preview=True).first()
    else:
        snapshot = wanted.filter(is_current=True).first()
    if snapshot is None:
        raise NotFound(_("%(p)s has not been scored yet.") % {"p": f"{period:%Y-%m}"}, code="not_scored")
    return snapshot


def ranking_page(snapshot: Snapshot, rows) -> dict:
    return {
        "period": f"{snapshot.period:%Y-%m}",
        "revision": snapshot.revision,
        "preview": snapshot.is_preview,
        "as_of": snapshot.as_of.isoformat() if snapshot.as_of else None,
        "scheme": snapshot.scheme.version,
        "rules": snapshot.rules,
        "results": rows,
        "next": None,
    }


class RankingsView(views.APIView):
    """月度排名: every unit of a level in the month's current snapshot (or its preview), best first; the
    units below the minimum volume are listed after the ranked ones."""

    permission_classes = [allowed("assessment.view_rankings")]

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, required=True, description="YYYY-MM"),
            OpenApiParameter("level", str, required=False, description="street (default), department, …"),
            OpenApiParameter("preview", bool, required=False, description="1: the month so far (预览)"),
            OpenApiParameter("district", str, required=False, description="a district's internal ranking"),
        ],
        responses=RankingPageSerializer,
    )
    def get(self, request):
        level = request.query_params.get("level", UnitLevel.STREET)
        if level not in UnitLevel.values:
            raise InvalidInput(_("Unknown level."), code="invalid_level")
        snapshot = ranking_snapshot_for(request.query_params)
        rows = snapshot.units.filter(level=level).order_by(F("rank").asc(nulls_last=True), "-score", "unit__code")
        return Response(ranking_page(snapshot, ranking_rows(rows)))


class PublicRankingSerializer(serializers.Serializer):
    unit = serializers.CharField()
    name = serializers.CharField()
    district = serializers.CharField(allow_null=True)
    level = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    tier = serializers.CharField()
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    response_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    resolution_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    satisfaction_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    resolved_share = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    satisfied_share = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    volume = serializers.IntegerField()
    per_10k = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    due = serializers.IntegerField()
    no_reply = serializers.IntegerField()


class PublicRankingPageSerializer(serializers.Serializer):
    period = serializers.CharField()
    revision = serializers.IntegerField()
    results = PublicRankingSerializer(many=True)
    next = serializers.URLField(allow_null=True)


class PublicRankingsView(views.APIView):
    """排名结果向社会公布: a frozen month's ranking without login (units and rates only; rate-limited like
    every anonymous call). No preview and no district's internal ranking: only what is published."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, required=True, description="YYYY-MM"),
            OpenApiParameter("level", str, required=False, description="street (default), department, …"),
        ],
        responses=PublicRankingPageSerializer,
    )
    def get(self, request):
        from ..selectors import public_ranking

        level = request.query_params.get("level", UnitLevel.STREET)
        if level not in UnitLevel.values:
            raise InvalidInput(_("Unknown level."), code="invalid_level")
        snapshot = ranking_snapshot_for({"period": request.query_params.get("period", "")})
        return Response(
            {
                "period": f"{snapshot.period:%Y-%m}",
                "revision": snapshot.revision,
                "results": public_ranking(snapshot, level),
                "next": None,
            }
        )
