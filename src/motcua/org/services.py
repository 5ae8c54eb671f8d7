"""Writes about people: two-factor devices."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device_start(*, user) -> TOTPDevice:
    """The person's unconfirmed authenticator device, created once and reused on reload."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="motcua", confirmed=False)
        return device


def totp_device_confirm(*, user, device: TOTPDevice, token: str) -> bool:
    """Confirm `device` when `token` is its current code; older devices are removed."""
    if device.user_id != user.pk or not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True
