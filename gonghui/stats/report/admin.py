"""工作报告模板 in the back office: the versions, newest first. Every cadre may read them; a province
administrator edits (saving makes a new version, made active) and rolls back (回退 on an older version).
Nothing is deleted: the versions are the template's history."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminTextareaWidget

from gonghui.common.errors import DomainError
from gonghui.orgs.backoffice import ScopedAdmin

from ..models import ReportTemplate
from ..registry import catalogue
from . import actions, template, views

HELP = ("以“# ”开头的行是章节标题，其余每行是一段。占位符：{{ members.joined }} 输出数值和单位（如“12人”“1.23万元”），"
        "加格式：|数值（只输出数字）、|去年（去年同期）、|同比（“，同比增长…%”）、|目标（“，完成目标任务的…%，超额完成”）；"
        "{{ 工会 }}、{{ 期间 }}；条件：{% if members.joined %}…{% else %}…{% endif %}。指标见下方“可用指标”。")


class TemplateForm(forms.ModelForm):
    body = forms.CharField(label="报告模板", widget=UnfoldAdminTextareaWidget(attrs={"rows": 24}), help_text=HELP)

    class Meta:
        model = ReportTemplate
        fields = ["body", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "note" not in self.fields:
            return  # a reader's page: every field shown read-only
        if not self.instance.pk:  # a new version starts from the text in use
            self.initial.setdefault("body", template.active_text())
        else:  # saving this version's page makes another version, with a note of its own
            self.initial["note"] = ""
        self.fields["note"].help_text = "保存后成为新的版本并立即使用；原有版本保留，可随时回退。"

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            template.check(body)
        except DomainError as e:
            raise forms.ValidationError(e.message) from None
        return body


@admin.register(ReportTemplate)
class ReportTemplateAdmin(ScopedAdmin):
    form = TemplateForm
    list_display = ["number", "in_use", "note", "created_by", "created_at"]
    list_filter = ["active"]
    search_fields = ["note", "body"]
    readonly_fields = ["number", "active", "created_by", "created_at", "figures"]
    export_fields = ["number", "active", "note", "created_by", "created_at", "body"]
    actions_detail = ["rollback"]

    def get_queryset(self, request):
        return ReportTemplate.objects.select_related("created_by")  # the province's, the same for everyone

    def get_fields(self, request, obj=None):
        head = [] if obj is None else ["number", "active", "created_by", "created_at"]
        return [*head, "body", "note", "figures"]

    def has_add_permission(self, request):
        return actions.can_edit_template(request.user)

    def has_change_permission(self, request, obj=None):
        return actions.can_edit_template(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    @display(description="可用指标")
    def figures(self, obj):
        return format_html_join("", '<div><code>{{{{ {} }}}}</code> {}（{}）</div>',
                                ((fig.key, fig.label, fig.unit) for fig in catalogue()))

    @display(description="当前使用", boolean=True)
    def in_use(self, obj):
        return obj.active

    def save_model(self, request, obj, form, change):
        # Whatever the page, a save is a new version: the version shown stays as it was.
        saved = actions.save_template(body=form.cleaned_data["body"], note=form.cleaned_data.get("note", ""),
                                      by=request.user)
        obj.pk, obj.number, obj.active = saved.pk, saved.number, saved.active

    def save_related(self, request, form, formsets, change):
        pass

    def get_actions_detail(self, request, object_id):
        version = ReportTemplate.objects.filter(pk=object_id).first()
        if version is None or version.active or not actions.can_edit_template(request.user):
            return []
        return super().get_actions_detail(request, object_id)

    @action(description="回退到此版本", url_path="rollback", icon="history")
    def rollback(self, request, object_id):
        return views.activate(request, object_id)
