"""The scope matrix, generated from the URL resolver: every route of the staff site, the
citizen's account, the API and the admin, requested by every demo role held in another unit,
by another citizen and by nobody, aimed at a dossier, file, payment, feedback or account of
one commune and its citizen. Nothing of theirs may show, nothing may change, nothing may
answer 500. A new route fails here until it is listed as public or given its arguments."""

from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation

import tests.world as demo
from motcua.org.selectors import org_tree, province_name

from .cases import CASES
from .routes import PUBLIC, Case, Probe, Route, admin_case, model_admin_of, site_routes
from .targets import Targets, build, changed, markers_in, shown_text, snapshot

ROUTES: dict[str, Route] = {r.key: r for r in site_routes()}

# Leaks found and not yet fixed: route key -> what leaks. Each is an expected failure, strict,
# so that the fix makes it pass and the entry must then go.
KNOWN_LEAKS: dict[str, str] = {}

UNCONSIDERED = (
    "{routes}: not in the scope matrix. Add each to PUBLIC in tests/security/routes.py with "
    "the reason it needs no permission, or to CASES in tests/security/cases.py with arguments "
    "naming another unit's or person's object (and, for a new admin model, give it an object "
    "in targets._admin_objects)."
)


def case_for(route: Route) -> Case | None:
    if route.key in CASES:
        return CASES[route.key]
    found = model_admin_of(route)
    return admin_case(route, found.model._meta.label) if found is not None else None


@pytest.fixture(scope="module")
def targets(django_db_setup, django_db_blocker, tmp_path_factory):
    """One province for the whole module, rolled back at its end; each test's own changes
    are rolled back to it (pytest-django's savepoint)."""
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        translation.activate("vi")
        org_tree.cache_clear()
        province_name.cache_clear()
        built = build(demo.world.__wrapped__(None))
        # Signed in once: the sessions are rows of this module's data, so each test's
        # clients start signed in, whatever an earlier test did to its own session.
        everyone = {**built.requesters, **built.personas}
        sessions.update({who: _signed_in(user) for who, user in everyone.items()})
        yield built
        sessions.clear()
        _clients.clear()
        transaction.set_rollback(True)
        translation.deactivate()


def test_every_route_is_public_or_in_the_matrix(targets):
    unconsidered = sorted(k for k, r in ROUTES.items() if k not in PUBLIC and not case_for(r))
    assert not unconsidered, UNCONSIDERED.format(routes=", ".join(unconsidered))
    stale = sorted((set(PUBLIC) | set(CASES)) - set(ROUTES))
    assert not stale, f"{stale}: no such route any more; remove them from routes.py or cases.py"
    models = sorted(m._meta.label for m in admin.site._registry)
    aimless = [m for m in models if m not in targets.admin_objects]
    assert not aimless, UNCONSIDERED.format(routes=f"the admin pages of {', '.join(aimless)}")


def _params():
    for key in ROUTES:
        if key in PUBLIC and key not in CASES:
            continue
        marks = (
            [pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[key])] if key in KNOWN_LEAKS else []
        )
        yield pytest.param(key, marks=marks, id=key)


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(_params()))
def test_route_leaks_nothing_outside_scope(targets, key):
    route = ROUTES[key]
    case = case_for(route)
    if case is None:
        pytest.fail(UNCONSIDERED.format(routes=key))
    probes = case.probes(targets)
    problems = _sweep(route, case, probes, targets)
    if case.rightful:
        problems += _control(route, case, probes, targets)
    assert not problems, "\n".join(problems)


sessions: dict[str, str | None] = {}  # requester or persona -> session key (None: anonymous)


def _signed_in(user) -> str | None:
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


_clients: dict[str, Client] = {}


def _client(who: str) -> Client:
    """The requester's client with only his session cookie. Clients are kept: each one loads
    the middleware once (WhiteNoise indexes the static files then), not on every test."""
    client = _clients.setdefault(who, Client(raise_request_exception=False))
    client.cookies = SimpleCookie()
    if sessions[who] is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[who]
    return client


def _send(client: Client, method: str, url: str, probe: Probe, case: Case, t: Targets):
    if method == "GET":
        return client.get(url)
    data = probe.body(t) if probe.body else {}
    if case.json:
        return client.post(url, data=data, content_type="application/json")
    return client.post(url, data)


def _failure(response) -> str:
    info = getattr(response, "exc_info", None)
    return f"{info[0].__name__}: {info[1]}" if info else ""


