from django import forms
from unfold.fields import UnfoldAdminAutocompleteModelChoiceField
from unfold.widgets import UnfoldAdminAutocompleteModelChoiceFieldWidget

from gonghui.common.errors import DomainError
from gonghui.common.forms import BackOfficeStyleMixin, DateInput

from . import actions
from .models import Org
from .queries import visible_to


class OrgForm(forms.ModelForm):
    """Back-office form for an org; clean() runs the actions' own checks so errors show on the form.
    The admin sets `actor` (the acting account) on a subclass."""

    actor = None

    class Meta:
        model = Org
        fields = [
            "code", "name", "kind", "parent", "uscc", "region_code", "employer_name", "employer_uscc",
            "employer_type", "industry", "employee_count", "founded_on", "chair_name", "phone",
            "has_congress", "has_disclosure",
        ]

    def facts(self) -> dict:
        return {f: self.cleaned_data[f] for f in actions.FACT_FIELDS if f in self.cleaned_data}

    def clean(self):
        super().clean()
        facts = self.facts()
        if self.instance.pk:
            facts = {**{f: getattr(self.instance, f) for f in actions.FACT_FIELDS}, **facts,
                     "pk": self.instance.pk}
        for field, message in actions.check_facts(facts):
            self.add_error(field if field in self.fields else None, message)
        parent = self.cleaned_data.get("parent") if not self.instance.pk else self.instance.parent
        try:
            actions.check_placement(self.actor, parent, facts.get("kind"), new=not self.instance.pk)
        except DomainError as e:
            self.add_error(e.field if e.field in self.fields else None, e.message)
        return self.cleaned_data


class MoveForm(BackOfficeStyleMixin, forms.Form):
    new_parent = forms.ModelChoiceField(label="新的上级组织", queryset=Org.objects.none())


class DissolveForm(BackOfficeStyleMixin, forms.Form):
    on = forms.DateField(label="撤销日期", required=False, widget=DateInput())
    reason = forms.CharField(label="撤销原因", max_length=200)


class MergeForm(BackOfficeStyleMixin, forms.Form):
    into = forms.ModelChoiceField(label="并入组织", queryset=Org.objects.none())
    on = forms.DateField(label="合并日期", required=False, widget=DateInput())


def org_label(org: Org) -> str:
    return f"{org.name}（{org.code}）"


class OrgPickerWidget(UnfoldAdminAutocompleteModelChoiceFieldWidget):
    """A search box over the account's subtree (`views.pick_org` answers it): only the chosen org is
    rendered, never the whole list (84 000 orgs at a province)."""

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in value if str(v).isdigit()]
        orgs = self.choices.queryset.filter(pk__in=chosen) if chosen else []
        return [(None, [self.create_option(name, org.pk, org_label(org), True, i)], i) for i, org in enumerate(orgs)]


def org_picker(user, *, label: str, help_text: str = "") -> forms.ModelChoiceField:
    """The one way a form asks for a union: the active orgs of `user`'s subtree, searched by code or name.
    An org outside the subtree is not a valid choice."""
    return UnfoldAdminAutocompleteModelChoiceField(
        url_path="admin:orgs_org_pick", queryset=visible_to(user, Org).active().order_by("path"),
        widget=OrgPickerWidget, label=label,
        help_text=help_text or "输入组织代码或名称查找；限本账号所属工会及其下级工会。")
