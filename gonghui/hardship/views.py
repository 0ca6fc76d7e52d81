"""Back-office pages for hardship files beyond the admin's list and detail: 新建档案 and the confirmation
pages behind the detail buttons (帮扶计划, 结对, 年度复核, 退出). Each starts with its access helper (404 outside the
subtree or without the role), then the form and one action; a refusal is shown on the form, typed values kept."""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from gonghui.common.errors import DomainError
from gonghui.orgs.queries import get_visible_or_404

from . import actions
from .forms import CloseForm, OpenFileForm, PairForm, PlanForm, ReviewForm
from .models import HardshipFile

NOT_FOUND = "未找到该页面。"


def _file_or_404(request, object_id) -> HardshipFile:
    """A file of the account's subtree that the account may work on, else 404."""
    if not actions.may_manage(request.user):
        raise Http404(NOT_FOUND)
    return get_visible_or_404(request.user, HardshipFile.objects.select_related("member", "org"), pk=object_id)


def _page(request, title: str, form, *, cancel_url: str, submit: str, intro: str = ""):
    return render(request, "common/action_form.html", {
        **admin.site.each_context(request), "title": title, "opts": HardshipFile._meta, "form": form,
        "cancel_url": cancel_url, "submit": submit, "intro": intro, "form_id": "hardship-action-form"})


def open_file(request):
    """新建档案: a member of the subtree by member number, the household one per line, the plan."""
    if not actions.may_manage(request.user):
        raise Http404(NOT_FOUND)
    form = OpenFileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            file = actions.open_file(member=form.member, level=data["level"], category=data["category"],
                                     household=data["household"], by=request.user,
                                     causes=data["causes"],
                                     housing=data["housing"], measures=data["measures"],
                                     responsible=data["responsible"])
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, f"已为{file.member.name}建立困难职工档案。")
            return redirect("admin:hardship_hardshipfile_change", file.pk)
    return _page(request, "新建困难职工档案", form, cancel_url=reverse("admin:hardship_hardshipfile_changelist"),
                 submit="建档", intro="一人一档：该职工已有在档档案的，请在原档案上复核更新。")


def _intro(file: HardshipFile) -> str:
    return (f"{file.member.name}（会员证号 {file.member.member_number}）· {file.org.name} · "
            f"{file.get_level_display()} · {file.get_category_display()} · {file.get_status_display()}")


def pair(request, object_id):
    file = _file_or_404(request, object_id)
    form = PairForm(request.POST or None, user=request.user, file=file)
    change_url = reverse("admin:hardship_hardshipfile_change", args=[file.pk])
    if request.method == "POST" and form.is_valid():
        try:
            actions.pair(file=file, cadre=form.cleaned_data["paired_cadre"], by=request.user)
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, f"已确定结对帮扶干部：{form.cleaned_data['paired_cadre']}。")
            return redirect(change_url)
    return _page(request, f"结对帮扶：{file.member.name}", form, cancel_url=change_url, submit="确认结对",
                 intro=_intro(file))


def plan(request, object_id):
    """一人一策: measures, the cadre responsible, the next review date."""
    file = _file_or_404(request, object_id)
    form = PlanForm(request.POST or None, user=request.user, file=file)
    change_url = reverse("admin:hardship_hardshipfile_change", args=[file.pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.set_plan(file=file, by=request.user, measures=data["measures"], responsible=data["responsible"],
                             review_due=data["review_due"])
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, "已更新帮扶计划（一人一策）。")
            return redirect(change_url)
    return _page(request, f"帮扶计划：{file.member.name}", form, cancel_url=change_url, submit="保存计划",
                 intro=_intro(file))


def review(request, object_id):
    file = _file_or_404(request, object_id)
    form = ReviewForm(request.POST or None)
    change_url = reverse("admin:hardship_hardshipfile_change", args=[file.pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            file = actions.review(file=file, by=request.user, note=data["note"], category=data["category"] or None,
                                  household=data["household"])
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, f"已完成年度复核，下次复核日期 {file.review_due:%Y-%m-%d}。")
            return redirect(change_url)
    return _page(request, f"年度复核：{file.member.name}", form, cancel_url=change_url, submit="确认复核",
                 intro=f"{_intro(file)} · 复核到期 {file.review_due:%Y-%m-%d}")


def close(request, object_id):
    file = _file_or_404(request, object_id)
    form = CloseForm(request.POST or None)
    change_url = reverse("admin:hardship_hardshipfile_change", args=[file.pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.close(file=file, reason=data["exit_reason"], by=request.user, on=data["exit_on"],
                          follow_up_on=data["follow_up_on"], note=data["note"])
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, "档案已退出（档案保留，不删除）。")
            return redirect(change_url)
    return _page(request, f"退出：{file.member.name}", form, cancel_url=change_url, submit="确认退出",
                 intro=_intro(file) + " · 退出后档案保留，可设返困回访日期。")
