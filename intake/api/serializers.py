import copy

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.core.choices import UnitLevel
from hotline.core.models import Category, Unit
from hotline.core.reference import reference
from knowledge_base.search import searchable

from ..choices import REFUSAL_SCRIPTS, Channel, DemandType, RefusalReason, Urgency
from ..models import Demand
from ..selectors import caller_identity_for


@extend_schema_field(OpenApiTypes.INT)
class ValidArticleField(serializers.PrimaryKeyRelatedField):
    """An article agents may use today: published and within its validity (evaluated per request)."""

    def get_queryset(self):
        return searchable()


class ReferenceCodeField(serializers.SlugRelatedField):
    """A category or unit given by its code, found in the in-memory reference data (no query); the
    queryset still describes the accepted values (schema, browsable API)."""

    def __init__(self, *, find, **kwargs):
        self.find = find
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):  # e.g. "street": 110101001
            data = str(data)
        if not isinstance(data, str):
            self.fail("invalid")
        found = self.find(reference(), data)
        if found is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return found


def _active_leaf_category(ref, code):
    category = ref.category_by_code.get(code)
    return category if category is not None and category.is_active and category.level == 3 else None


def leaf_category_field(**kwargs) -> ReferenceCodeField:
    """An active level-3 matter category, by its code."""
    kwargs.setdefault("help_text", "A level-3 matter category code (e.g. 010101 占道经营).")
    return ReferenceCodeField(
        find=_active_leaf_category, queryset=Category.objects.filter(is_active=True, level=3), **kwargs
    )


class DemandCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.PHONE)
    demand_type = serializers.ChoiceField(choices=DemandType.choices)
    category = leaf_category_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="A level-3 matter category code (e.g. 010101 占道经营). Omitted: the smart-dispatch model "
        "chooses it when auto-dispatch is on and it is sure enough (the demand is marked `category_auto`); "
        "otherwise 400 category_required with `suggestions` to choose from.",
    )
    content = serializers.CharField(max_length=5000)
    caller_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    caller_phone = serializers.CharField(max_length=32, help_text="Any common notation; stored as digits.")
    confidential = serializers.BooleanField(default=False)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    street = ReferenceCodeField(
        find=lambda ref, code: ref.street(code),
        queryset=Unit.objects.filter(level=UnitLevel.STREET),
        required=False,
        allow_null=True,
        default=None,
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None, min_value=-90, max_value=90
    )
    long = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None, min_value=-180, max_value=180
    )
    media_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    answer_article = ValidArticleField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A published, valid knowledge-base article that answered the consultation on the call (直接答复).",
    )
    merge_into = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="The id of an open work order this call repeats (重复件): the caller joins it; nothing is dispatched.",
    )
    disposition = serializers.ChoiceField(
        choices=[("answered", "answered"), ("refused", "refused")],
        required=False,
        allow_blank=True,
        default="",
        help_text="Only to answer (without an article) or to refuse; otherwise the demand is routed.",
    )
    refusal_reason = serializers.ChoiceField(
        choices=RefusalReason.choices, required=False, allow_blank=True, default=""
    )
    co_complainants = serializers.IntegerField(
        min_value=0,
        max_value=9999,
        required=False,
        default=0,
        help_text="群体性: other people the caller speaks for (each counts once more in the group bonus).",
    )
    problem_since = serializers.IntegerField(
        min_value=1949,
        required=False,
        allow_null=True,
        default=None,
        help_text="历史遗留: the year the problem began (needs problem_since_source; a dispatcher verifies it).",
    )
    problem_since_source = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def get_fields(self):
        """The declared fields, each a shallow copy (DRF deep-copies them, rebuilding every field from its
        arguments: 1.2 ms of every intake). A copy gets its own binding (name, parent); what it shares with
        the declaration (choices, messages, the reference lookups) is never changed by a request."""
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def validate_caller_phone(self, value):
        from hotline.core.exceptions import InvalidInput

        from ..services import check_phone

        try:
            return check_phone(value)
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.detail, code=exc.code) from None

    def validate(self, attrs):
        """One decision per call: answered, refused, merged, or routed (the default)."""
        disposition = attrs.pop("disposition")
        wanted = set()
        if disposition == "answered" or attrs["answer_article"] is not None:
            wanted.add("answer")
        if disposition == "refused" or attrs["refusal_reason"]:
            wanted.add("refuse")
        if attrs["merge_into"] is not None:
            wanted.add("merge")
        if len(wanted) > 1:
            raise serializers.ValidationError(
                {
                    "disposition": "Choose one: answered (answer_article), refused (refusal_reason) or merged (merge_into)."
                },
                code="conflicting_disposition",
            )
        if "refuse" in wanted and not attrs["refusal_reason"]:
            raise serializers.ValidationError(
                {"refusal_reason": "Say why the demand is refused or where it is transferred."},
                code="refusal_reason_required",
            )
        attrs["action"] = wanted.pop() if wanted else "route"
        return attrs


class DemandSerializer(serializers.ModelSerializer):
    """The demand as intake recorded it, its caller as the user may see them (the answer of
    `/api/v1/demands/` adds its work orders: dispatch.api.serializers.DemandWithOrdersSerializer)."""

    category = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    street = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Demand
        fields = [
            "id",
            "number",
            "channel",
            "demand_type",
            "category",
            "category_auto",
            "content",
            "address",
            "street",
            "urgency",
            "received_at",
            "disposition",
            "dispatch_due_at",
            "district",
            "lat",
            "long",
            "media_url",
            "answer_article",
            "refusal_reason",
            "refusal_script",
            "co_complainants",
            "problem_since",
            "problem_since_source",
            "problem_since_verified",
        ]

    problem_since_verified = serializers.SerializerMethodField()

    def get_problem_since_verified(self, demand) -> bool:
        """A dispatcher verified the year against its source (only then does it earn the bonus)."""
        return demand.problem_since_verified_at is not None

    district = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    refusal_script = serializers.SerializerMethodField()

    def get_refusal_script(self, demand) -> str:
        """What the agent reads to the caller when the demand is refused or transferred."""
        return str(REFUSAL_SCRIPTS.get(demand.refusal_reason, ""))

    def to_representation(self, demand):
        data = super().to_representation(demand)
        data.update(caller_identity_for(self.context["request"].user, demand))
        return data


class HistorySerializer(serializers.Serializer):
    problem_since = serializers.IntegerField(min_value=1949, allow_null=True)
    problem_since_source = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