def _sweep(route: Route, case: Case, probes: list[Probe], t: Targets) -> list[str]:
    """Every requester without scope, every probe and method: refusals only. The targets are
    read again after each POST that was not refused (and once at the end, for any other)."""
    problems = []
    base = t.identity_markers() if case.public else t.secret_markers()
    methods = ("GET",) if case.public else case.methods
    clients = {who: _client(who) for who in t.requesters}
    last = snapshot(t)
    for probe in probes:
        url = probe.url(route)
        markers = [m for m in (*base, *probe.extra) if m not in probe.echoes]
        for who, client in clients.items():
            for method in methods:
                where = f"{method} {url} as {who}"
                response = _send(client, method, url, probe, case, t)
                status = response.status_code
                if status >= 500:
                    problems.append(f"{where}: {status} {_failure(response)}")
                elif 200 <= status < 300 and (found := markers_in(shown_text(response), markers)):
                    problems.append(f"{where}: {status} shows {found}")
                if method == "POST" and 200 <= status < 400:
                    now = snapshot(t)
                    if diff := changed(last, now):
                        problems.append(f"{where}: {status} changed {diff}")
                    last = now
    if diff := changed(last, snapshot(t)):
        problems.append(f"{route.key}: a refused request or a GET changed {diff}")
    return problems


def _control(route: Route, case: Case, probes: list[Probe], t: Targets) -> list[str]:
    """The rightful persona reaches each target: the probes name real objects, the markers
    are found where they are shown, and the POST bodies are good enough to change a target —
    so the refusals above are refusals of a request that would have worked."""
    problems, shown, did_change = [], False, False
    client = _client(case.rightful)
    for probe in (p for p in probes if p.control):
        url = probe.url(route)
        for method in case.methods if case.control_post else ("GET",):
            where = f"{method} {url} as the rightful {case.rightful}"
            before = snapshot(t) if method == "POST" else None
            response = _send(client, method, url, probe, case, t)
            status = response.status_code
            refused = status in (401, 403, 404, 405) or status >= 500
            if refused or (method == "GET" and status >= 400):
                problems.append(
                    f"{where}: {status} {_failure(response)} — the probe does not reach its "
                    "target; fix its arguments in tests/security/cases.py"
                )
            markers = [m for m in (*t.secret_markers(), *probe.extra) if m not in probe.echoes]
            if 200 <= status < 300 and markers_in(shown_text(response), markers):
                shown = True
            if before is not None and changed(before, snapshot(t)):
                did_change = True
    if case.shows and not shown:
        problems.append(f"{route.key}: the rightful {case.rightful} saw no marker in any answer")
    if case.changes and not did_change:
        problems.append(f"{route.key}: the rightful {case.rightful}'s POST changed nothing")
    return problems


@pytest.mark.django_db
def test_requesters_are_signed_in_and_outside_the_targets_scope(targets):
    """The matrix's premise: each requester is who he says, and none may see a target."""
    from django.contrib.auth import get_user

    from motcua.dossiers.selectors import can_view

    for who, user in {**targets.requesters, **targets.personas}.items():
        request = _client(who).get("/").wsgi_request
        assert get_user(request).pk == getattr(user, "pk", None), who
    for who, user in targets.requesters.items():
        if user is not None:
            assert not [d.pk for d in targets.dossiers if can_view(user, d)], who
    assert all(can_view(targets.personas["owner"], d) for d in targets.dossiers)
    assert can_view(targets.personas["reception"], targets.processing)


@pytest.mark.django_db
def test_the_matrix_reports_a_view_that_forgot_its_check(targets, monkeypatch):
    """The sweep can fail: with the staff site's scope taken off the dossier page, and the
    ownership off the citizen's file download, it names the requesters and what they saw."""
    from motcua.backoffice import queues
    from motcua.dossiers.models import Dossier
    from motcua.portal import selectors

    monkeypatch.setattr(queues, "base", lambda user: Dossier.objects.all())
    monkeypatch.setattr(
        selectors, "my_dossier", lambda user, reference: Dossier.objects.get(reference=reference)
    )
    staff, files = CASES["backoffice:dossier"], CASES["portal:my_file"]
    found = _sweep(ROUTES["backoffice:dossier"], staff, staff.probes(targets), targets)
    assert any("as supervisor of another commune: 200 shows" in p for p in found), found
    found = _sweep(ROUTES["portal:my_file"], files, files.probes(targets), targets)
    assert any("as another citizen: 200 shows ['MATRIX-SCAN-7731'" in p for p in found), found
