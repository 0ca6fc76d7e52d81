"""Back-office pages of the worker portal: online join applications (审核), join links and their
posters (扫码入会), member cards, bindings the union confirms (实名绑定确认). All scoped by ScopedAdmin;
decisions and link changes go through the actions, whose own checks decide (a refused button is a 404
like every other refusal)."""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action

from gonghui.common.errors import DomainError
from gonghui.members.admin import MemberColumns
from gonghui.orgs.backoffice import ScopedAdmin
from gonghui.orgs.queries import visible_or_none

from . import actions, queries, views
from .models import BindingRequest, JoinApplication, JoinLink, MemberCard

MANAGERS = set(queries.MANAGE_ROLES)


@admin.register(JoinApplication)
class JoinApplicationAdmin(ScopedAdmin):
    """入会申请: read-only; 通过 and 退回 are detail actions for the approvers of the union or above."""

    list_display = ["name", "id_masked", "org", "channel", "employer_name", "status", "submitted_at", "decided_by",
                    "decided_at"]
    list_filter = ["status", "channel", ("submitted_at", RangeDateFilter)]
    list_filter_submit = True
    list_select_related = ["org", "decided_by"]
    search_fields = ["name"]
    readonly_fields = ["name", "id_masked", "mobile_masked", "gender", "birth_date", "ethnicity", "education",
                       "political_status", "household_type", "is_migrant_worker", "worker_group", "org", "channel",
                       "employer_name", "status", "reason", "submitted_at", "decided_by", "decided_at", "member"]
    fields = readonly_fields
    actions_detail = ["accept", "return_to_worker"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions_detail(self, request, object_id):
        application = visible_or_none(request.user, JoinApplication.objects.select_related("org"), object_id)
        if (application is None or application.status != JoinApplication.Status.SUBMITTED
                or not queries.can_decide_applications(request.user, application.org)):
            return []
        return super().get_actions_detail(request, object_id)

    @action(description="通过", url_path="accept", icon="check")
    def accept(self, request, object_id):
        return views.accept(request, object_id)

    @action(description="退回", url_path="return", icon="undo")
    def return_to_worker(self, request, object_id):
        return views.return_to_worker(request, object_id)


@admin.register(JoinLink)
class JoinLinkAdmin(ScopedAdmin):
    """入会二维码: one link per union; posters to print, a new version (old posters stop working), or stop."""

    edit_roles = MANAGERS
    list_display = ["org", "version", "revoked", "updated_at"]
    list_filter = ["revoked"]
    list_select_related = ["org"]
    search_fields = ["org__name"]
    fields = ["org"]
    autocomplete_fields = []
    actions_detail = ["poster_png", "poster_pdf", "rotate", "revoke"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        org = form.cleaned_data["org"]
        if not queries.can_manage_join_link(request.user, org):
            raise Http404("未找到该记录。")
        link = actions.join_link(org, by=request.user)
        obj.pk, obj.version, obj.revoked = link.pk, link.version, link.revoked

    def get_actions_detail(self, request, object_id):
        link = visible_or_none(request.user, JoinLink.objects.select_related("org"), object_id)
        if link is None or not queries.can_manage_join_link(request.user, link.org):
            return []
        hidden = {"poster_png", "poster_pdf", "revoke"} if link.revoked else set()
        return [a for a in super().get_actions_detail(request, object_id)
                if a.action_name.removeprefix("portal_joinlink_") not in hidden]

    def _link(self, request, object_id) -> JoinLink:
        link = visible_or_none(request.user, JoinLink.objects.select_related("org"), object_id)
        if link is None or not queries.can_manage_join_link(request.user, link.org):
            raise Http404("未找到该记录。")
        return link

    @action(description="下载海报（PNG）", url_path="poster-png", icon="image")
    def poster_png(self, request, object_id):
        return views.poster(request, self._link(request, object_id).org_id, "png")

    @action(description="下载海报（PDF）", url_path="poster-pdf", icon="picture_as_pdf")
    def poster_pdf(self, request, object_id):
        return views.poster(request, self._link(request, object_id).org_id, "pdf")

    @action(description="生成新二维码（旧海报失效）", url_path="rotate", icon="autorenew")
    def rotate(self, request, object_id):
        return self._change(request, object_id, revoke=False)

    @action(description="停用二维码", url_path="revoke", icon="block")
    def revoke(self, request, object_id):
        return self._change(request, object_id, revoke=True)

    def _change(self, request, object_id, *, revoke: bool):
        link = self._link(request, object_id)
        if request.method != "POST":
            return views._admin_page(
                request, f"{'停用' if revoke else '更新'}入会二维码：{link.org.name}", None,
                cancel_url=f"../../{link.pk}/change/", submit="停用" if revoke else "生成新二维码",
                intro="停用后，已印制的海报扫码将提示“二维码已失效”。" if revoke else
                      "生成新二维码后，之前印制的海报全部失效，请重新下载并张贴新海报。")
        try:
            actions.rotate_join_link(org=link.org, by=request.user, revoke=revoke)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已停用入会二维码。" if revoke else "已生成新二维码，请下载新海报。")
        return redirect("admin:portal_joinlink_change", link.pk)


@admin.register(MemberCard)
class MemberCardAdmin(ScopedAdmin):
    """电子会员卡: issued by the card page itself; the union may revoke one (lost phone, misuse)."""

    list_display = ["member", "org", "issued_at", "revoked_at", "revoked_reason"]
    list_filter = [("issued_at", RangeDateFilter)]
    list_filter_submit = True
    list_select_related = ["member", "org"]
    search_fields = ["member__name"]
    readonly_fields = ["member", "org", "issued_at", "revoked_at", "revoked_reason"]
    fields = readonly_fields
    actions_detail = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions_detail(self, request, object_id):
        card = visible_or_none(request.user, MemberCard.objects.select_related("member__org"), object_id)
        if card is None or card.revoked_at is not None or not queries.can_manage_cards(request.user, card):
            return []
        return super().get_actions_detail(request, object_id)

    @action(description="注销", url_path="revoke", icon="block")
    def revoke(self, request, object_id):
        card = visible_or_none(request.user, MemberCard.objects.select_related("member__org"), object_id)
        if card is None or not queries.can_manage_cards(request.user, card):
            raise Http404("未找到该记录。")
        if request.method != "POST":
            return views._admin_page(request, f"注销电子会员卡：{card.member.name}", None, submit="注销",
                                     cancel_url=f"../../{card.pk}/change/",
                                     intro="注销后该卡二维码验证显示“已失效”；会员再次打开会员卡页面时自动换发新卡。")
        try:
            actions.revoke_card(card=card, by=request.user, reason="工会注销")
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已注销。")
        return redirect("admin:portal_membercard_change", card.pk)


@admin.register(BindingRequest)
class BindingRequestAdmin(MemberColumns, ScopedAdmin):
    """实名绑定确认: bindings of workers whose member record has no registered mobile (the others prove the
    person by SMS and never come here). 确认 and 驳回 are detail actions for the 经办人 and 单位管理员 of the
    member's union or above; scoped by the member's union."""

    list_display = ["member_name", "member_number", "member_id_masked", "member_org", "worker", "status",
                    "created_at", "decided_by", "decided_at"]
    list_filter = ["status", ("created_at", RangeDateFilter)]
    list_filter_submit = True
    list_select_related = ["member__org", "worker", "decided_by"]
    readonly_fields = ["member", "worker", "via", "status", "reason", "created_at", "decided_by", "decided_at"]
    fields = readonly_fields
    actions_detail = ["confirm", "reject"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(via=BindingRequest.Via.UNION)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="身份证号")
    def member_id_masked(self, obj):
        return obj.member.id_masked

    @admin.display(description="所在工会")
    def member_org(self, obj):
        return obj.member.org.name

    def get_actions_detail(self, request, object_id):
        binding = visible_or_none(request.user, self.get_queryset(request).select_related("member__org"), object_id)
        if (binding is None or binding.status != BindingRequest.Status.PENDING
                or not queries.can_decide_binding(request.user, binding)):
            return []
        return super().get_actions_detail(request, object_id)

    @action(description="确认", url_path="confirm", icon="check")
    def confirm(self, request, object_id):
        return views.confirm_binding(request, object_id)

    @action(description="驳回", url_path="reject", icon="close")
    def reject(self, request, object_id):
        return views.reject_binding(request, object_id)
