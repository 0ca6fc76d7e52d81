"""The machinery of the URL walker (gonghui/tests/test_urls_404.py): how a URL pattern is sampled, and the
walk over the URLconf.

The 18F/tock pattern (tock/tests/test_url_auth.py), extended from "anonymous" to "cadre of another subtree":
every pattern of the URLconf has a `Sample` saying how to test it. Each app declares the samples of its own
URLs, the world objects they name and the outside texts they add in `gonghui/<app>/tests/walker.py`:

    SAMPLES: dict[str, Sample]       URL name (namespaced) or, for an unnamed pattern, its route → sample
    OUTSIDE_MARKERS: list[str]       texts only its outside objects carry (optional)
    def build(world) -> None         creates its outside objects (C2's subtree: K21, G2111) as attributes of
                                     `world` and their K11 counterparts on `world.inside`

The world starts with `tree` (gonghui/conftest.py's tree), `user` (outsider_k21, a cadre of K21) and
`inside.user` (insider_t111, a cadre of T111), the people every app's objects are made by. Apps build in
INSTALLED_APPS order, each from what it and the apps below it built; a sample is evaluated after the whole
world is built.

Only Django and gonghui.common here: every app's walker imports it.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The K11 cadres the walker logs in as: every business role, and each of the three administrators (三权分立),
# so that the 404s come from scoping and not from a missing role.
CADRES = {
    "business": ("operator", "approver", "org_admin", "pii_viewer"),
    "sysadmin": ("sysadmin",),
    "secadmin": ("secadmin",),
    "auditor": ("auditor",),
}
ALL = frozenset(CADRES)
ACCOUNT_ADMINS = frozenset({"sysadmin", "secadmin"})
ORG_ADMINS = frozenset({"business"})  # org_admin: add, import, move/dissolve/merge
MEMBER_EDITORS = frozenset({"business"})  # operator, org_admin: enter, import, transfer members

NO_DELETE = "deletion disabled for everyone (ScopedAdmin.has_delete_permission is False)"
NO_ADD = "adding disabled for everyone (read-only in the back office)"
WORKER_PAGES = "worker pages (/w/): a cadre account is not a worker account; 404 for every cadre"

World = SimpleNamespace
KINDS = {"object", "list", "closed", "reference", "open"}


@dataclass
class Sample:
    """How to test one URL pattern.

    kind:
      object    - kwargs name an object outside the subtree: GET (and POST) must answer 404.
      list      - no object: 200 for the cadres in `roles` (404 for the others, never 403 or 302)
                  on every query, no outside text (OUTSIDE_MARKERS and `hides`), and `shows` (an
                  inside text) on the first query. `probes` are query strings naming an outside
                  object (404 expected).
      closed    - 404 for everyone whatever the object (`reason` says why): checked with the outside
                  object and with `inside`, an object of the cadre's own subtree, so that the 404 is
                  not mistaken for scoping.
      reference - reference data the same for everyone (GB/T 2260 regions): `expect` for every cadre.
      open      - login, logout, two-factor, static, OpenAPI: not scoped; `reason` says why.
    """

    kind: str
    kwargs: Callable[[World], dict] | None = None
    # POST-only endpoints (get=False) are not requested by GET; an API endpoint posts `body` as JSON.
    get: bool = True
    body: Callable[[World], dict] | None = None
    queries: list[Callable[[World], str]] = field(default_factory=lambda: [lambda w: ""])
    probes: list[Callable[[World], str]] = field(default_factory=list)
    post: bool = True
    follow: bool = False
    path: Callable[[World], str] | None = None
    reason: str = ""
    roles: frozenset[str] = ALL
    hides: list[str] = field(default_factory=list)
    shows: str | None = None
    inside: Callable[[World], dict] | None = None
    inside_path: Callable[[World], str] | None = None
    expect: int = 200


def obj(kwargs, *, post=True, follow=False, path=None, reason="", get=True, body=None) -> Sample:
    return Sample("object", kwargs=kwargs, post=post, follow=follow, path=path, reason=reason, get=get, body=body)


def lst(kwargs=None, *, roles=ALL, queries=None, probes=None, hides=None, shows=None) -> Sample:
    return Sample("list", kwargs=kwargs, roles=roles, queries=queries or [lambda w: ""], probes=probes or [],
                  hides=hides or [], shows=shows)


def closed(reason, kwargs=None, *, inside=None, path=None, inside_path=None) -> Sample:
    return Sample("closed", kwargs=kwargs, inside=inside, path=path, inside_path=inside_path, reason=reason)


def open_(reason) -> Sample:
    return Sample("open", reason=reason)


def reference(reason, kwargs=None, *, expect=200) -> Sample:
    return Sample("reference", kwargs=kwargs, reason=reason, expect=expect)


def admin_model(model: str, attr: str, *, roles, hides, shows, add_roles=None, extra_queries=None, probes=None
                ) -> dict[str, Sample]:
    """The standard admin URLs of one model ("<app label>_<model name>"); `attr` names its outside object in
    the world (and its inside counterpart in world.inside). `roles` may read the model, `add_roles` add
    (None: nobody)."""
    by_id = lambda w: {"object_id": getattr(w, attr).pk}  # noqa: E731
    inside_id = lambda w: {"object_id": getattr(w.inside, attr).pk}  # noqa: E731
    app, name = model.split("_", 1)
    return {
        f"admin:{model}_changelist": lst(roles=roles, hides=hides, shows=shows, probes=probes,
                                         queries=[lambda w: "", lambda w: "?q=纺织", *(extra_queries or [])]),
        f"admin:{model}_add": lst(roles=add_roles) if add_roles else closed(NO_ADD),
        f"admin:{model}_history": obj(by_id),
        f"admin:{model}_delete": closed(NO_DELETE, by_id, inside=inside_id),
        f"admin:{model}_change": obj(by_id),
        f"admin/{app}/{name}/<path:object_id>/": obj(by_id, follow=True),
    }


def reference_model(model: str, attr: str, reason: str, *, add: str, delete: str, inside_attr: str | None = None
                    ) -> dict[str, Sample]:
    """The admin URLs of a model of reference data, the same for everyone (read by every cadre; `add` and
    `delete` say why those are closed to all). `attr` names one of its rows in the world, `inside_attr` one
    in world.inside if the rows belong to places (else the deletion is checked with the same row)."""
    by_id = lambda w: {"object_id": getattr(w, attr).pk}  # noqa: E731
    inside_id = (lambda w: {"object_id": getattr(w.inside, inside_attr).pk}) if inside_attr else by_id
    app, name = model.split("_", 1)
    return {
        f"admin:{model}_changelist": reference(reason),
        f"admin:{model}_add": closed(add),
        f"admin:{model}_history": reference(reason, by_id),
        f"admin:{model}_delete": closed(delete, by_id, inside=inside_id),
        f"admin:{model}_change": reference(reason + " (read-only page)", by_id),
        f"admin/{app}/{name}/<path:object_id>/": reference(reason, by_id, expect=302),
    }


def walk(patterns=None, prefix: str = "", namespace: str | None = None):
    """(key, route, pattern) for every URL pattern (of the project's URLconf by default), through includes;
    key is the namespaced name, or the route for unnamed patterns."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            key = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else route
            yield key, route, p


def all_urls() -> dict[str, str]:
    return {key: route for key, route, _ in walk()}


def build_path(key: str, route: str, sample: Sample, world, *, inside: bool = False) -> str:
    """The sample's URL with its outside object, or (inside=True) with its inside object."""
    path, kwargs_of = (sample.inside_path, sample.inside) if inside else (sample.path, sample.kwargs)
    if path:
        return path(world)
    kwargs = kwargs_of(world) if kwargs_of else {}
    if key != route:
        return reverse(key, kwargs=kwargs)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


def text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    if "json" in content_type:
        # JSON escapes non-ASCII; compare against the decoded text.
        return json.dumps(json.loads(response.content), ensure_ascii=False)
    if "html" in content_type or "text" in content_type:
        return response.content.decode()
    return ""
