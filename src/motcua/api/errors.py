"""Mapping domain errors to HTTP: 400 bad input, 403 not yours, 409 wrong state or stale."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from motcua.dossiers.errors import Conflict, InvalidInput, NotAllowed


def exception_handler(exc, context):
    if isinstance(exc, InvalidInput):
        return Response(exc.fields, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response(
            {"detail": exc.message, "code": "conflict"}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, NotAllowed):
        return Response(
            {"detail": exc.message, "code": "not_allowed"}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, PermissionDenied) and exc.args:
        return Response({"detail": str(exc.args[0])}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return drf_handler(exc, context)
