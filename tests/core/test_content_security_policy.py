"""Every HTML page carries a Content-Security-Policy that allows no inline script or style, and
no page needs one: a crawl of the public and staff sites reads each page it can reach."""

import re
from urllib.parse import urljoin, urlparse

import pytest

from motcua.dossiers.models import State
from tests.world import bring_to, pdf_upload

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="([^"#]+)"')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(
    r"<(?!svg|path|rect|g |line|text|circle|polyline)[a-z]+[^>]*\sstyle=", re.I
)
SKIP = ("/static/", "/dang-xuat", "/logout", "/i18n/", "/thanh-toan/", "/quan-tri/")


def _crawl(client, start: list[str], limit: int = 120) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            seen[url] = ""
            continue
        body = response.content.decode()
        seen[url] = response.get("Content-Security-Policy", "MISSING")
        _check_page(url, body)
        for href in LINK.findall(body):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlparse(target)
            if parts.netloc or any(s in parts.path for s in SKIP):
                continue
            if target.endswith((".pdf", ".xlsx", ".zip")) or "xuat" in target:
                continue
            queue.append(target)
    return seen


def _check_page(url: str, body: str) -> None:
    assert not INLINE_SCRIPT.search(body), f"inline script on {url}"
    assert not HANDLER.search(body), f"inline event handler on {url}"
    found = STYLE_ATTRIBUTE.search(body)
    assert not found, f"style attribute on {url}: {found.group(0)[:120]}"


def _assert_policies(pages: dict[str, str]) -> None:
    html = {url: policy for url, policy in pages.items() if policy}
    assert len(html) > 10
    for url, policy in html.items():
        assert "script-src 'self'" in policy, url
        assert "style-src 'self'" in policy, url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        assert "frame-ancestors 'none'" in policy, url


def test_public_pages(client, world):
    bring_to(world, State.RECEIVED)
    pages = _crawl(client, ["/", "/thu-tuc/", "/tra-cuu/", "/phan-anh/", "/tai-khoan/dang-nhap/"])
    _assert_policies(pages)


def test_staff_pages(client, world):
    dossier = world.receive(files=[pdf_upload()])
    bring_to(world, State.PROCESSING)
    client.force_login(world.staff["supervisor"])
    pages = _crawl(client, ["/can-bo/", "/can-bo/giam-sat/"], limit=80)
    client.force_login(world.staff["reception_officer"])
    pages |= _crawl(client, ["/can-bo/", f"/can-bo/ho-so/{dossier.code}/"], limit=80)
    _assert_policies(pages)


def test_api_docs_load_their_script_from_a_file(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    _check_page("/api/v1/docs/", response.content.decode())
    assert "unsafe-inline" not in response["Content-Security-Policy"]
