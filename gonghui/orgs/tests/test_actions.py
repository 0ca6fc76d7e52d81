"""Org actions, one test per exit path: create, update, move, dissolve, merge."""

import datetime

import pytest

from gonghui.common import uscc
from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import make_cadre
from gonghui.orgs import actions
from gonghui.orgs.models import Employer, Org, OrgEvent, path_step


class AuditCounter:
    """The audit entries written since creation."""

    def __init__(self):
        self.start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def entries(self) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(id__gt=self.start).order_by("id"))

    def one(self, action: str) -> AuditEntry:
        entries = self.entries()
        assert [e.action for e in entries] == [action]
        return entries[0]


def refreshed(tree, *codes):
    return [Org.objects.get(pk=tree[c].pk) for c in codes]


# create_org

def test_create_org_places_it_and_audits_once(tree):
    """Done-when: create writes the org under its parent with path and level, one 成立 event, and
    exactly one audit entry holding the new facts."""
    cadre = make_cadre(tree["K11"], "org_admin")
    audit = AuditCounter()
    org = actions.create_org(by=cadre, parent=tree["T111"], code="G1113", name="瑶海新建公司工会",
                             kind=Org.Kind.GRASSROOTS, region_code="340102", uscc="81110105MC00000017")
    assert org.path == tree["T111"].path + path_step(org.pk)
    assert org.level == Org.Level.GRASSROOTS
    assert [(e.kind, e.by, e.detail) for e in org.events.all()] == [(OrgEvent.Kind.CREATED, cadre, {"parent": "T111"})]
    entry = audit.one("create")
    assert (entry.actor, entry.actor_org, entry.object_id) == (cadre, tree["K11"], str(org.pk))
    assert entry.changes["code"] == "G1113" and entry.changes["uscc"] == "81110105MC00000017"


def test_create_org_outside_the_subtree_refused(tree):
    """Done-when: a cadre cannot create an org outside their subtree (R-AZ-3)."""
    cadre = make_cadre(tree["K11"], "org_admin")
    audit = AuditCounter()
    with pytest.raises(DomainError, match="上级组织不在您的管辖范围内"):
        actions.create_org(by=cadre, parent=tree["T211"], code="X1", name="外部", kind=Org.Kind.GRASSROOTS)
    with pytest.raises(DomainError, match="请选择上级组织"):
        actions.create_org(by=cadre, parent=None, code="X2", name="顶级", kind=Org.Kind.FEDERATION)
    assert not Org.objects.filter(code__in=["X1", "X2"]).exists()
    assert audit.entries() == []


@pytest.mark.parametrize("facts, message", [
    ({"code": "G1111"}, "组织代码 G1111 已存在"),
    ({"name": ""}, "组织名称不能为空"),
    ({"uscc": "91350200776049653A"}, "工会的统一社会信用代码应以 81 开头"),
    ({"uscc": "91350203M0001QAY9B"}, "第18位应为 9"),
    ({"employer_uscc": "91350203M0001QAY9B"}, "单位统一社会信用代码校验位错误"),
    ({"region_code": "110103"}, "110101"),
    ({"founded_on": datetime.date.today() + datetime.timedelta(days=1)}, "建会日期不能晚于今天"),
])
def test_create_org_bad_facts_refused(tree, facts, message):
    """Done-when: facts are validated with a Chinese message naming the problem."""
    cadre = make_cadre(tree["K11"], "org_admin")
    with pytest.raises(DomainError, match=message):
        actions.create_org(by=cadre, parent=tree["T111"],
                           **{"code": "NEW", "name": "新工会", "kind": Org.Kind.GRASSROOTS, **facts})
    assert not Org.objects.filter(code="NEW").exists()


@pytest.mark.parametrize("parent, kind, message", [
    ("G1111", Org.Kind.GRASSROOTS, "基层工会下不能设立下级工会组织"),
    ("G1112", Org.Kind.FEDERATION, "基层工会下不能设立下级工会组织"),
    ("T111", Org.Kind.FEDERATION, "乡镇（街道）总工会下不能再设总工会"),
])
def test_create_org_kind_rules(tree, parent, kind, message):
    """Done-when: grassroots unions are leaves and no federation sits under a town federation."""
    with pytest.raises(DomainError, match=message):
        actions.create_org(by=system_actor(), parent=tree[parent], code="NEW", name="新工会", kind=kind)


# update_org

