"""Every URL of the project, walked as a cadre of another subtree (R-AZ-1, R-AZ-2).

The 18F/tock pattern (tock/tests/test_url_auth.py), extended from "anonymous" to "cadre of
another subtree": every pattern of the URLconf (admin, unfold actions, API, accounts) must have an
entry in SAMPLES saying how to test it. A URL that takes an object is requested with an object
outside the cadre's subtree and must answer 404 to GET and POST (never 403, never 200). A URL
without an object must not show any outside row. A new URL without a sample fails
test_every_url_has_a_sample, telling the developer to add one.
"""

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from gonghui.accounts.models import User
from gonghui.common import audit, uscc
from gonghui.common.models import AuditEntry, ImportJob, Region
from gonghui.conftest import login, make_cadre
from gonghui.orgs.models import Employer, Org, OrgEvent

# Text that only outside rows carry: the C2 subtree (芜湖/镜湖), the K12 sibling (庐阳) and the
# outside account. The cadres below belong to K11, so none of these may reach them.
OUTSIDE_MARKERS = ["芜湖", "镜湖", "庐阳", "outsider_k21"]


@dataclass
class Sample:
    """How to test one URL pattern.

    kind:
      object    - kwargs name an object outside the subtree: GET (and POST) must answer 404.
      list      - no object: outside rows must not appear; status 200/302, or 404 for an account
                  lacking the role; never 403. `probes` are query strings naming an outside object
                  (404 expected).
      reference - reference data the same for everyone (GB/T 2260 regions): any cadre may read it.
      open      - login, logout, two-factor, static, OpenAPI: not scoped; `reason` says why.
    """

    kind: str
    kwargs: Callable[[SimpleNamespace], dict] | None = None
    queries: list[Callable[[SimpleNamespace], str]] = field(default_factory=lambda: [lambda w: ""])
    probes: list[Callable[[SimpleNamespace], str]] = field(default_factory=list)
    post: bool = True
    follow: bool = False
    path: Callable[[SimpleNamespace], str] | None = None
    reason: str = ""


def obj(kwargs, *, post=True, follow=False, path=None):
    return Sample("object", kwargs=kwargs, post=post, follow=follow, path=path)


def lst(kwargs=None, *, queries=None, probes=None):
    return Sample("list", kwargs=kwargs, queries=queries or [lambda w: ""], probes=probes or [])


def open_(reason):
    return Sample("open", reason=reason)


def _admin_model(model: str, attr: str, *, extra_queries=None) -> dict[str, Sample]:
    """The standard admin URLs of one model; `attr` names its outside object in the world."""
    by_id = lambda w: {"object_id": getattr(w, attr).pk}  # noqa: E731
    app, name = model.split("_", 1)
    return {
        f"admin:{model}_changelist": lst(queries=[lambda w: "", lambda w: "?q=纺织", *(extra_queries or [])]),
        f"admin:{model}_add": lst(),
        f"admin:{model}_history": obj(by_id),
        f"admin:{model}_delete": obj(by_id),
        f"admin:{model}_change": obj(by_id),
        f"admin/{app}/{name}/<path:object_id>/": obj(by_id, follow=True),
    }


