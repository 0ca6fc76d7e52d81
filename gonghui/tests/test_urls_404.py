"""Every URL of the project, walked as a cadre of another subtree (R-AZ-1, R-AZ-2).

Every pattern of the URLconf (admin, unfold actions, API, accounts, worker pages) must have a sample saying how
to test it (gonghui/common/tests/walking.py). A URL that takes an object is requested with an object outside
the cadre's subtree and must answer 404 to GET and POST (never 403, never 200). A URL without an object must
answer 200 to the roles that may use it, without any outside row but with the inside rows, and 404 to the
others. A URL that answers 404 to everyone is `closed` with its reason and checked with an inside object too,
so it does not pass for a scoping test. A new URL without a sample fails test_every_url_has_a_sample, which
names the walker file of the app that owns it.

Each app holds its samples, outside texts and world objects in `gonghui/<app>/tests/walker.py`, found through
`app_modules("tests.walker")`; this file holds only the samples of the site itself (the admin site's own pages,
the API's description) and the tests. Each sample object outside the subtree carries a distinctive text
(OUTSIDE_MARKERS), searched for in every body: with scoping removed, the lists show it and the object URLs
answer 200.
"""

import io
import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.common.contrib import app_modules
from gonghui.common.models import AuditEntry
from gonghui.common.tests.walking import (
    ALL,
    CADRES,
    KINDS,
    Sample,
    all_urls,
    build_path,
    closed,
    lst,
    open_,
    text_of,
    walk,
)
from gonghui.conftest import login, make_cadre

# The site's own URLs: the admin site's pages, and the API's description. No app owns them.
SITE_SAMPLES: dict[str, Sample] = {
    "": open_("redirects to /admin/"),
    "admin:login": open_("auth"),
    "admin:logout": open_("auth"),
    "admin:password_change": open_("auth: the account's own password"),
    "admin:password_change_done": open_("auth"),
    "admin:jsi18n": open_("static: JavaScript translations"),
    "api:openapi-json": open_("public: the API description, no data"),
    "api:openapi-view": open_("public: the API documentation page, no data"),
    "api:api-root": open_("public: the API root, no data"),
    "admin:index": lst(),
    # unfold's search looks through the navigation (no COMMAND search_models are configured); the
    # extended queries would look through rows if ever configured. The cache is cleared before each
    # query: unfold caches results per user and term, not per `extended`.
    "admin:search": lst(queries=[lambda w: "?s=用人单位", lambda w: "?s=纺织", lambda w: "?s=纺织&extended=1",
                                 lambda w: "?s=G2111&extended=1", lambda w: "?s=外部&extended=1",
                                 lambda w: "?s=外区专用&extended=1"],
                        shows="用人单位"),
    "admin:autocomplete": lst(queries=[
        lambda w: "?app_label=orgs&model_name=org&field_name=parent&term=",
        lambda w: "?app_label=orgs&model_name=org&field_name=parent&term=湖",
        lambda w: "?app_label=accounts&model_name=user&field_name=org&term=",
        lambda w: "?app_label=accounts&model_name=user&field_name=org&term=G2111",
        lambda w: "?app_label=members&model_name=member&field_name=org&term=",
        lambda w: "?app_label=members&model_name=member&field_name=org&term=湖",
    ], shows="瑶海区总工会"),
    "admin:app_list": lst(kwargs=lambda w: {"app_label": "orgs"}),
    "admin:view_on_site": closed(
        "Org has no get_absolute_url: Django's view-on-site shortcut answers 404 for every org",
        lambda w: {"content_type_id": ContentType.objects.get_for_model(w.org).pk, "object_id": w.org.pk},
        inside=lambda w: {"content_type_id": ContentType.objects.get_for_model(w.inside.org).pk,
                          "object_id": w.inside.org.pk}),
    "admin/(?P<url>.*)$": closed("no such page: the admin's catch-all answers 404 for everyone",
                                 path=lambda w: f"/admin/no-such-page/{w.org.pk}/",
                                 inside_path=lambda w: f"/admin/no-such-page/{w.inside.org.pk}/"),
}
SITE_FILE = "gonghui/tests/test_urls_404.py SITE_SAMPLES"

WALKERS = app_modules("tests.walker")


