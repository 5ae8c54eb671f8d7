"""A database that cannot be reached answers 503 with Retry-After; other faults stay 500."""

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def _down(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def _bug(*args, **kwargs):
    raise RuntimeError("a bug")


@pytest.fixture
def browser_client():
    return Client(raise_request_exception=False)


def test_a_page_while_the_database_is_down(browser_client, monkeypatch):
    monkeypatch.setattr("motcua.catalog.selectors.procedure_list", _down)
    response = browser_client.get("/thu-tuc/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "Tạm thời gián đoạn" in response.content.decode()


def test_the_api_while_the_database_is_down(browser_client, monkeypatch):
    monkeypatch.setattr("motcua.api.views.procedure_list", _down)
    response = browser_client.get("/api/v1/procedures/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "gián đoạn" in response.json()["detail"]


def test_any_other_fault_is_still_a_500(browser_client, monkeypatch):
    monkeypatch.setattr("motcua.catalog.selectors.procedure_list", _bug)
    response = browser_client.get("/thu-tuc/")
    assert response.status_code == 500 and "Retry-After" not in response