SAMPLES: dict[str, Sample] = {
    "": open_("redirects to /admin/"),
    "accounts:two_factor": open_("auth: the second factor of the account itself"),
    "accounts:logout": open_("auth: ends the session of the account itself"),
    "admin:login": open_("auth"),
    "admin:logout": open_("auth"),
    "admin:password_change": open_("auth: the account's own password"),
    "password_change": open_("auth: the account's own password (our view in place of the admin's)"),
    "admin:password_change_done": open_("auth"),
    "admin:jsi18n": open_("static: JavaScript translations"),
    "api:openapi-json": open_("public: the API description, no data"),
    "api:openapi-view": open_("public: the API documentation page, no data"),
    "api:api-root": open_("public: the API root, no data"),
    "admin:index": lst(),
    "admin:search": lst(queries=[lambda w: "?s=纺织", lambda w: "?s=纺织&extended=1", lambda w: "?s=G2111",
                                 lambda w: "?s=外部"]),
    "admin:autocomplete": lst(queries=[
        lambda w: "?app_label=orgs&model_name=org&field_name=parent&term=",
        lambda w: "?app_label=orgs&model_name=org&field_name=parent&term=湖",
        lambda w: "?app_label=accounts&model_name=user&field_name=org&term=",
        lambda w: "?app_label=accounts&model_name=user&field_name=org&term=G2111",
    ]),
    "admin:app_list": lst(kwargs=lambda w: {"app_label": "orgs"}),
    "admin:view_on_site": obj(lambda w: {"content_type_id": ContentType.objects.get_for_model(Org).pk,
                                         "object_id": w.org.pk}),
    "admin/(?P<url>.*)$": obj(None, path=lambda w: f"/admin/no-such-page/{w.org.pk}/"),
    # Organizations: the unfold detail actions and the tree.
    "admin:orgs_org_tree": lst(probes=[lambda w: f"?parent={w.org.pk}", lambda w: f"?parent={w.grassroots.pk}"]),
    "admin:orgs_org_import": lst(),
    "admin:orgs_org_import_status": obj(lambda w: {"job_id": w.job.pk}),
    "admin:orgs_org_import_errors": obj(lambda w: {"job_id": w.job.pk}),
    "admin:orgs_org_move_view": obj(lambda w: {"object_id": w.org.pk}),
    "admin:orgs_org_dissolve_view": obj(lambda w: {"object_id": w.grassroots.pk}),
    "admin:orgs_org_merge_view": obj(lambda w: {"object_id": w.grassroots.pk}),
    **_admin_model("orgs_org", "org"),
    **_admin_model("orgs_employer", "employer", extra_queries=[lambda w: f"?q={w.employer.uscc}"]),
    **_admin_model("orgs_orgevent", "event", extra_queries=[lambda w: "?q=G2111"]),
    **_admin_model("accounts_user", "user", extra_queries=[lambda w: "?q=outsider", lambda w: "?q=外部干部"]),
    **_admin_model("common_auditentry", "entry", extra_queries=[lambda w: "?q=外部审计标记",
                                                                  lambda w: "?q=outsider"]),
    # Regions: reference data (GB/T 2260), the same for everyone.
    "admin:common_region_changelist": Sample("reference", reason="GB/T 2260 reference data"),
    "admin:common_region_add": Sample("reference", reason="GB/T 2260 reference data (read-only)"),
    "admin:common_region_history": Sample("reference", kwargs=lambda w: {"object_id": w.region.pk},
                                          reason="GB/T 2260 reference data"),
    "admin:common_region_delete": Sample("reference", kwargs=lambda w: {"object_id": w.region.pk},
                                         reason="GB/T 2260 reference data (never deleted)"),
    "admin:common_region_change": Sample("reference", kwargs=lambda w: {"object_id": w.region.pk},
                                         reason="GB/T 2260 reference data"),
    "admin/common/region/<path:object_id>/": Sample("reference", kwargs=lambda w: {"object_id": w.region.pk},
                                                    reason="GB/T 2260 reference data"),
    # The API.
    "api:list_orgs": lst(queries=[lambda w: "?limit=1000", lambda w: "?q=纺织", lambda w: "?q=G2111",
                                  lambda w: "?kind=grassroots&limit=1000"],
                         probes=[lambda w: "?under=K21", lambda w: "?under=G2111"]),
    "api:get_org": obj(lambda w: {"code": w.org.code}, post=False),
}


def walk(patterns, prefix: str = "", namespace: str | None = None):
    """(key, route, pattern) for every URL pattern, through includes; key is the namespaced name,
    or the route for unnamed patterns."""
    for p in patterns:
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
    return {key: route for key, route, _ in walk(get_resolver().url_patterns)}


def build_path(key: str, route: str, sample: Sample, world) -> str:
    if sample.path:
        return sample.path(world)
    kwargs = sample.kwargs(world) if sample.kwargs else {}
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


