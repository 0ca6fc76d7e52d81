"""The members API, scoped like the pages (outside the account's subtree: 404). Numbers are masked;
an ID number is never taken from a query string (it would land in access logs): the lookup by ID
number is a POST with the number in the body."""

import datetime
import re
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.common import idcard
from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404, visible_to

from . import actions, facts, queries
from .models import Member

router = Router(tags=["会员"])

NO_RIGHT = "您没有办理会员业务的权限。"
_LONG_NUMBER = re.compile(r"\d{11,}")


class MemberOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: datetime.date
    doc_type: str
    id_masked: str = Field(description="证件号码（脱敏）")
    mobile_masked: str = Field(description="手机号（脱敏）")
    ethnicity: str
    education: str
    political_status: str
    household_type: str
    is_migrant_worker: bool
    worker_group: str
    join_date: datetime.date
    member_number: str
    status: str
    status_date: datetime.date | None
    org_code: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")


class MemberFilter(Schema):
    status: Member.Status | None = None
    org: str | None = Field(None, description="组织代码：只列出该组织及其下级工会的会员")
    q: str | None = Field(None, description="按姓名或会员证号查找；证件号码请用 POST /members/lookup")


class MemberIn(Schema):
    """Raw values as a form or a spreadsheet holds them; checked by the same rules (facts.clean)."""

    org: str = Field(description="入会工会的组织代码")
    name: str
    doc_type: Member.DocType = Member.DocType.RESIDENT
    id_number: str
    gender: str = ""
    birth_date: str = ""
    mobile: str = ""
    ethnicity: str = ""
    education: str = ""
    political_status: str = ""
    household_type: str = ""
    is_migrant_worker: bool | str = False
    worker_group: str = ""
    join_date: str = ""
    member_number: str = ""


class Problem(Schema):
    field: str | None
    message: str


class Problems(Schema):
    detail: str
    errors: list[Problem]


class EndIn(Schema):
    status: Literal["left", "retired", "deceased"] = Field(description="left 退会、retired 退休、deceased 去世")
    date: datetime.date
    note: str = ""


class LookupIn(Schema):
    id_number: str
    doc_type: Member.DocType = Member.DocType.RESIDENT


def _members(user):
    return visible_to(user, Member.objects.select_related("org"))


def _require_editor(user) -> None:
    if not queries.can_edit_members(user):
        raise HttpError(403, NO_RIGHT)


@router.get("/", response=list[MemberOut], summary="会员列表（本账号子树内，号码脱敏）")
@paginate(LimitOffsetPagination)
def list_members(request, filters: Query[MemberFilter]):
    members = _members(request.user)
    if filters.org:
        members = members.subtree(get_visible_or_404(request.user, Org, code=filters.org))
    if filters.status:
        members = members.filter(status=filters.status)
    if filters.q:
        if _LONG_NUMBER.search(re.sub(r"[^0-9]", "", idcard.normalize(filters.q))):
            raise HttpError(400, "证件号码、手机号等不能放在网址中：按证件号码查找请用 POST /api/v1/members/lookup。")
        members = members & queries.search(request.user, filters.q)
    return members.order_by("-id")


@router.post("/lookup", response=MemberOut, summary="按证件号码查找会员（号码放在请求体中）")
def lookup_member(request, payload: LookupIn):
    index = queries.id_index_of(payload.id_number, doc_type=payload.doc_type)
    return get_visible_or_404(request.user, _members(request.user), id_index=index)


@router.get("/{int:member_id}", response=MemberOut, summary="会员详情（号码脱敏）")
def get_member(request, member_id: int):
    return get_visible_or_404(request.user, _members(request.user), pk=member_id)


@router.post("/", response={201: MemberOut, 422: Problems}, summary="录入会员（入会）")
def create_member(request, payload: MemberIn):
    org = get_visible_or_404(request.user, Org, code=payload.org)
    _require_editor(request.user)
    member_facts, problems = facts.clean(payload.dict(exclude={"org"}))
    if problems:
        return Status(422, {"detail": "会员信息有误，请按提示修改。",
                            "errors": [{"field": field, "message": message} for field, message in problems]})
    member = actions.join_member(org=org, facts=member_facts, by=request.user)
    return Status(201, _members(request.user).get(pk=member.pk))


@router.post("/{int:member_id}/end", response=MemberOut, summary="会籍终止（退会、退休、去世）")
def end_membership(request, member_id: int, payload: EndIn):
    member = get_visible_or_404(request.user, _members(request.user), pk=member_id)
    _require_editor(request.user)
    actions.end_membership(member, status=payload.status, date=payload.date, by=request.user, note=payload.note)
    return _members(request.user).get(pk=member.pk)
