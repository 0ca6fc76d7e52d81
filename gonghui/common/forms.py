from django import forms
from unfold.widgets import INPUT_CLASSES, SELECT_CLASSES

_STYLED = (forms.TextInput, forms.PasswordInput, forms.NumberInput, forms.EmailInput, forms.DateInput)


class BackOfficeStyleMixin:
    """Gives a plain form (our own back-office pages) the widget classes of unfold's admin forms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = " ".join(SELECT_CLASSES)
            elif isinstance(widget, _STYLED):
                widget.attrs["class"] = " ".join(INPUT_CLASSES)
