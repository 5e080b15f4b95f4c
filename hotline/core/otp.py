"""Optional second factor (TOTP, django-otp) for the accounts that can do the most harm: administrators
and leaders. Once such a user has confirmed an authenticator app, every login — browser and API token —
needs its six-digit code as well as the password."""

from __future__ import annotations

import io

from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import may

DEVICE_NAME = "authenticator"


SESSION_FLAG = "otp_enrolled"


def remember(request) -> None:
    """Note in the session whether the user has an authenticator, so the gate costs no query per request."""
    request.session[SESSION_FLAG] = user_has_device(request.user, confirmed=True)


def remove(request) -> None:
    TOTPDevice.objects.filter(user=request.user).delete()
    remember(request)


def must_verify(request) -> bool:
    """An enrolled user whose session has not passed the second step yet."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    if SESSION_FLAG not in request.session:
        remember(request)
    return request.session[SESSION_FLAG]


def base32_key(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def eligible(user) -> bool:
    return may(user, "core.use_two_step_login")


def enrolled(user) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being set up (one at a time): its key is shown until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def confirm(device: TOTPDevice, token: str) -> bool:
    if not device.verify_token((token or "").strip()):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()  # one authenticator each
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def verified_device(user, token: str) -> TOTPDevice | None:
    """The confirmed device that accepts `token` (each code once: django-otp refuses a replay)."""
    token = (token or "").strip()
    if not token.isdigit():
        return None
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (segno), for the authenticator app."""
    import segno

    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True)
    return out.getvalue().decode()
