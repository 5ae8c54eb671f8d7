"""Every route of the site, read from the URL resolver; the public ones with the reason they
need no permission; how a route is requested (probes), and the admin's pages of each model
aimed at that model's target object. The other routes' probes are in `cases`."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from .targets import Targets, admin_markers


@dataclass(frozen=True)
class Route:
    key: str  # the namespaced name, or namespace and pattern for an unnamed route
    pattern: str  # the whole pattern, prefixes included
    callback: Callable


def _walk(resolver, prefix="", namespaces=()):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            full = prefix + str(entry.pattern)
            key = ":".join((*namespaces, entry.name or full))
            yield Route(key, full, entry.callback)


def site_routes() -> list[Route]:
    return list(_walk(get_resolver()))


def fill(pattern: str, values: dict) -> str:
    """The path of `pattern` (path converters or regex groups) with `values` put in."""

    def value(match):
        return str(values[match.group(1)])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", value, path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


# --- the routes that need no permission ----------------------------------------------------

PUBLIC = {
    "ops:healthz": "liveness probe for the load balancer: says only 'ok'",
    "ops:readyz": "readiness probe: the state of the database, cache and queue, no data",
    "ops:metrics": "limited to the monitoring addresses or token; counters without data",
    "api:schema": "the OpenAPI description of the API",
    "api:docs": "the API's documentation page",
    "api:token": "the staff's sign-in to the API (throttled, locked after wrong passwords)",
    "api:procedures": "the public catalog of procedures",
    "api:procedure": "one procedure of the public catalog",
    "api:lookup": "the public lookup: code and the phone's last 4 digits, progress only",
    "oidc_authentication_callback": "the identity provider's return, checked by its state",
    "oidc_authentication_init": "starts a sign-in at the national identity provider",
    "oidc_logout": "signs the visitor out",
    "payments:ipn": "the gateway's notice, accepted only with its signature",
    "notify:esms_receipt": "the SMS gateway's receipt: with the callback token, marks a known "
    "message delivered; nothing else",
    "notify:zalo_events": "Zalo's events, accepted only with the OA's signature",
    "notify:sms_mo": "what a citizen texts to the short number: answered with a dossier's "
    "state only for the code and the sender's own number, like the public lookup",
    "payments:return": "the gateway's return, shown only with its signature",
    "payments:sandbox": "the development gateway (404 in production), signed requests only",
    "set_language": "switches the visitor's language",
    "admin:login": "the staff sign-in (the same page as /can-bo/dang-nhap/)",
    "admin:logout": "signs the visitor out",
    "org:login": "the staff sign-in",
    "org:logout": "signs the visitor out",
    "portal:home": "the portal's home page",
    "portal:lookup": "the public lookup: code and the phone's last 4 digits, progress only",
    "portal:rate_by_code": "rating a finished dossier by its code and phone digits",
    "portal:procedure_list": "the public catalog",
    "portal:procedure_print": "the public catalog, printable",
    "portal:procedure_detail": "one procedure of the public catalog",
    "portal:life_event": "the catalog by life event",
    "portal:sign_up": "a citizen's sign-up",
    "portal:sign_in": "a citizen's sign-in",
    "portal:sign_out": "signs the visitor out",
    "portal:feedback_list": "feedback its senders agreed to publish, with the answers",
    "portal:feedback_new": "anyone may send feedback",
    "portal:feedback_detail": "the sender's page: its unguessable link is the key",
    "portal:verify": "anyone checks a PDF: issued here or not, its signatures; nothing personal "
    "(tests/portal/test_verify.py), nothing stored, rate-limited",
    "portal:verify_token": "a form's verification code: the form, time, agency and procedure "
    "it names, nothing personal (tests/portal/test_verify.py)",
}


# --- how the others are requested ----------------------------------------------------------

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")


@dataclass(frozen=True)
class Probe:
    """One request: the route's arguments, a query string, a POST body (a callable, since
    uploads are read once), markers of this probe, and markers it echoes from its own input."""

    kwargs: dict = field(default_factory=dict)
    query: str = ""
    body: Callable[[Targets], dict] | None = None
    extra: tuple = ()
    echoes: tuple = ()
    control: bool = True  # the rightful persona reaches it (False: nobody may, by design)

    def url(self, route: Route) -> str:
        path = fill(route.pattern, self.kwargs)
        return f"{path}?{self.query}" if self.query else path


@dataclass(frozen=True)
class Case:
    probes: Callable[[Targets], list[Probe]]
    methods: tuple = GET
    rightful: str | None = None  # a persona of Targets.personas
    changes: bool = False  # the rightful persona's POST changes a target
    shows: bool = False  # the rightful persona's answers show a marker
    json: bool = False
    public: bool = False  # no permission needed: only the applicant's identity must not show
    control_post: bool = True  # the rightful persona also posts (False: GET only)


def one(**kwargs) -> Callable[[Targets], list[Probe]]:
    return lambda t: [Probe(**kwargs)]


# --- the admin's pages of each model -------------------------------------------------------


def model_admin_of(route: Route):
    """The ModelAdmin behind an admin route, if any (Django marks its wrapped views)."""
    view = route.callback
    found = getattr(view, "model_admin", None)
    bound = getattr(getattr(view, "__wrapped__", None), "__self__", None)
    if found is None and isinstance(bound, admin.ModelAdmin):
        found = bound
    if found is None and route.key.startswith("admin:") and "<path:object_id>/" in route.pattern:
        # The bare object address redirects to its change page: named by its model's path.
        app, model = route.pattern.split("/")[1:3]
        found = next(
            (
                a
                for m, a in admin.site._registry.items()
                if (m._meta.app_label, m._meta.model_name) == (app, model)
            ),
            None,
        )
    return found


def admin_case(route: Route, label: str) -> Case:
    """Every page of a model's admin, aimed at the target object of that model."""
    name = route.key.removeprefix("admin:")
    object_args = {"object_id", "id", "pk"} & set(re.findall(r"<(?:\w+:)?(\w+)>", route.pattern))

    def probes(t: Targets) -> list[Probe]:
        obj = t.admin_objects[label]
        kwargs = {arg: obj.pk for arg in object_args}
        markers = tuple(admin_markers(label, obj))
        if name.endswith("_add"):
            return [Probe(body=lambda t: {}, control=False)]
        if name.endswith("_delete"):
            return [Probe(kwargs, body=lambda t: {"post": "yes"}, extra=markers, control=False)]
        if name == "auth_user_password_change":
            body = {"password1": "Mat-khau-Matrix-7731", "password2": "Mat-khau-Matrix-7731"}
            return [Probe(kwargs, body=lambda t: body, extra=markers)]
        if name == "catalog_export":
            return [Probe({"fmt": fmt}, extra=markers) for fmt in ("json", "xlsx")]
        return [Probe(kwargs, body=lambda t: {}, extra=markers)]

    # Posted to: what deletes, sets a password or imports. The add and change forms are only
    # read (their pages show what they would change; an empty post changes nothing).
    writes = name.endswith(("_delete", "_password_change")) or name == "catalog_import"
    # The superuser only reads: the read-only admins refuse even him any write.
    return Case(probes, BOTH if writes else GET, rightful="superuser", control_post=False)