def test_update_org_audits_changed_fields_old_to_new(tree):
    """Done-when: update writes one 变更 event and one audit entry with each changed field old→new;
    personal numbers in the audit are masked."""
    cadre = make_cadre(tree["K11"], "org_admin")
    audit = AuditCounter()
    org = actions.update_org(tree["G1111"], by=cadre, name="合肥瑶海机械股份公司工会", employee_count=320,
                             phone="13812345678")
    assert Org.objects.get(pk=org.pk).name == "合肥瑶海机械股份公司工会"
    entry = audit.one("update")
    assert entry.changes == {"name": ["合肥瑶海机械有限公司工会", "合肥瑶海机械股份公司工会"],
                             "employee_count": [None, 320], "phone": ["", "138****5678"]}
    assert org.events.filter(kind=OrgEvent.Kind.UPDATED).get().detail == {
        "fields": ["employee_count", "name", "phone"]}


def test_update_org_without_change_writes_nothing(tree):
    audit = AuditCounter()
    actions.update_org(tree["G1111"], by=system_actor(), name=tree["G1111"].name)
    assert audit.entries() == []
    assert not tree["G1111"].events.filter(kind=OrgEvent.Kind.UPDATED).exists()


def test_update_org_refusals(tree):
    """Done-when: outside orgs, fields that are not facts, and making an org with children a
    grassroots union are refused."""
    cadre = make_cadre(tree["K11"], "org_admin")
    with pytest.raises(DomainError, match="该组织不在您的管辖范围内"):
        actions.update_org(tree["K21"], by=cadre, name="改名")
    with pytest.raises(DomainError, match="不能直接修改字段 path"):
        actions.update_org(tree["G1111"], by=cadre, path="000001")
    with pytest.raises(DomainError, match="不能直接修改字段 parent"):
        actions.update_org(tree["G1111"], by=cadre, parent=tree["T211"])
    with pytest.raises(DomainError, match="该组织有下级组织，不能改为基层工会"):
        actions.update_org(tree["T111"], by=cadre, kind=Org.Kind.GRASSROOTS)
    assert Org.objects.get(pk=tree["K21"].pk).name == "镜湖区总工会"


# move_org

def test_move_into_own_descendant_refused(tree):
    """Done-when: moving an org under itself or its descendant is refused (no cycles)."""
    for target in ("T111", "G1111", "K11"):
        with pytest.raises(DomainError, match="不能把组织调整到它自己或它的下级组织之下。"):
            actions.move_org(tree["K11"], new_parent=tree[target], by=system_actor())
    assert Org.objects.get(pk=tree["K11"].pk).parent_id == tree["C1"].pk


def test_move_town_under_another_county_updates_subtree(tree):
    """Done-when: moving a town federation under another county rewrites the paths of its whole
    subtree, keeps levels, writes a 调整隶属关系 event and one audit entry."""
    cadre = make_cadre(tree["C1"], "org_admin")
    audit = AuditCounter()
    actions.move_org(tree["T111"], new_parent=tree["K12"], by=cadre)
    t111, g1111, g1112, k12 = refreshed(tree, "T111", "G1111", "G1112", "K12")
    assert t111.parent == k12 and t111.path == k12.path + path_step(t111.pk)
    assert g1111.path == t111.path + path_step(g1111.pk) and g1112.path == t111.path + path_step(g1112.pk)
    assert (t111.level, g1111.level) == (Org.Level.TOWN, Org.Level.GRASSROOTS)
    assert set(Org.objects.subtree(k12).values_list("code", flat=True)) == {
        "K12", "T121", "G1211", "T111", "G1111", "G1112"}
    assert set(Org.objects.subtree(tree["K11"]).values_list("code", flat=True)) == {"K11"}
    event = t111.events.get(kind=OrgEvent.Kind.MOVED)
    assert (event.by, event.detail) == (cadre, {"from": "K11", "to": "K12"})
    assert audit.one("move").changes == {"parent": ["瑶海区总工会", "庐阳区总工会"]}


