"""Schemathesis over the OpenAPI schema: whatever it sends, the server never fails (no 5xx)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from motcua.org.models import Role

pytestmark = pytest.mark.django_db

EXAMPLES = 30


def _operations():
    from motcua.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def keep_connection():
    """Requests here bypass Django's test client, which stops request_finished from closing
    the connection that holds the test's transaction; do the same."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_never_answers_with_a_server_error(world, keep_connection):
    officer = world.staff[Role.RECEPTION_OFFICER]
    token, _ = Token.objects.get_or_create(user=officer)
    headers = {"Authorization": f"Token {token.key}"}
    operations = _operations()
    assert len(operations) >= 9
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        check()
