import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from .models import Org
from .queries import get_visible_or_404, visible_to

router = Router(tags=["工会组织"])


class OrgOut(Schema):
    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None = Field(None, alias="parent.code")
    region_code: str | None = Field(None, alias="region_code")
    uscc: str
    employer_name: str
    employee_count: int | None
    founded_on: datetime.date | None
    has_congress: bool
    has_disclosure: bool
    status: str


class OrgFilter(Schema):
    kind: Org.Kind | None = None
    status: Org.Status | None = None
    q: str | None = Field(None, description="按名称或代码搜索")
    under: str | None = Field(None, description="只列出该组织代码的子树")


@router.get("/", response=list[OrgOut], summary="组织列表（本账号子树内）")
@paginate(LimitOffsetPagination)
def list_orgs(request, filters: Query[OrgFilter]):
    orgs = visible_to(request.user, Org).select_related("parent")
    if filters.under:
        orgs = orgs.subtree(get_visible_or_404(request.user, Org, code=filters.under))
    if filters.kind:
        orgs = orgs.filter(kind=filters.kind)
    if filters.status:
        orgs = orgs.filter(status=filters.status)
    if filters.q:
        orgs = orgs.filter(name__contains=filters.q) | orgs.filter(code=filters.q)
    return orgs.order_by("path")


@router.get("/{code}", response=OrgOut, summary="组织详情")
def get_org(request, code: str):
    return get_visible_or_404(request.user, Org.objects.select_related("parent"), code=code)
