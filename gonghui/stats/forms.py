from django import forms
from django.utils import timezone

from gonghui.common.forms import BackOfficeStyleMixin
from gonghui.orgs.models import Org

from .targets import targetable


class TargetForm(BackOfficeStyleMixin, forms.Form):
    """A yearly target of one of the unions the account's union sets targets for (its direct children; the
    root's administrator also its own)."""

    org = forms.ChoiceField(label="工会组织")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    key = forms.ChoiceField(label="指标", help_text="只有可累加的指标（人数、户数、件数、金额等）可设定目标任务。")
    value = forms.DecimalField(label="目标值", min_value=0, max_digits=14, decimal_places=2,
                               help_text="按指标的单位填写，金额以万元计。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = user.org
        unions = list(Org.objects.filter(parent=own).active().order_by("code"))
        if own.parent_id is None:
            unions.insert(0, own)
        self.unions = {o.code: o for o in unions}
        self.fields["org"].choices = [(o.code, f"{o.name}（{o.code}）") for o in unions]
        self.fields["key"].choices = [(f.key, f"{f.label}（{f.unit}）") for f in targetable()]
        self.fields["year"].initial = timezone.localdate().year

    @staticmethod
    def initial_from(query) -> dict:
        """A link's preset (修改 from the list of targets): ?org=CODE&year=Y&key=K&value=V."""
        return {name: query[name] for name in ("org", "year", "key", "value") if query.get(name)}

    def clean_org(self) -> Org:
        return self.unions[self.cleaned_data["org"]]
