"""Back-office forms for members. Every member fact is checked by `facts.clean`, the one validation
shared with the API and the import; these forms only collect the raw values and put its problems on
the right fields. ID and mobile numbers are inputs only: a stored number is never rendered back."""

from django import forms
from unfold.widgets import UnfoldAdminTextInputWidget, UnfoldBooleanWidget

from gonghui.common import pii
from gonghui.common.audit import mask_text
from gonghui.common.errors import DomainError
from gonghui.common.forms import BackOfficeStyleMixin, DateInput

from . import facts
from .models import ID_CONTEXT, MOBILE_CONTEXT, Member

# The form fields handed to facts.clean (doc_type picks the ID rules).
RAW_FIELDS = [*facts.LABELS, "doc_type"]


def stored_id_number(member: Member) -> str:
    """The stored document number, decrypted to re-validate an edit that leaves it unchanged; never shown."""
    return pii.decrypt(member.id_number_enc, context=ID_CONTEXT + member.id_index)


def stored_mobile(member: Member) -> str:
    if not member.mobile_enc:
        return ""
    return pii.decrypt(member.mobile_enc, context=MOBILE_CONTEXT + member.id_index)


class Unlogged(str):
    """A personal number on its way into a page: templates show it as it is, but its repr is masked.
    Django logs a failed template lookup at DEBUG with the repr of the whole context, and no ID or
    mobile number may reach a log (R-PI-9)."""

    def __repr__(self) -> str:
        return repr(mask_text(str(self)))


class UnloggedMixin:
    """A text widget that shows a typed number again (after an error) as an Unlogged string."""

    def format_value(self, value):
        value = super().format_value(value)
        return Unlogged(value) if value else value


class NumberWidget(UnloggedMixin, UnfoldAdminTextInputWidget):
    pass


class PlainNumberWidget(UnloggedMixin, forms.TextInput):
    pass


class MemberForm(forms.ModelForm):
    """Add and change. On change an empty ID or mobile box keeps the stored number (shown masked in
    the help text); "清除手机号" removes the mobile. `cleaned_facts` holds the facts once valid."""

    id_number = forms.CharField(label="证件号码", max_length=40, required=False,
                                widget=NumberWidget(attrs={"autocomplete": "off"}))
    mobile = forms.CharField(label="手机号", max_length=30, required=False,
                             widget=NumberWidget(attrs={"autocomplete": "off"}))
    clear_mobile = forms.BooleanField(label="清除手机号", required=False, widget=UnfoldBooleanWidget)

    cleaned_facts: facts.Facts | None = None
    # The admin sets this on a subclass when the action refused the save (a rule only the action
    # checks, e.g. the ID being active in another union): the form is shown again with it.
    action_error: DomainError | None = None

    class Meta:
        model = Member
        fields = ["org", "name", "gender", "birth_date", "doc_type", "ethnicity", "education", "political_status",
                  "household_type", "is_migrant_worker", "worker_group", "join_date", "member_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Derived from the ID when left empty (facts.clean), issued by the system, or today.
        optional = {"gender": "可留空，由身份证号自动生成。", "birth_date": "可留空，由身份证号自动生成。",
                    "member_number": "留空则由系统按编号规则生成。"}
        if not self.instance.pk:
            optional["join_date"] = "留空为今天。"
        for name, help_text in optional.items():
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text = help_text
        if "gender" in self.fields and list(self.fields["gender"].choices)[0][0] != "":
            self.fields["gender"].choices = [("", "按证件号码")] + list(self.fields["gender"].choices)
        if self.instance.pk:
            if "id_number" in self.fields:
                self.fields["id_number"].help_text = (
                    f"当前：{self.instance.id_masked}。留空则不变；如需更正请填写完整号码。")
            if "mobile" in self.fields:
                current = self.instance.mobile_masked or "未填写"
                self.fields["mobile"].help_text = f"当前：{current}。留空则不变。"
        elif "id_number" in self.fields:
            self.fields["id_number"].required = True
            self.fields.pop("clear_mobile", None)

    def clean(self):
        cleaned = super().clean()
        raw = {name: cleaned.get(name) for name in RAW_FIELDS}
        if self.instance.pk:
            if not raw["id_number"]:
                raw["id_number"] = stored_id_number(self.instance)
            if cleaned.get("clear_mobile"):
                raw["mobile"] = ""
            elif not raw["mobile"]:
                raw["mobile"] = stored_mobile(self.instance)
            raw["member_number"] = raw["member_number"] or self.instance.member_number
        if raw["doc_type"] is None and self.instance.pk:
            raw["doc_type"] = self.instance.doc_type
        member_facts, problems = facts.clean(raw)
        for field, message in problems:
            target = field if field in self.fields else None
            if target not in self.errors:  # one message per field: Django's own check came first
                self.add_error(target, message)
        if self.action_error is not None:
            target = self.action_error.field if self.action_error.field in self.fields else None
            self.add_error(target, self.action_error.message)
        self.cleaned_facts = member_facts if not self.errors else None
        return cleaned

    def validate_unique(self):
        # The member number's uniqueness is the action's rule (with its own message); the model's
        # generic check would only repeat it in other words.
        pass

    def _get_validation_exclusions(self):
        # Likewise for the model's unique constraint on the member number (checked by full_clean).
        return super()._get_validation_exclusions() | {"member_number"}


class EndMembershipForm(BackOfficeStyleMixin, forms.Form):
    date = forms.DateField(label="日期", widget=DateInput())
    note = forms.CharField(label="说明", max_length=200, required=False)


class RevealForm(BackOfficeStyleMixin, forms.Form):
    """The reason, and the password when the login is not fresh (see common.reauth)."""

    reason = forms.CharField(label="查看原因", max_length=200, min_length=2,
                             help_text="如：核实身份办理困难帮扶。原因与查看记录一并写入审计日志。")
    password = forms.CharField(label="登录密码", widget=forms.PasswordInput,
                               help_text="距上次登录已超过规定时间，请再次输入登录密码。")

    def __init__(self, *args, fresh: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if fresh:
            del self.fields["password"]

    @property
    def needs_password(self) -> bool:
        return "password" in self.fields


class LookupForm(BackOfficeStyleMixin, forms.Form):
    """The member list's search box, sent by POST so that an ID number never lands in a URL."""

    q = forms.CharField(label="姓名、会员证号或完整证件号码", max_length=60, widget=PlainNumberWidget)


class TransferRequestForm(BackOfficeStyleMixin, forms.Form):
    to_org = forms.ModelChoiceField(label="转入工会", queryset=None)
    doc_type = forms.ChoiceField(label="证件类型", choices=Member.DocType.choices, initial=Member.DocType.RESIDENT)
    id_number = forms.CharField(label="证件号码", max_length=40,
                                widget=PlainNumberWidget(attrs={"autocomplete": "off"}))
    name = forms.CharField(label="姓名", max_length=50)
    reason = forms.CharField(label="申请说明", max_length=200, required=False,
                             help_text="如：本人已调入本单位工作。")

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = orgs


class TransferDecisionForm(BackOfficeStyleMixin, forms.Form):
    note = forms.CharField(label="审批意见", max_length=200, required=False, help_text="拒绝时必须填写理由。")
