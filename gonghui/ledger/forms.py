"""Back-office forms for the ledger. They collect what the cadre typed; amounts, 先建档后帮扶, the approver ≠
recorder rule and the rest are checked by `actions`, whose DomainError goes back on the field it names."""

import hashlib

from django import forms
from django.utils import timezone

from gonghui.common.errors import DomainError
from gonghui.common.forms import BackOfficeStyleMixin, DateInput
from gonghui.members.models import Member
from gonghui.members.queries import member_by_number
from gonghui.orgs.queries import visible_to

from . import programs
from .models import FundSource, PaymentKind

DATE = DateInput()


def fingerprint(*values) -> str:
    """What a preview showed, so that the confirmation applies exactly that (changed values: preview again)."""
    return hashlib.sha256("\x1f".join(str(v) for v in values).encode()).hexdigest()


class _KindSourceMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = PaymentKind.objects.filter(active=True)
        self.fields["fund_source"].queryset = FundSource.objects.filter(active=True)


class ApproveForm(_KindSourceMixin, BackOfficeStyleMixin, forms.Form):
    member_number = forms.CharField(label="会员证号", max_length=30)
    kind = forms.ModelChoiceField(label="帮扶类别", queryset=PaymentKind.objects.none())
    fund_source = forms.ModelChoiceField(label="资金来源", queryset=FundSource.objects.none())
    amount = forms.CharField(label="金额（元）", max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    reason = forms.CharField(label="事由", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_member_number(self):
        try:
            self.member = member_by_number(self.user, self.cleaned_data["member_number"])
        except DomainError as e:
            raise forms.ValidationError(e.message) from None
        return self.cleaned_data["member_number"]

    def fingerprint(self) -> str:
        d = self.cleaned_data
        return fingerprint(self.member.pk, d["kind"].pk, d["fund_source"].pk, d["amount"].strip(), d["reason"].strip())


class RecordForm(BackOfficeStyleMixin, forms.Form):
    paid_on = forms.DateField(label="发放日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=200, required=False)
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("paid_on", timezone.localdate())
        self.initial["key"] = key


class ReverseForm(BackOfficeStyleMixin, forms.Form):
    reason = forms.CharField(label="冲销原因", max_length=150, widget=forms.Textarea(attrs={"rows": 3}))


class DisburseForm(_KindSourceMixin, BackOfficeStyleMixin, forms.Form):
    FROM_LIST = "list"

    title = forms.CharField(label="批次名称", max_length=100, help_text="如“2026年春节送温暖”。")
    kind = forms.ModelChoiceField(label="帮扶类别", queryset=PaymentKind.objects.none())
    fund_source = forms.ModelChoiceField(label="资金来源", queryset=FundSource.objects.none())
    amount_each = forms.CharField(label="每户金额（元）", max_length=20,
                                  widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    source = forms.ChoiceField(label="发放名单", widget=forms.RadioSelect, initial=FROM_LIST)
    member_numbers = forms.CharField(label="会员证号名单", required=False, widget=forms.Textarea(attrs={"rows": 6}),
                                     help_text="每行一个会员证号（按名单发放时填写）。")
    # Narrows a program's list (programs.Recipients.options: e.g. the hardship category).
    category = forms.ChoiceField(label="范围", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.lists = {r.code: r for r in programs.recipient_lists()}
        self.fields["source"].choices = [(self.FROM_LIST, "按会员证号名单"),
                                         *((r.code, r.label) for r in self.lists.values())]
        self.fields["category"].choices = [("", "（全部）"), *(o for r in self.lists.values() for o in r.options)]
        labelled = [r for r in self.lists.values() if r.options]
        if labelled:
            self.fields["category"].label = "、".join(r.option_label for r in labelled)
            self.fields["category"].help_text = "、".join(f"按“{r.label}”发放时可只选一类。" for r in labelled)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["source"] in self.lists:
            chosen = self.lists[data["source"]]
            self.members = chosen.members(self.user, data["category"])
            if not self.members:
                raise forms.ValidationError(chosen.empty)
            return data
        numbers = [n.strip().upper() for n in data["member_numbers"].replace(",", "\n").replace("，", "\n")
                   .splitlines() if n.strip()]
        if not numbers:
            self.add_error("member_numbers", "请填写会员证号名单，每行一个。")
            return data
        found = {m.member_number: m for m in visible_to(self.user, Member.objects.select_related("org"))
                 .filter(member_number__in=numbers)}
        missing = [n for n in dict.fromkeys(numbers) if n not in found]
        if missing:
            shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
            self.add_error("member_numbers", f"以下会员证号在本级及下级工会中没有：{shown}（共{len(missing)}个）。")
            return data
        self.members = [found[n] for n in numbers]  # a number listed twice stays twice: the preview says so
        return data

    def fingerprint(self) -> str:
        d = self.cleaned_data
        return fingerprint(d["title"].strip(), d["kind"].pk, d["fund_source"].pk, d["amount_each"].strip(),
                           ",".join(str(m.pk) for m in self.members))
