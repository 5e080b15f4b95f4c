from rest_framework import serializers

from dispatch.api.parts import DetailPart
from hotline.core.api.fields import PlausibleDateTimeField

from ..choices import ContactMethod, ReplyReview, Resolution, Satisfaction, Source
from ..models import CooperationRating, Evaluation, Reply


class CooperationSerializer(serializers.Serializer):
    """协办配合评价: the lead unit's rating of one assisting unit."""

    unit = serializers.CharField(max_length=32)
    rating = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReplySerializer(serializers.Serializer):
    """双反馈: what the citizen is told, and what the hotline is told; a lead unit may rate each assisting
    unit's cooperation (`cooperation`, optional)."""

    contacted = serializers.BooleanField()
    resolved = serializers.ChoiceField(choices=Resolution.choices)
    reply_to_citizen = serializers.CharField()
    reply_to_hotline = serializers.CharField()
    contacted_at = PlausibleDateTimeField(required=False, allow_null=True, default=None)
    contact_method = serializers.ChoiceField(
        choices=ContactMethod.choices, required=False, allow_blank=True, default=""
    )
    cooperation = CooperationSerializer(many=True, required=False, default=list)


class CallbackSerializer(serializers.Serializer):
    """The three questions (三问), or `unreachable: true`."""

    unreachable = serializers.BooleanField(default=False)
    contacted = serializers.BooleanField(required=False, allow_null=True, default=None)
    resolution = serializers.ChoiceField(choices=Resolution.choices, required=False, allow_blank=True, default="")
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    replace = serializers.BooleanField(
        default=False, help_text="Replace answers already recorded (e.g. the citizen's own evaluation)."
    )

    def validate(self, attrs):
        if not attrs["unreachable"]:
            missing = [f for f in ("contacted", "resolution", "satisfaction") if attrs[f] in (None, "")]
            if missing:
                raise serializers.ValidationError(
                    {f: "This answer is required unless unreachable is true." for f in missing}
                )
        return attrs


# --- the parts feedback adds to the work order's answer (dispatch.api.parts), for the schema ---------


class ReplyAnswerSerializer(serializers.Serializer):
    """The latest reply (双反馈) and the hotline's check of it."""

    contacted = serializers.BooleanField()
    contacted_at = serializers.DateTimeField(allow_null=True)
    contact_method = serializers.ChoiceField(choices=ContactMethod.choices, allow_blank=True)
    resolved = serializers.ChoiceField(choices=Resolution.choices)
    reply_to_citizen = serializers.CharField()
    reply_to_hotline = serializers.CharField()
    at = serializers.DateTimeField()
    review = serializers.ChoiceField(choices=ReplyReview.choices)
    review_note = serializers.CharField(allow_blank=True)


class EvaluationAnswerSerializer(serializers.Serializer):
    """The citizen's current answers (回访 or their own link)."""

    source = serializers.ChoiceField(choices=Source.choices)
    contacted = serializers.BooleanField()
    resolution = serializers.ChoiceField(choices=Resolution.choices)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(allow_blank=True)
    contradiction = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()


class CooperationAnswerSerializer(serializers.Serializer):
    """On an assisting order: how the lead unit rated its cooperation (协办配合评价)."""

    rating = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()


ORDER_PARTS = (
    DetailPart(
        "reply",
        Reply,
        fields=tuple(ReplyAnswerSerializer().fields),
        order_by=("-at",),
        schema=ReplyAnswerSerializer,
    ),
    DetailPart(
        "evaluation",
        Evaluation,
        fields=tuple(EvaluationAnswerSerializer().fields),
        order_by=("-recorded_at", "-id"),
        only_true=("is_current",),
        schema=EvaluationAnswerSerializer,
    ),
    DetailPart(
        "cooperation",
        CooperationRating,
        fields=tuple(CooperationAnswerSerializer().fields),
        order_by=("-at",),
        schema=CooperationAnswerSerializer,
    ),
)