def _gather() -> tuple[dict[str, Sample], list[str], dict[str, str]]:
    """All samples (the site's and every app's), all outside texts, and which app label declared each key."""
    samples, markers, declared_by = dict(SITE_SAMPLES), [], dict.fromkeys(SITE_SAMPLES, "")
    for config, module in WALKERS:
        for key, sample in getattr(module, "SAMPLES", {}).items():
            assert key not in samples, f"{key!r}: sampled by {declared_by[key] or 'the site'} and {config.label}"
            samples[key], declared_by[key] = sample, config.label
        markers += getattr(module, "OUTSIDE_MARKERS", [])
    return samples, list(dict.fromkeys(markers)), declared_by


SAMPLES, OUTSIDE_MARKERS, DECLARED_BY = _gather()
PROJECT = __name__.split(".")[0]  # "gonghui": an app of the project owns URLs, Django's and unfold's are the site's


def _project_label(label: str) -> str:
    """`label` if it is one of the project's apps, else "" (Django's, unfold's: the site's)."""
    return label if label in apps.app_configs and apps.get_app_config(label).name.startswith(f"{PROJECT}.") else ""


def owner_of(key: str, route: str, pattern) -> str:
    """The label of the app that owns a URL pattern ("" for the site): the app of the model for the admin's
    model pages, the app whose router serves an API operation (at /api/v1/<label>/), else the app of the view."""
    for config in apps.get_app_configs():
        for model in config.get_models():
            name = model._meta.model_name
            if key.startswith(f"admin:{config.label}_{name}_") or route.startswith(f"admin/{config.label}/{name}/"):
                return _project_label(config.label)
    if key.startswith("api:"):
        return _project_label(route.removeprefix("api/v1/").split("/", 1)[0])
    config = apps.get_containing_app_config(getattr(pattern.callback, "__module__", ""))
    return _project_label(config.label) if config else ""


def walker_file(label: str) -> str:
    return f"{apps.get_app_config(label).name.replace('.', '/')}/tests/walker.py SAMPLES" if label else SITE_FILE


@pytest.fixture
def world(tree, settings, tmp_path):
    """The outside objects (C2's subtree) a K11 cadre must never reach, and inside ones for contrast: the tree,
    a cadre of each side, then every app's objects, built in INSTALLED_APPS order."""
    cache.clear()  # unfold caches search results per user id, and ids repeat between tests
    settings.MEDIA_ROOT = tmp_path / "media"
    world = SimpleNamespace(
        tree=tree, user=make_cadre(tree["K21"], "operator", "org_admin", username="outsider_k21"),
        inside=SimpleNamespace(user=make_cadre(tree["T111"], "operator", "org_admin", username="insider_t111")))
    for _, module in WALKERS:
        if hasattr(module, "build"):
            module.build(world)
    return world


def test_every_url_has_a_sample():
    """Issue 12: the URL walker still covers every URL; a URL without a sample fails, naming the walker file
    of the app that owns it (the tock pattern)."""
    owners = {key: owner_of(key, route, pattern) for key, route, pattern in walk()}
    urls = all_urls()
    missing = sorted(set(urls) - set(SAMPLES))
    assert not missing, (
        "These URL patterns have no sample; add one to the walker of the app that owns the URL, saying how an "
        "outsider is tested (object kwargs outside the subtree, or list/closed/open with a reason) — "
        + "; ".join(f"{k!r} ({urls[k]}) in {walker_file(owners[k])}" for k in missing))
    stale = sorted(set(SAMPLES) - set(urls))
    assert not stale, f"samples name URLs that no longer exist: {[(k, DECLARED_BY[k]) for k in stale]}"
    for key, sample in SAMPLES.items():
        assert sample.kind in KINDS, key
        assert sample.kind not in {"open", "reference", "closed"} or sample.reason, f"{key}: give the reason"
        assert sample.roles <= ALL, key
        if sample.kind == "list":
            assert sample.roles, f"{key}: a list nobody may read is `closed`, with its reason"


def test_each_app_samples_only_its_own_urls():
    """Issue 12: each app's walker samples only its own URLs (its models' admin pages, its API router's
    operations, its views), so that a sample cannot drift to another app's walker."""
    owners = {key: owner_of(key, route, pattern) for key, route, pattern in walk()}
    misplaced = [f"{key!r} is in {walker_file(label)}, belongs in {walker_file(owners[key])}"
                 for key, label in DECLARED_BY.items() if key in owners and owners[key] != label]
    assert not misplaced, "\n".join(misplaced)
    # The discovery did find every app's walker (an app of the project with URLs of its own has one).
    assert {c.label for c, _ in WALKERS} >= {label for label in owners.values() if label}


