"""Errors a dossier action can end in; each carries a message for the person acting."""

from django.utils.translation import gettext as _


class DossierError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(DossierError):
    """The action is not allowed from the dossier's present state (HTTP 409)."""


class Conflict(DossierError):
    """Someone else changed the dossier since it was read (HTTP 409)."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message or _("Hồ sơ vừa được người khác thay đổi. Tải lại để xem trạng thái mới nhất.")
        )


class InvalidInput(DossierError):
    """Missing or wrong input (HTTP 400); `fields` maps each field to its messages."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields
