"""Forms of the service hall. An item's form is built from its version's field and attachment specs; the
rules are in `actions.check_data` and `attachments.add_attachment`, whose errors are put on the fields."""

from django import forms

from gonghui.common.errors import DomainError
from gonghui.common.forms import BackOfficeStyleMixin, DateInput
from gonghui.members.forms import PlainNumberWidget

from .models import ItemVersion

ACCEPT = {"pdf": ".pdf", "jpg": ".jpg,.jpeg", "png": ".png", "docx": ".docx", "xlsx": ".xlsx"}


class ItemForm(forms.Form):
    """The fields of one item version (all optional here: the action says what is required, in Chinese)."""

    def __init__(self, version: ItemVersion, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        for spec in version.fields:
            label = spec["label"]
            kind = spec.get("type", "text")
            if kind == "textarea":
                field = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 4}))
            elif kind == "date":
                field = forms.CharField(label=label, required=False, widget=DateInput())
            elif kind == "choice":
                field = forms.ChoiceField(label=label, required=False,
                                          choices=[("", "（请选择）"), *[(c, c) for c in spec.get("choices", [])]])
            elif kind == "bool":
                field = forms.ChoiceField(label=label, required=False, choices=[("", "否"), ("是", "是")])
            elif kind in ("id_number", "mobile"):
                field = forms.CharField(label=label, required=False, widget=PlainNumberWidget(
                    attrs={"autocomplete": "off", "inputmode": "tel" if kind == "mobile" else "text"}))
            else:
                attrs = {"inputmode": "decimal"} if kind in ("number", "money") else {}
                field = forms.CharField(label=label, required=False, widget=forms.TextInput(attrs=attrs))
            field.required_mark = bool(spec.get("required"))  # shown as *; the action says what is missing
            self.fields[spec["name"]] = field
        for spec in version.attachments:
            accept = ",".join(ACCEPT.get(t, "." + t) for t in spec.get("types", []))
            help_text = f"{'、'.join(t.upper() for t in spec.get('types', []))}，不超过{spec.get('max_mb', 10)}MB"
            upload = forms.FileField(label=spec["label"], required=False, help_text=help_text,
                                     widget=forms.ClearableFileInput(attrs={"accept": accept}))
            upload.required_mark = bool(spec.get("required"))
            self.fields[f"file_{spec['name']}"] = upload

    def raw(self) -> dict:
        return {spec["name"]: self.cleaned_data.get(spec["name"]) for spec in self.version.fields}

    def uploads(self) -> dict:
        return {spec["name"]: self.cleaned_data.get(f"file_{spec['name']}") for spec in self.version.attachments
                if self.cleaned_data.get(f"file_{spec['name']}")}

    def show(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else (
            f"file_{error.field}" if f"file_{error.field}" in self.fields else None)
        self.add_error(field, error.message)


class NoteForm(BackOfficeStyleMixin, forms.Form):
    note = forms.CharField(label="办理意见", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(BackOfficeStyleMixin, forms.Form):
    note = forms.CharField(label="原因（申请人可见）", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(label="满意度", coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)])
    comment = forms.CharField(label="评价（选填）", max_length=200, required=False)
