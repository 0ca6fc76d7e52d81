"""The service hall API for cadres, scoped like the pages (outside the account's subtree: 404): the
catalogue, the applications (待我办理 with `mine`), one application, and its transitions — the same actions
the pages call."""

import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404, visible_to

from . import actions, queries
from .models import Application

router = Router(tags=["网上办事大厅"])


class StepOut(Schema):
    name: str
    role: str
    level: str | None = None


class ItemOut(Schema):
    code: str
    name: str
    level: str
    time_limit_days: int
    steps: list[StepOut]


class ApplicationOut(Schema):
    id: int
    number: str
    item: str = Field(alias="version.item.name")
    item_code: str = Field(alias="version.item.code")
    applicant_name: str
    applicant_org: str = Field(alias="applicant_org.code")
    handling_org: str = Field(alias="handling_org.code")
    status: str
    step: str = Field(alias="step_name")
    due_date: datetime.date | None
    due_flag: str = Field("", description="overdue 已逾期、due_soon 即将到期，或空")
    submitted_at: datetime.datetime | None
    completed_at: datetime.datetime | None

    @staticmethod
    def resolve_due_flag(obj: Application) -> str:
        return queries.due_flag(obj)


class ApplicationFilter(Schema):
    mine: bool = Field(False, description="待我办理：办理工会在本账号子树内、当前环节的角色本账号持有")
    status: Application.Status | None = None
    item: str | None = Field(None, description="事项编码")
    due: Literal["overdue", "due_soon"] | None = None


class TransitionIn(Schema):
    action: Literal["accept", "approve", "return", "reject", "transfer", "escalate"]
    note: str = ""
    to_org: str | None = Field(None, description="转办的目标工会（组织代码）")


_RELATED = ("version__item", "applicant_org", "handling_org")


@router.get("/items", response=list[ItemOut], summary="办事项目录（当前版本）")
def list_items(request):
    return queries.catalogue()


@router.get("/applications", response=list[ApplicationOut], summary="办件列表（本账号子树内；mine=待我办理）")
@paginate(LimitOffsetPagination)
def list_applications(request, filters: Query[ApplicationFilter]):
    apps = visible_to(request.user, Application.objects.select_related(*_RELATED))
    if filters.mine:
        apps = queries.waiting_for(request.user, apps)
    if filters.status:
        apps = apps.filter(status=filters.status)
    if filters.item:
        apps = apps.filter(version__item__code=filters.item)
    if filters.due:
        apps = queries.with_due_flag(apps, filters.due)
    return apps.order_by("-submitted_at", "-id")  # paginated in SQL


@router.get("/applications/{int:application_id}", response=ApplicationOut, summary="办件详情")
def get_application(request, application_id: int):
    return get_visible_or_404(request.user, Application.objects.select_related(*_RELATED), pk=application_id)


@router.post("/applications/{int:application_id}/transition", response=ApplicationOut,
             summary="办理：受理、审批通过、退回补正、不予受理、转办、上报")
def transition(request, application_id: int, payload: TransitionIn):
    app = get_visible_or_404(request.user, Application, pk=application_id)
    to_org = get_visible_or_404(request.user, Org, code=payload.to_org) if payload.to_org else None
    app = actions.transition(app, payload.action, by=request.user, note=payload.note, to_org=to_org)
    return Application.objects.select_related(*_RELATED).get(pk=app.pk)
