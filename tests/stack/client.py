"""A small HTTP client of the API, as an integrating system or a counter would use it."""

import io
import time

import requests

PASSWORD = "motcua-demo"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def token(base: str, username: str) -> str:
    answer = requests.post(
        f"{base}/api/v1/auth/token/", data={"username": username, "password": PASSWORD}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()["token"]


def session(tok: str) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Token {tok}"
    return s


def intake(s: requests.Session, base: str, name: str, phone: str, body: bytes = PDF, **extra):
    return s.post(
        f"{base}/api/v1/dossiers/",
        data={
            "procedure": "1.001193",
            "applicant.name": name,
            "applicant.phone": phone,
            "applicant.email": extra.pop("email", ""),
            **extra,
        },
        files=[("files", ("to-khai.pdf", io.BytesIO(body), "application/pdf"))],
        timeout=60,
    )


def act(s: requests.Session, base: str, code: str, action: str, files=None, **body):
    if files:
        return s.post(
            f"{base}/api/v1/dossiers/{code}/actions/{action}/", data=body, files=files, timeout=60
        )
    return s.post(f"{base}/api/v1/dossiers/{code}/actions/{action}/", json=body, timeout=60)


def lookup(base: str, code: str, phone: str) -> dict:
    answer = requests.get(f"{base}/api/v1/lookup/{code}", params={"phone": phone[-4:]}, timeout=30)
    assert answer.status_code == 200, (base, answer.status_code, answer.text[:200])
    return answer.json()


def wait_for(check, timeout: float = 60, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)