@pytest.fixture
def world(tree):
    """The outside objects (C2's subtree) a K11 cadre must never reach, and inside ones for contrast."""
    cache.clear()  # unfold caches search results per user id, and ids repeat between tests
    outsider = make_cadre(tree["K21"], "operator", username="outsider_k21")
    User.objects.filter(pk=outsider.pk).update(full_name="芜湖外部干部")
    employer = Employer.objects.create(
        name="芜湖外部纺织有限公司", uscc=uscc.make("91", "340202", "MA0000001"), union=tree["G2111"],
        region_code="340202")
    inside_employer = Employer.objects.create(
        name="合肥内部机械有限公司", uscc=uscc.make("91", "340102", "MA0000002"), union=tree["G1111"],
        region_code="340102")
    entry = audit.record("update", actor=outsider, obj=tree["G2111"], object_repr="芜湖外部审计标记")
    job = ImportJob.objects.create(kind="orgs", created_by=outsider, org=tree["K21"], filename="芜湖导入.xlsx",
                                   status=ImportJob.Status.DONE, error_file="imports/none.xlsx")
    return SimpleNamespace(
        tree=tree, org=tree["K21"], grassroots=tree["G2111"], employer=employer, user=outsider,
        event=OrgEvent.objects.filter(org=tree["G2111"]).first(), entry=entry, job=job,
        region=Region.objects.get(code="340202", in_use=True), inside_employer=inside_employer,
    )


# The K11 cadres: every business role, and each of the three administrators (三权分立), so that the
# 404s come from scoping and not from a missing role.
CADRES = {
    "business": ("operator", "approver", "org_admin"),
    "sysadmin": ("sysadmin",),
    "secadmin": ("secadmin",),
    "auditor": ("auditor",),
}


def test_every_url_has_a_sample():
    """Done-when: a URL without an entry in SAMPLES fails CI (the tock pattern)."""
    urls = all_urls()
    missing = sorted(set(urls) - set(SAMPLES))
    assert not missing, (
        "These URL patterns have no entry in gonghui/orgs/tests/test_urls_404.py SAMPLES; add one saying "
        "how an outsider is tested (object kwargs outside the subtree, or list/open with a reason): "
        + ", ".join(f"{k!r} ({urls[k]})" for k in missing))
    stale = sorted(set(SAMPLES) - set(urls))
    assert not stale, f"SAMPLES names URLs that no longer exist: {stale}"
    for key, sample in SAMPLES.items():
        assert sample.kind in {"object", "list", "reference", "open"}, key
        assert sample.kind not in {"open", "reference"} or sample.reason, f"{key}: give the reason"


@pytest.mark.parametrize("who", list(CADRES))
def test_outsider_gets_404_on_every_url(world, client, who):
    """Done-when: a cadre of another subtree gets 404 (not 403, not 200) for every object URL, by
    GET and POST, and sees no outside row on any list, search, autocomplete or API list."""
    cadre = make_cadre(world.tree["K11"], *CADRES[who], username=f"k11_{who}")
    login(client, cadre)
    failures = []
    lists_seen = {}
    for key, route, _ in walk(get_resolver().url_patterns):
        sample = SAMPLES.get(key)
        if sample is None:
            failures.append(f"{key!r} ({route}) has no entry in SAMPLES: add one")
            continue
        if sample.kind == "open":
            continue
        url = build_path(key, route, sample, world)
        if sample.kind == "object":
            response = client.get(url, follow=sample.follow)
            if response.status_code != 404:
                failures.append(f"GET {url} ({key}): {response.status_code}, expected 404")
            if sample.post:
                response = client.post(url, {"name": "改名", "new_parent": world.tree["K11"].pk,
                                             "into": world.tree["K11"].pk, "reason": "测试", "post": "yes"},
                                       follow=sample.follow)
                if response.status_code != 404:
                    failures.append(f"POST {url} ({key}): {response.status_code}, expected 404")
        elif sample.kind == "reference":
            response = client.get(url)
            if response.status_code not in (200, 302, 404):
                failures.append(f"GET {url} ({key}): {response.status_code}")
        else:
            for query in sample.queries:
                response = client.get(url + query(world))
                if response.status_code not in (200, 302, 404):
                    failures.append(f"GET {url}{query(world)} ({key}): {response.status_code}")
                if response.status_code == 200:
                    lists_seen[key] = True
                body = text_of(response)
                for marker in OUTSIDE_MARKERS:
                    if marker in body:
                        failures.append(f"GET {url}{query(world)} ({key}) shows outside text {marker!r}")
            for probe in sample.probes:
                response = client.get(url + probe(world))
                if response.status_code != 404:
                    failures.append(f"GET {url}{probe(world)} ({key}): {response.status_code}, expected 404")
    assert not failures, "\n".join(failures)
    # The lists did render for this cadre (the test is not passing on empty error pages).
    assert lists_seen.get("admin:orgs_org_changelist") and lists_seen.get("api:list_orgs")
    if who == "auditor":
        assert lists_seen.get("admin:common_auditentry_changelist")
    if who in ("sysadmin", "secadmin"):
        assert lists_seen.get("admin:accounts_user_changelist")


