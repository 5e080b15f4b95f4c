from rest_framework import serializers

from ..models import Category, Notification, Unit


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Unit
        fields = ["code", "name", "level", "parent", "population"]


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Category
        fields = ["code", "name", "parent", "level"]


class TokenRequestSerializer(serializers.Serializer):
    # No username is longer than the model's 150 characters; nor a password longer than 4096 (hashing a
    # megabyte of password is a cheap denial of service).
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, max_length=4096)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="The authenticator app's code, for accounts with two-step login on.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(help_text="After this moment the token is refused (401 token_expired).")


class UserSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        from ..models import User

        model = User
        fields = ["username", "display_name", "role", "unit", "is_active"]


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True, help_text="In the language of the request.")
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "data", "url", "at", "read", "read_at"]

    def get_read(self, notification) -> bool:
        return notification.read_at is not None
