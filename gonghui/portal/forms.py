"""Forms of the worker pages. They collect raw values; the rules are in the actions (`members.facts.clean`
for the member facts), whose problems are put back on the right fields. Typed personal numbers are shown
again after an error as `Unlogged` strings (masked in any log), never a stored one."""

from django import forms

from gonghui.common import codesets
from gonghui.common.errors import DomainError
from gonghui.members import facts
from gonghui.members.forms import PlainNumberWidget

from .actions import ApplicationInvalid


def _options(codeset: codesets.Codeset, blank: str = "（不填）") -> list[tuple[str, str]]:
    return [("", blank), *codeset.entries.items()]


class PortalForm(forms.Form):
    """Puts a DomainError (or every problem of an invalid application) on its field."""

    def show(self, error: DomainError) -> None:
        problems = error.problems if isinstance(error, ApplicationInvalid) else [(error.field, error.message)]
        for field, message in problems:
            self.add_error(field if field in self.fields else None, message)


def _mobile_field(label: str = "手机号") -> forms.CharField:
    return forms.CharField(label=label, max_length=20, widget=PlainNumberWidget(
        attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "11位手机号"}))


def _code_field() -> forms.CharField:
    return forms.CharField(label="短信验证码", max_length=6, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "6位数字"}))


class CodeSignInForm(PortalForm):
    mobile = _mobile_field()
    code = _code_field()


class PasswordSignInForm(PortalForm):
    mobile = _mobile_field()
    password = forms.CharField(label="密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class BindForm(PortalForm):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=30, widget=PlainNumberWidget(
        attrs={"autocomplete": "off", "placeholder": "18位身份证号"}))


class BindCodeForm(PortalForm):
    code = _code_field()


class FindUnionForm(forms.Form):
    q = forms.CharField(label="单位或工会名称", max_length=50, required=False,
                        widget=forms.TextInput(attrs={"placeholder": "如：某某物流公司"}))
    area = forms.ModelChoiceField(label="所在地区", queryset=None, required=False, empty_label="全部地区")

    def __init__(self, *args, **kwargs):
        from .queries import areas

        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas()
        self.fields["area"].label_from_instance = lambda org: org.name.removesuffix("总工会")


class ApplicationForm(PortalForm):
    """The member facts of an online application, as in the import template."""

    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=30, widget=PlainNumberWidget(
        attrs={"autocomplete": "off", "placeholder": "18位身份证号"}))
    gender = forms.ChoiceField(label="性别", choices=_options(codesets.GENDER, "（按身份证号）"), required=False)
    mobile = forms.CharField(label="手机号", max_length=20, required=False, widget=PlainNumberWidget(
        attrs={"inputmode": "tel", "autocomplete": "tel"}))
    ethnicity = forms.ChoiceField(label="民族", choices=_options(codesets.ETHNICITY), required=False)
    education = forms.ChoiceField(label="学历", choices=_options(codesets.EDUCATION), required=False)
    political_status = forms.ChoiceField(label="政治面貌", choices=_options(codesets.POLITICAL_STATUS), required=False)
    household_type = forms.ChoiceField(label="户籍类型", choices=_options(codesets.HOUSEHOLD_TYPE), required=False)
    is_migrant_worker = forms.ChoiceField(label="是否农民工", choices=[("否", "否"), ("是", "是")], required=False)
    worker_group = forms.ChoiceField(label="八大群体/新就业形态", choices=_options(codesets.WORKER_GROUP),
                                     required=False)
    employer_name = forms.CharField(label="工作单位", max_length=100, required=False,
                                    help_text="选填。通过区域或行业工会申请时，单位不会收到通知。")

    def raw(self) -> dict:
        data = self.cleaned_data
        return {f: data.get(f, "") for f in facts.LABELS if f in self.fields}


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因（申请人可见）", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class RejectBindingForm(forms.Form):
    reason = forms.CharField(label="驳回原因（申请人可见）", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class ProfileForm(PortalForm):
    education = forms.ChoiceField(label="学历", choices=_options(codesets.EDUCATION), required=False)
    political_status = forms.ChoiceField(label="政治面貌", choices=_options(codesets.POLITICAL_STATUS), required=False)
    household_type = forms.ChoiceField(label="户籍类型", choices=_options(codesets.HOUSEHOLD_TYPE), required=False)
    worker_group = forms.ChoiceField(label="八大群体/新就业形态", choices=_options(codesets.WORKER_GROUP),
                                     required=False)


class MobileChangeForm(PortalForm):
    mobile = _mobile_field("新手机号")
    code = _code_field()


class PasswordForm(PortalForm):
    password = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    again = forms.CharField(label="再输入一次", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("again"):
            self.add_error("again", "两次输入的密码不一致。")
        return data
