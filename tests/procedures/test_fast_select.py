"""FastSelect writes exactly the markup of Django's Select (the catalogue's filters use it for speed)."""

import pytest
from django import forms

from procedures.forms import CatalogueFilterForm, FastSelect
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
def test_the_catalogue_filters_render_as_with_djangos_select():
    AgencyFactory(name="UBND phường Hàng Bông")
    AgencyFactory(name="Sở Tư pháp")
    form = CatalogueFilterForm({"muc_do": "3", "q": "khai sinh"})
    form.is_valid()
    for name in ("cap", "co_quan", "linh_vuc", "muc_do"):
        field = form[name]
        djangos = forms.Select(choices=field.field.choices)
        expected = djangos.render(field.html_name, field.value(), field.build_widget_attrs({"id": field.auto_id}))
        assert str(field) == expected, name
