from django import forms
from unfold.widgets import INPUT_CLASSES, SELECT_CLASSES, TEXTAREA_CLASSES

_STYLED = (forms.TextInput, forms.PasswordInput, forms.NumberInput, forms.EmailInput, forms.DateInput)


class DateInput(forms.DateInput):
    """The browser's date picker. `<input type="date">` takes only YYYY-MM-DD: with zh-hans Django would
    render a date as 2026/11/21, which the picker shows as an empty box (and a required one blocks the form)."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")


class BackOfficeStyleMixin:
    """Gives a plain form (our own back-office pages) the widget classes of unfold's admin forms, and `show()`
    to put an action's DomainError on the field it names (else on the form)."""

    def show(self, error) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = " ".join(SELECT_CLASSES)
            elif isinstance(widget, forms.Textarea):
                widget.attrs["class"] = " ".join(TEXTAREA_CLASSES)
            elif isinstance(widget, _STYLED):
                widget.attrs["class"] = " ".join(INPUT_CLASSES)
