"""Assessment API: the month's ranking (CONTRACT.md)."""

import datetime as dt
import functools

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, views
from rest_framework.response import Response

from hotline.core.choices import UnitLevel
from hotline.core.exceptions import InvalidInput, NotFound

from ..models import Snapshot, SnapshotUnit


class RankingRowSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")

    class Meta:
        model = SnapshotUnit
        fields = ["unit", "name", "level", "volume", "per_10k", "assessed", "response_rate", "resolution_rate",
                  "satisfaction_rate", "bonus", "score", "previous_score", "rank", "tier"]


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
    revision = serializers.IntegerField()
    results = RankingRowSerializer(many=True)
    next = serializers.URLField(allow_null=True)


class RankingsView(views.APIView):
    """月度排名: every unit of a level in the month's current snapshot, best first."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, required=True, description="YYYY-MM"),
            OpenApiParameter("level", str, required=False, description="street (default), department, …"),
        ],
        responses=RankingPageSerializer,
    )
    def get(self, request):
        try:
            period = dt.datetime.strptime(request.query_params.get("period", ""), "%Y-%m").date()
        except ValueError:
            raise InvalidInput(_("period must be YYYY-MM."), code="invalid_period") from None
        level = request.query_params.get("level", UnitLevel.STREET)
        if level not in UnitLevel.values:
            raise InvalidInput(_("Unknown level."), code="invalid_level")
        snapshot = Snapshot.objects.filter(period=period, is_current=True).first()
        if snapshot is None:
            raise NotFound(_("%(p)s has not been scored yet.") % {"p": f"{period:%Y-%m}"}, code="not_scored")
        rows = snapshot.units.filter(level=level).order_by("rank", "-score", "unit__code")
        return Response({"period": f"{period:%Y-%m}", "revision": snapshot.revision,
                         "results": ranking_rows(rows), "next": None})
