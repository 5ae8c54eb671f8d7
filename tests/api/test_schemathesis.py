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


def test_api_never_answers_with_a_server_error(world):
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
