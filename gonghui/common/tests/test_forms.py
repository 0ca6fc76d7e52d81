"""Back-office form widgets: the date box renders a date the browser's picker accepts under zh-hans, and our
own forms' text areas get unfold's styling (found by the issue 6 browser journey: a pre-filled 发放日期 showed
empty and blocked the form)."""

import datetime

from django import forms
from django.utils import translation

from gonghui.common.forms import BackOfficeStyleMixin, DateInput


class _Form(BackOfficeStyleMixin, forms.Form):
    on = forms.DateField(widget=DateInput())
    note = forms.CharField(widget=forms.Textarea)


def test_date_box_renders_iso_dates_under_zh_hans():
    with translation.override("zh-hans"):
        html = _Form(initial={"on": datetime.date(2026, 11, 21)})["on"].as_widget()
        plain = forms.DateInput(attrs={"type": "date"}).render("on", datetime.date(2026, 11, 21))
    assert 'type="date"' in html and 'value="2026-11-21"' in html
    assert 'value="2026/11/21"' in plain  # what Django's own widget gives, which the picker shows as empty


def test_text_areas_get_the_admin_styling():
    html = _Form()["note"].as_widget()
    assert "border" in html and "rounded" in html