def test_move_county_under_another_city_and_under_the_province(tree):
    """Done-when: a county moved under another city keeps its levels; moved under the province it
    becomes a city federation and its descendants' levels are derived again."""
    actions.move_org(tree["K11"], new_parent=tree["C2"], by=system_actor())
    k11, t111, g1111, c2 = refreshed(tree, "K11", "T111", "G1111", "C2")
    assert k11.path.startswith(c2.path) and g1111.path == t111.path + path_step(g1111.pk)
    assert (k11.level, t111.level, g1111.level) == (Org.Level.COUNTY, Org.Level.TOWN, Org.Level.GRASSROOTS)

    actions.move_org(tree["K11"], new_parent=tree["P"], by=system_actor())
    k11, t111, g1111 = refreshed(tree, "K11", "T111", "G1111")
    assert k11.path == tree["P"].path + path_step(k11.pk)
    assert (k11.level, t111.level, g1111.level) == (Org.Level.CITY, Org.Level.COUNTY, Org.Level.GRASSROOTS)
    assert list(k11.events.filter(kind=OrgEvent.Kind.MOVED).values_list("detail", flat=True)) == [
        {"from": "C2", "to": "P"}, {"from": "C1", "to": "C2"}]


def test_move_refused_when_levels_do_not_fit(tree):
    """Done-when: a move that would put a federation under a town or anything under a grassroots
    union is refused and leaves every path as it was."""
    before = list(Org.objects.values_list("pk", "path", "level"))
    with pytest.raises(DomainError, match="乡镇（街道）总工会下不能再设总工会"):
        actions.move_org(tree["T121"], new_parent=tree["T111"], by=system_actor())
    with pytest.raises(DomainError, match="基层工会下不能设立下级工会组织"):
        actions.move_org(tree["G1211"], new_parent=tree["G1111"], by=system_actor())
    assert list(Org.objects.values_list("pk", "path", "level")) == before


def test_move_outside_the_subtree_refused(tree):
    """Done-when: a cadre can neither move an org out of their subtree nor move an outside org in."""
    cadre = make_cadre(tree["K11"], "org_admin")
    audit = AuditCounter()
    with pytest.raises(DomainError, match="新的上级组织不在您的管辖范围内"):
        actions.move_org(tree["G1111"], new_parent=tree["T211"], by=cadre)
    with pytest.raises(DomainError, match="该组织不在您的管辖范围内"):
        actions.move_org(tree["G2111"], new_parent=tree["T111"], by=cadre)
    assert Org.objects.get(pk=tree["G1111"].pk).parent_id == tree["T111"].pk
    assert Org.objects.get(pk=tree["G2111"].pk).parent_id == tree["T211"].pk
    assert audit.entries() == []


# dissolve_org

def test_dissolve_org(tree):
    """Done-when: dissolving marks the org 撤销 with a date, writes an event and one audit entry."""
    cadre = make_cadre(tree["K11"], "org_admin")
    audit = AuditCounter()
    actions.dissolve_org(tree["G1111"], by=cadre, on=datetime.date(2025, 6, 30), reason="企业注销")
    g = Org.objects.get(pk=tree["G1111"].pk)
    assert (g.status, g.closed_on) == (Org.Status.DISSOLVED, datetime.date(2025, 6, 30))
    assert g.events.get(kind=OrgEvent.Kind.DISSOLVED).detail == {"on": "2025-06-30", "reason": "企业注销"}
    assert audit.one("dissolve").changes == {"status": ["正常", "撤销"], "reason": "企业注销"}
    with pytest.raises(DomainError, match="该组织已撤销或合并"):
        actions.dissolve_org(g, by=cadre)


def test_dissolve_refusals(tree):
    """Done-when: an org with active children, the cadre's own org and outside orgs are refused."""
    cadre = make_cadre(tree["K11"], "org_admin")
    with pytest.raises(DomainError, match="还有正常状态的下级组织"):
        actions.dissolve_org(tree["T111"], by=cadre)
    with pytest.raises(DomainError, match="不能撤销本账号所属的工会"):
        actions.dissolve_org(tree["K11"], by=cadre)
    with pytest.raises(DomainError, match="该组织不在您的管辖范围内"):
        actions.dissolve_org(tree["G2111"], by=cadre)
    assert not Org.objects.exclude(status=Org.Status.ACTIVE).exists()


# merge_org

