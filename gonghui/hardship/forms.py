"""Back-office forms for hardship files. They collect what the cadre typed; the rules (one file per person,
incomes in 元, dates) are in `actions`, whose DomainError goes back on the field it names."""

from django import forms

from gonghui.accounts.models import User
from gonghui.common.errors import DomainError
from gonghui.common.forms import BackOfficeStyleMixin, DateInput
from gonghui.members.queries import member_by_number
from gonghui.orgs.queries import visible_to

from .models import HardshipFile

DATE = DateInput()
HOUSEHOLD_HELP = "每行一人：姓名,关系,月收入（元），如“王五,本人,1800”。第一行为本人。"


def cadres_in_scope(user):
    """Active cadre accounts of `user`'s subtree, by union."""
    return visible_to(user, User.objects.select_related("org")).filter(is_active=True).order_by("org__path", "id")


def parse_household(text: str) -> list[dict]:
    """"姓名,关系,月收入" per line (commas, Chinese commas or tabs) → [{"name", "relation", "monthly_income"}];
    the amounts are checked by the action."""
    people = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
        if len(parts) != 3:
            raise DomainError(f"家庭成员第{n}行应为“姓名,关系,月收入”三项，用逗号分隔。", field="household")
        people.append({"name": parts[0], "relation": parts[1], "monthly_income": parts[2]})
    return people


def split_list(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
            if p.strip()]


class OpenFileForm(BackOfficeStyleMixin, forms.Form):
    member_number = forms.CharField(label="会员证号", max_length=30)
    level = forms.ChoiceField(label="档案级别", choices=[("", "（请选择）"), *HardshipFile.Level.choices])
    category = forms.ChoiceField(label="困难类别", choices=[("", "（请选择）"), *HardshipFile.Category.choices])
    causes = forms.CharField(label="致困原因", max_length=200, required=False,
                             help_text="多项用逗号或顿号分隔，如“因病、子女就学”。")
    housing = forms.CharField(label="住房情况", max_length=100, required=False)
    household = forms.CharField(label="家庭成员", help_text=HOUSEHOLD_HELP, widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label="帮扶措施（一人一策）", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    responsible = forms.ModelChoiceField(label="责任人", queryset=User.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["responsible"].queryset = cadres_in_scope(user)

    def clean_member_number(self):
        try:
            self.member = member_by_number(self.user, self.cleaned_data["member_number"])
        except DomainError as e:
            raise forms.ValidationError(e.message) from None
        return self.cleaned_data["member_number"]

    def clean_causes(self):
        return split_list(self.cleaned_data["causes"])

    def clean_household(self):
        try:
            return parse_household(self.cleaned_data["household"])
        except DomainError as e:
            raise forms.ValidationError(e.message) from None


class PairForm(BackOfficeStyleMixin, forms.Form):
    paired_cadre = forms.ModelChoiceField(label="结对帮扶干部", queryset=User.objects.none(),
                                          help_text="建档工会或其上级工会（本级及下级范围内）的干部账号。")

    def __init__(self, *args, user, file: HardshipFile, **kwargs):
        super().__init__(*args, **kwargs)
        chain = [file.org, *file.org.ancestors()]
        self.fields["paired_cadre"].queryset = cadres_in_scope(user).filter(org__in=chain)
        if file.paired_cadre_id:
            self.initial.setdefault("paired_cadre", file.paired_cadre_id)


class PlanForm(BackOfficeStyleMixin, forms.Form):
    measures = forms.CharField(label="帮扶措施（一人一策）", widget=forms.Textarea(attrs={"rows": 4}))
    responsible = forms.ModelChoiceField(label="责任人", queryset=User.objects.none(), required=False,
                                         help_text="建档工会或其上级工会（本级及下级范围内）的干部账号。")
    review_due = forms.DateField(label="下次复核日期", required=False, widget=DATE,
                                 help_text="默认为当前的复核日期；留空则不变。")

    def __init__(self, *args, user, file: HardshipFile, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = cadres_in_scope(user).filter(org__in=[file.org, *file.org.ancestors()])
        self.initial.setdefault("measures", file.measures)
        self.initial.setdefault("responsible", file.responsible_id)
        self.initial.setdefault("review_due", file.review_due)


class ReviewForm(BackOfficeStyleMixin, forms.Form):
    note = forms.CharField(label="复核情况", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label="困难类别（如有变化）", required=False,
                                 choices=[("", "（不变）"), *HardshipFile.Category.choices])
    household = forms.CharField(label="家庭成员（如有变化）", required=False,
                                help_text=HOUSEHOLD_HELP + "留空则不变。", widget=forms.Textarea(attrs={"rows": 4}))

    def clean_household(self):
        if not self.cleaned_data["household"].strip():
            return None
        try:
            return parse_household(self.cleaned_data["household"])
        except DomainError as e:
            raise forms.ValidationError(e.message) from None


class CloseForm(BackOfficeStyleMixin, forms.Form):
    exit_reason = forms.ChoiceField(label="退出原因", choices=[("", "（请选择）"), *HardshipFile.ExitReason.choices])
    exit_on = forms.DateField(label="退出日期", widget=DATE)
    follow_up_on = forms.DateField(label="返困回访日期", required=False, widget=DATE,
                                   help_text="选填：退出后回访，防止返困。")
    note = forms.CharField(label="说明", max_length=300, required=False)