def test_every_changelist_is_covered():
    """Issue 12: every registered admin has its changelist sampled: read by some role, with a distinctive
    outside row it must hide and an inside row it must show, unless its sample declares reference data (the
    same for everyone, read by all)."""
    for model in admin.site._registry:
        key = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        sample = SAMPLES.get(key)
        assert sample is not None, f"{key}: no sample"
        if sample.kind == "reference":
            assert sample.expect == 200, key
            continue
        assert sample.kind == "list" and sample.roles, key
        assert sample.hides and sample.shows, f"{key}: name the outside row to hide and an inside row to show"


@pytest.mark.parametrize("who", list(CADRES))
def test_outsider_gets_404_on_every_url(world, client, who):
    """Issue 12 (the URL walker with every app's samples and outside data): a cadre of another subtree gets
    404 (not 403, not 200) for every object URL, by GET and POST, and sees no outside row on any list,
    search, autocomplete or API list."""
    cadre = make_cadre(world.tree["K11"], *CADRES[who], username=f"k11_{who}")
    login(client, cadre)
    form = {"name": "改名", "new_parent": world.tree["K11"].pk, "into": world.tree["K11"].pk, "reason": "测试",
            "post": "yes"}
    failures = []
    lists_seen = set()

    def expect_404(url, key, *, post, follow=False, what="outside", sample=None):
        get = sample is None or sample.get
        for method in [m for m, on in (("GET", get), ("POST", post)) if on]:
            if method == "GET":
                response = client.get(url, follow=follow)
            elif sample is not None and sample.body:
                response = client.post(url, json.dumps(sample.body(world)), content_type="application/json")
            else:
                response = client.post(url, form, follow=follow)
            if response.status_code != 404:
                failures.append(f"{method} {url} ({key}, {what} object): {response.status_code}, expected 404")
            shown = [m for m in OUTSIDE_MARKERS if m in text_of(response)]
            if shown:
                failures.append(f"{method} {url} ({key}) shows outside text {shown}")

    for key, route, _ in walk():
        sample = SAMPLES.get(key)
        if sample is None:
            failures.append(f"{key!r} ({route}) has no sample: add one")
            continue
        if sample.kind == "open":
            continue
        url = build_path(key, route, sample, world)
        if sample.kind == "object":
            expect_404(url, key, post=sample.post, follow=sample.follow, sample=sample)
        elif sample.kind == "closed":
            # 404 for the inside object too: this URL is closed to everyone, it tests no scoping.
            expect_404(url, key, post=sample.post)
            if sample.inside or sample.inside_path:
                expect_404(build_path(key, route, sample, world, inside=True), key, post=sample.post,
                           what="inside")
        elif sample.kind == "reference":
            response = client.get(url)
            if response.status_code != sample.expect:
                failures.append(f"GET {url} ({key}): {response.status_code}, expected {sample.expect}")
        else:
            expected = 200 if who in sample.roles else 404
            for i, query in enumerate(sample.queries):
                cache.clear()
                response = client.get(url + query(world))
                where = f"GET {url}{query(world)} ({key})"
                if response.status_code != expected:
                    failures.append(f"{where}: {response.status_code}, expected {expected}")
                    continue
                body = text_of(response)
                for marker in dict.fromkeys(OUTSIDE_MARKERS + sample.hides):
                    if marker in body:
                        failures.append(f"{where} shows outside text {marker!r}")
                if expected == 200:
                    lists_seen.add(key)
                    if i == 0 and sample.shows and sample.shows not in body:
                        failures.append(f"{where} does not show the inside row {sample.shows!r}")
            for probe in sample.probes:
                response = client.get(url + probe(world))
                if response.status_code != 404:
                    failures.append(f"GET {url}{probe(world)} ({key}): {response.status_code}, expected 404")
    assert not failures, "\n".join(failures)
    # The lists did render for this cadre (the test is not passing on empty error pages).
    assert lists_seen == {k for k, s in SAMPLES.items() if s.kind == "list" and who in s.roles}
    assert "admin:orgs_org_changelist" in lists_seen and "api:list_orgs" in lists_seen