@pytest.mark.parametrize("who, url_name, attr", [
    ("business", "admin:orgs_org_change", "K11"),
    ("business", "admin:orgs_org_move_view", "T111"),
    ("business", "admin:orgs_org_dissolve_view", "G1111"),
    ("business", "admin:orgs_org_merge_view", "G1111"),
    ("business", "admin:orgs_orgevent_change", "event"),
    ("business", "admin:orgs_employer_change", "employer"),
    ("secadmin", "admin:accounts_user_change", "user"),
    ("auditor", "admin:common_auditentry_change", "entry"),
])
def test_insider_reaches_the_same_urls(world, client, who, url_name, attr):
    """Done-when: the same URLs answer 200 for an object inside the subtree (the 404s above come
    from scoping, not from a broken page)."""
    cadre = make_cadre(world.tree["K11"], *CADRES[who], username=f"k11_{who}")
    login(client, cadre)
    tree = world.tree
    target = {
        "event": lambda: OrgEvent.objects.filter(org=tree["G1111"]).first(),
        "employer": lambda: world.inside_employer,
        "user": lambda: make_cadre(tree["T111"], "operator", username="inside_t111"),
        "entry": lambda: audit.record("update", actor=cadre, obj=tree["G1111"], object_repr="内部记录"),
    }.get(attr, lambda: tree[attr])()
    response = client.get(reverse(url_name, kwargs={"object_id": target.pk}))
    assert response.status_code == 200
    assert str(target) in response.content.decode() or target.__class__ is AuditEntry


def test_autocomplete_offers_only_the_subtree(world, client):
    """Done-when: admin autocomplete (R-AZ-2) returns the cadre's subtree and nothing else."""
    login(client, make_cadre(world.tree["K11"], "org_admin"))
    response = client.get("/admin/autocomplete/", {"app_label": "orgs", "model_name": "org",
                                                   "field_name": "parent", "term": ""})
    assert response.status_code == 200
    names = {r["text"] for r in response.json()["results"]}
    assert names == {"瑶海区总工会", "明光路街道总工会", "合肥瑶海机械有限公司工会", "明光路商圈联合工会"}
    response = client.get("/admin/autocomplete/", {"app_label": "orgs", "model_name": "org",
                                                   "field_name": "parent", "term": "镜湖"})
    assert response.json()["results"] == []


def test_export_of_outside_ids_exports_nothing(world, client):
    """Done-when: the export action with outside ids selected returns no outside row (R-AZ-2)."""
    login(client, make_cadre(world.tree["K11"], "operator"))
    response = client.post("/admin/orgs/org/", {
        "action": "export_xlsx", "_selected_action": [world.org.pk, world.grassroots.pk, world.tree["K11"].pk]})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd")
    values = [c.value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
    assert "瑶海区总工会" in values
    assert not any(isinstance(v, str) and ("芜湖" in v or "镜湖" in v) for v in values)


def test_admin_add_refuses_an_outside_parent(world, client):
    """Done-when: creating an org under a parent outside the subtree is refused (R-AZ-3)."""
    login(client, make_cadre(world.tree["K11"], "org_admin"))
    response = client.post("/admin/orgs/org/add/", {
        "code": "NEW1", "name": "新建工会", "kind": Org.Kind.GRASSROOTS, "parent": world.tree["T211"].pk,
        "region_code": "340202", "employee_count": "", "founded_on": "2024-01-01"})
    assert response.status_code == 200  # the form again, with the error
    assert not Org.objects.filter(code="NEW1").exists()


def test_anonymous_is_sent_to_login_everywhere(world, client):
    """Done-when: an anonymous request to any scoped URL is sent to the login page (admin) or
    answered 401 (API), the original tock assertion."""
    failures = []
    for key, route, _ in walk(get_resolver().url_patterns):
        sample = SAMPLES.get(key)
        if sample is None or sample.kind == "open":
            continue
        url = build_path(key, route, sample, world)
        response = client.get(url)
        if url.startswith("/api/"):
            ok = response.status_code == 401
        else:
            ok = response.status_code == 302 and "/admin/login/" in response["Location"]
        if not ok:
            failures.append(f"GET {url} ({key}): {response.status_code} {response.get('Location', '')}")
    assert not failures, "\n".join(failures)
