"""Token authentication that loads the user's unit with the token: every API request needs the unit
(the visibility subtree), so one query instead of two. Tokens expire HOTLINE_API_TOKEN_DAYS after they
were issued (a new one is issued by POST /api/v1/auth/token/) and are revoked by DELETE on it or in the
admin."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


def token_expired(token) -> bool:
    return timezone.now() - token.created > settings.HOTLINE_API_TOKEN_LIFETIME


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__unit").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token):
            raise exceptions.AuthenticationFailed(_("The token has expired; ask for a new one."), code="token_expired")
        return (token.user, token)
