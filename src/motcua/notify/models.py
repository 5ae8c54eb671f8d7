from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderToken(models.Model):
    """A provider's current OAuth tokens (mã truy cập), shared by every worker.

    Zalo's refresh tokens are single-use: whoever refreshes must store the rotated pair at
    once, under a row lock, or the next refresh fails (motcua.notify.channels.zalo).
    """

    provider = models.SlugField(_("nhà cung cấp"), max_length=40, unique=True)
    access_token = models.TextField(_("access token"), blank=True)
    refresh_token = models.TextField(_("refresh token"), blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mã truy cập nhà cung cấp")
        verbose_name_plural = _("mã truy cập nhà cung cấp")

    def __str__(self):
        return self.provider
