from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, permissions, views
from rest_framework.authtoken.models import Token
from rest_framework.response import Response

from .. import otp, ratelimit
from ..choices import UnitLevel
from ..models import Category, Unit, User
from ..selectors import categories_active, notifications_of, units_visible_to, visible_to
from ..services import notification_read
from .authentication import TokenAuthentication, token_expired
from .errors import LockedOut
from .pagination import NewestCursorPagination, UsernameCursorPagination
from .permissions import allowed
from .serializers import (
    CategorySerializer,
    NotificationSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UnitSerializer,
    UserSerializer,
)


class TokenView(views.APIView):
    """Exchange a username and password for an API token (`Authorization: Token <token>`)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    def get_authenticate_header(self, request):
        # Wrong credentials are 401 (with the scheme to use), not 403.
        return "Token"

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer)
    def post(self, request):
        if ratelimit.login_blocked(request._request):
            raise LockedOut(_("Too many failed logins from your address; try again later."), code="too_many_failures")
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # authenticate() gets Django's own request so that django-axes counts failures and locks out
        # by username exactly as for the browser login; AxesMiddleware then answers the lockout.
        code = serializer.validated_data.pop("otp", "")
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None:
            if getattr(request._request, "axes_locked_out", False):
                raise LockedOut()
            ratelimit.login_failed(request._request)
            raise exceptions.AuthenticationFailed(_("Wrong username or password."))
        if otp.enrolled(user) and otp.verified_device(user, code) is None:
            ratelimit.login_failed(request._request)
            raise exceptions.AuthenticationFailed(
                _("This account needs the code of its authenticator app (otp)."), code="otp_required"
            )
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):  # an expired token is replaced, never handed out again
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token.created + settings.HOTLINE_API_TOKEN_LIFETIME})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Revoke the token this request is authenticated with (log out of the API)."""
        user_token = TokenAuthentication().authenticate(request)
        if user_token is None:
            raise exceptions.NotAuthenticated()
        user_token[1].delete()
        return Response(status=204)


class UnitFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=UnitLevel.choices)
    parent = filters.CharFilter(field_name="parent__code")

    class Meta:
        model = Unit
        fields = ["level", "parent"]


class UnitListView(generics.ListAPIView):
    """The organisation tree (承办单位), restricted to the caller's unit subtree."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self):
        return units_visible_to(self.request.user).filter(is_active=True)


class UnitDetailView(generics.RetrieveAPIView):
    serializer_class = UnitSerializer
    lookup_field = "code"

    def get_queryset(self):
        return units_visible_to(self.request.user)


class CategoryFilter(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__code")

    class Meta:
        model = Category
        fields = ["level", "parent"]


class CategoryListView(generics.ListAPIView):
    """Matter categories (问题分类), the three-level tree."""

    serializer_class = CategorySerializer
    filterset_class = CategoryFilter
    queryset = Category.objects.none()  # for the schema generator

    def get_queryset(self):
        return categories_active()


class UserFilter(filters.FilterSet):
    unit = filters.CharFilter(field_name="unit__code")

    class Meta:
        model = User
        fields = ["role", "unit", "is_active"]


class UserListView(generics.ListAPIView):
    """Accounts of the administrator's subtree (for provisioning and audits)."""

    serializer_class = UserSerializer
    permission_classes = [allowed("core.administer")]
    filterset_class = UserFilter
    pagination_class = UsernameCursorPagination
    queryset = User.objects.none()

    def get_queryset(self):
        return visible_to(self.request.user, User.objects.select_related("unit"))


class NotificationListView(generics.ListAPIView):
    """The caller's own notifications (通知), newest first; `?unread=1` for the unread ones only."""

    serializer_class = NotificationSerializer
    pagination_class = NewestCursorPagination
    permission_classes = [allowed("core.read_notifications")]
    filter_backends = []

    @extend_schema(parameters=[OpenApiParameter("unread", bool, required=False, description="1: unread only")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        items = notifications_of(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            items = items.filter(read_at__isnull=True)
        return items


class NotificationReadView(views.APIView):
    """Mark one of the caller's notifications read (another person's is 404)."""

    permission_classes = [allowed("core.read_notifications")]

    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request, pk: int):
        notification = notifications_of(request.user).filter(pk=pk).first()
        if notification is None:
            raise exceptions.NotFound()
        notification = notification_read(notification=notification, by=request.user)
        return Response(NotificationSerializer(notification).data)
