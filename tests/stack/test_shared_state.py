"""What two app servers must agree on lives in the shared cache and the database: a lockout
earned on one holds on the other, and both report not ready when Redis or PostgreSQL stops."""

import random

import pytest
import requests

from tests.stack.client import intake, session, token, wait_for

pytestmark = pytest.mark.usefixtures("db_access")


def test_a_lockout_holds_across_both_servers(stack):
    a, b = stack.app_urls
    for n in range(5):
        wrong = requests.post(
            f"{(a, b)[n % 2]}/api/v1/auth/token/",
            data={"username": "chuyenvien.stp", "password": "sai-mat-khau"},
            timeout=30,
        )
        assert wrong.status_code == 400
    for base in (a, b):
        right = requests.post(
            f"{base}/api/v1/auth/token/",
            data={"username": "chuyenvien.stp", "password": "motcua-demo"},
            timeout=30,
        )
        assert right.status_code == 429 and "tạm khóa" in right.json()["detail"]


def test_wrong_phone_digits_lock_a_code_on_both_servers(stack):
    a, b = stack.app_urls
    phone = "0987" + "".join(random.choice("0123456789") for _ in range(6))
    made = intake(session(token(a, "tiepnhan.p1")), a, "Trần Thị Khóa", phone)
    code = made.json()["code"]
    right = phone[-4:]
    wrong = [f"{d:04d}" for d in range(20) if f"{d:04d}" != right][:10]
    for n, digits in enumerate(wrong):
        answer = requests.get(
            f"{(a, b)[n % 2]}/api/v1/lookup/{code}", params={"phone": digits}, timeout=30
        )
        assert answer.status_code == 404
    for base in (a, b):
        refused = requests.get(f"{base}/api/v1/lookup/{code}", params={"phone": right}, timeout=30)
        assert refused.status_code == 429


@pytest.mark.parametrize("dependency", ["redis", "postgres"])
def test_readiness_follows_redis_and_the_database(stack, dependency):
    def ready(base: str) -> int:
        return requests.get(f"{base}/readyz", timeout=30).status_code

    # Each worker reuses its last round of checks for a second: wait for a fresh one.
    for base in stack.app_urls:
        assert wait_for(lambda b=base: ready(b) == 200, timeout=30), base
    stack[dependency].kill()
    try:
        for base in stack.app_urls:
            assert wait_for(lambda b=base: ready(b) == 503, timeout=30), base
            assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
    finally:
        stack.restart(dependency)
    for base in stack.app_urls:
        assert wait_for(lambda b=base: ready(b) == 200, timeout=60), base
