"""FastSelect writes exactly the markup of Django's Select (the catalogue's filters use it for speed)."""

import pytest
from django import forms

from procedures.forms import CatalogueFilterForm, FastSelect, FastTextInput
from tests.factories import AgencyFactory

CHOICES = [("", "Tất cả"), (1, "Mức độ 1"), (2, 'Tên có "ngoặc" & <thẻ>'),
           ("Nhóm", [(3, "Trong nhóm"), (4, "Cũng trong nhóm")])]


@pytest.mark.parametrize("value", [None, "", 1, "2", 4, "không có"])
def test_the_markup_is_djangos(value):
    attrs = {"id": "id_muc_do", "required": True, "aria-describedby": "muc_do_helptext"}
    ours = FastSelect(choices=CHOICES).render("muc_do", value, attrs)
    djangos = forms.Select(choices=CHOICES).render("muc_do", value, attrs)
    assert ours == djangos


@pytest.mark.django_db
@pytest.mark.parametrize("chosen", ["none", "level", "each", "unknown"])
def test_the_catalogue_filters_render_as_with_djangos_select(chosen):
    AgencyFactory(name="UBND phường Hàng Bông")
    last = AgencyFactory(name="Sở Tư pháp <& “Hà Nội”>")
    data = {"none": {}, "level": {"muc_do": "3", "q": "khai sinh"},
            "each": {"muc_do": "4", "cap": last.tier.slug, "co_quan": str(last.pk), "linh_vuc": ""},
            "unknown": {"muc_do": "9", "cap": "khong-co", "co_quan": "999999"}}[chosen]
    form = CatalogueFilterForm(data)
    form.is_valid()
    for name in ("cap", "co_quan", "linh_vuc", "muc_do"):
        field = form[name]
        # The bound field's own rendering (its id, aria attributes), with Django's widget in place of ours.
        expected = field.as_widget(widget=forms.Select(choices=field.field.choices))
        assert str(field) == expected, name


@pytest.mark.parametrize("value", [None, "", "000.00.12.H26-241124-0001", 'có "ngoặc" & <thẻ>', 42])
@pytest.mark.parametrize("attrs", [
    {},
    {"id": "id_code", "required": True, "aria-describedby": "id_code_helptext", "maxlength": "200"},
    {"type": "search", "placeholder": "Ví dụ: “khai sinh” & <b>", "autocomplete": "off", "size": 6, "hidden": False},
])
def test_the_text_input_is_djangos(value, attrs):
    widget_attrs = {key: attrs[key] for key in ("type", "placeholder") if key in attrs}
    render_attrs = {key: item for key, item in attrs.items() if key not in widget_attrs}
    ours = FastTextInput(attrs=widget_attrs).render("code", value, render_attrs)
    djangos = forms.TextInput(attrs=widget_attrs).render("code", value, render_attrs)
    assert ours == djangos


@pytest.mark.django_db
def test_the_lookup_and_catalogue_inputs_render_as_with_djangos():
    from tracking.forms import LookupForm

    for form, name in ((LookupForm({"code": "abc <x>", "phone_last4": "12"}), "code"),
                       (LookupForm({"code": "abc <x>", "phone_last4": "12"}), "phone_last4"),
                       (CatalogueFilterForm({"q": "giấy \"phép\""}), "q")):
        form.is_valid()
        field = form[name]
        djangos = forms.TextInput(attrs=field.field.widget.attrs)
        djangos.input_type = field.field.widget.input_type
        assert str(field) == field.as_widget(widget=djangos), name