def test_merge_moves_children_and_employers(tree):
    """Done-when: merging moves the active children and the employers to the receiving org, marks
    the merged org 合并, writes 合并/并入 events and one merge audit entry (plus one move entry per
    child moved, since each child changes place)."""
    cadre = make_cadre(tree["C1"], "org_admin")
    employer = Employer.objects.create(name="庐阳某公司", uscc=uscc.make("91", "340103", "MA0000003"),
                                       union=tree["K12"])
    audit = AuditCounter()
    actions.merge_org(tree["K12"], into=tree["K11"], by=cadre, on=datetime.date(2025, 1, 1))
    k11, k12, t121, g1211 = refreshed(tree, "K11", "K12", "T121", "G1211")
    assert (k12.status, k12.merged_into, k12.closed_on) == (Org.Status.MERGED, k11, datetime.date(2025, 1, 1))
    assert t121.parent == k11 and g1211.path.startswith(k11.path)
    assert Employer.objects.get(pk=employer.pk).union == k11
    assert k12.events.get(kind=OrgEvent.Kind.MERGED).detail == {"into": "K11"}
    assert k11.events.get(kind=OrgEvent.Kind.ABSORBED).detail == {"from": "K12"}
    entries = audit.entries()
    assert [e.action for e in entries] == ["move", "merge"]
    assert entries[1].changes == {
        "status": ["正常", "合并"], "merged_into": [None, "瑶海区总工会"], "employers_moved": 1}


def test_merge_refusals(tree):
    """Done-when: merging into itself or a descendant, into a grassroots union while having
    children, into an inactive org, or across the subtree boundary is refused."""
    cadre = make_cadre(tree["K11"], "org_admin")
    with pytest.raises(DomainError, match="不能并入它自己或它的下级组织"):
        actions.merge_org(tree["T111"], into=tree["G1111"], by=cadre)
    with pytest.raises(DomainError, match="不能并入它自己或它的下级组织"):
        actions.merge_org(tree["T111"], into=tree["T111"], by=cadre)
    with pytest.raises(DomainError, match="并入的组织不在您的管辖范围内"):
        actions.merge_org(tree["G1111"], into=tree["G2111"], by=cadre)
    with pytest.raises(DomainError, match="该组织不在您的管辖范围内"):
        actions.merge_org(tree["G2111"], into=tree["G1111"], by=cadre)
    actions.dissolve_org(tree["G1112"], by=cadre)
    with pytest.raises(DomainError, match="合并双方都必须是正常状态的组织"):
        actions.merge_org(tree["G1111"], into=Org.objects.get(pk=tree["G1112"].pk), by=cadre)
    with pytest.raises(DomainError, match="该组织有下级组织，不能并入基层工会"):
        actions.merge_org(tree["T121"], into=tree["G1111"], by=system_actor())
    assert Org.objects.filter(status=Org.Status.MERGED).count() == 0


def test_kind_change_rederives_levels_below(tree):
    """Turning a city federation into an industrial union keeps the levels below consistent."""
    actions.update_org(tree["C1"], by=system_actor(), kind=Org.Kind.INDUSTRIAL)
    levels = dict(Org.objects.subtree(tree["C1"]).values_list("code", "level"))
    assert levels["C1"] == Org.Level.PROVINCE
    assert levels["K11"] == Org.Level.CITY and levels["T111"] == Org.Level.COUNTY
    assert levels["G1111"] == Org.Level.GRASSROOTS


@pytest.mark.parametrize(("run", "message"), [
    (lambda org, other, by: actions.move_org(org, new_parent=other, by=by), "不能调整本账号所属工会的隶属关系"),
    (lambda org, other, by: actions.dissolve_org(org, by=by, reason="测试"), "不能撤销本账号所属的工会"),
    (lambda org, other, by: actions.merge_org(org, into=other, by=by), "不能把本账号所属的工会并入其他工会"),
], ids=["move", "dissolve", "merge"])
def test_own_union_is_moved_dissolved_or_merged_only_from_above(tree, run, message):
    """Issue 12 point 4.8: a town cadre may not move, dissolve or merge their own union (a union above
    decides); the county's cadre may, and an outsider may not."""
    town = tree["T111"]
    with pytest.raises(DomainError, match=message):
        run(town, tree["K11"], make_cadre(town, "org_admin"))
    with pytest.raises(DomainError, match="该组织不在您的管辖范围内"):
        run(town, tree["K11"], make_cadre(tree["K21"], "org_admin"))
    assert Org.objects.get(pk=town.pk).status == Org.Status.ACTIVE
    assert not OrgEvent.objects.exclude(kind=OrgEvent.Kind.CREATED).exists()
    actions.move_org(town, new_parent=tree["K12"], by=make_cadre(tree["C1"], "org_admin"))
    assert Org.objects.get(pk=town.pk).parent_id == tree["K12"].pk