@pytest.mark.parametrize("who, url_name, attr", [
    ("business", "admin:orgs_org_change", "K11"),
    ("business", "admin:orgs_org_move_view", "T111"),
    ("business", "admin:orgs_org_dissolve_view", "G1111"),
    ("business", "admin:orgs_org_merge_view", "G1111"),
    ("business", "admin:orgs_orgevent_change", "event"),
    ("business", "admin:orgs_employer_change", "employer"),
    ("secadmin", "admin:accounts_user_change", "user"),
    ("auditor", "admin:common_auditentry_change", "entry"),
    ("business", "admin:orgs_org_import_status", "job"),
    ("business", "admin:orgs_org_import_errors", "job"),
    ("business", "admin:members_member_change", "member"),
    ("auditor", "admin:members_member_change", "member"),
    ("business", "admin:members_member_timeline", "member"),
    ("business", "admin:members_transfer_change", "transfer"),
    ("business", "admin:members_memberevent_change", "member_event"),
])
def test_insider_reaches_the_same_urls(world, client, who, url_name, attr):
    """Issue 12 (the walker's inside objects, built by each app): the same URLs answer 200 for an object
    inside the subtree (the 404s above come from scoping, not from a broken page)."""
    cadre = make_cadre(world.tree["K11"], *CADRES[who], username=f"k11_{who}")
    login(client, cadre)
    tree = world.tree
    target = getattr(world.inside, attr) if hasattr(world.inside, attr) else tree[attr]
    kwarg = "job_id" if attr == "job" else "object_id"
    response = client.get(reverse(url_name, kwargs={kwarg: target.pk}))
    assert response.status_code == 200
    if url_name == "admin:orgs_org_import_errors":
        assert response["Content-Type"].startswith("application/vnd")
        values = [c.value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
        assert "瑶海新建工会二" in values
    elif attr == "job":
        assert target.filename in response.content.decode()
    elif target.__class__ is not AuditEntry:
        assert str(target) in response.content.decode()


def test_autocomplete_offers_only_the_subtree(world, client):
    """Issue 12 (the walker's world, orgs part): admin autocomplete (R-AZ-2) returns the cadre's subtree and
    nothing else."""
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
    """Issue 12 (the walker's world, orgs part): the export action with outside ids selected returns no
    outside row (R-AZ-2)."""
    login(client, make_cadre(world.tree["K11"], "operator"))
    response = client.post("/admin/orgs/org/", {
        "action": "export_xlsx", "_selected_action": [world.org.pk, world.grassroots.pk, world.tree["K11"].pk]})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd")
    values = [c.value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
    assert "瑶海区总工会" in values
    assert not any(isinstance(v, str) and ("芜湖" in v or "镜湖" in v) for v in values)


def test_admin_add_refuses_an_outside_parent(world, client):
    """Issue 12 (the walker's world, orgs part): creating an org under a parent outside the subtree is
    refused (R-AZ-3)."""
    login(client, make_cadre(world.tree["K11"], "org_admin"))
    response = client.post("/admin/orgs/org/add/", {
        "code": "NEW1", "name": "新建工会", "kind": "grassroots", "parent": world.tree["T211"].pk,
        "region_code": "340202", "employee_count": "", "founded_on": "2024-01-01"})
    assert response.status_code == 200  # the form again, with the error
    assert not type(world.org).objects.filter(code="NEW1").exists()


def test_anonymous_is_sent_to_login_everywhere(world, client):
    """Issue 12 (every app's samples): an anonymous request to any scoped URL is sent to the login page
    (admin; the worker login for the worker pages) or answered 401 (API), the original tock assertion."""
    failures = []
    for key, route, _ in walk():
        sample = SAMPLES.get(key)
        if sample is None or sample.kind == "open":
            continue
        url = build_path(key, route, sample, world)
        if sample.get:
            response = client.get(url)
        else:
            response = client.post(url, json.dumps(sample.body(world) if sample.body else {}),
                                   content_type="application/json")
        if url.startswith("/api/"):
            ok = response.status_code == 401
        elif url.startswith("/w/"):
            ok = response.status_code == 302 and response["Location"].startswith("/w/login/?next=")
        else:
            ok = response.status_code == 302 and "/admin/login/" in response["Location"]
        if not ok:
            failures.append(f"GET {url} ({key}): {response.status_code} {response.get('Location', '')}")
    assert not failures, "\n".join(failures)
