"""The catalogue's model rules: constraints, validation and the diacritic-free search key."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from procedures.documents import content_type_for
from procedures.models import DeclarationFieldType, FormTemplate, JurisdictionTier, Procedure
from procedures.selectors import search_procedures
from procedures.text import search_key, strip_diacritics
from tests.factories import (
    AgencyFactory,
    ComponentFactory,
    DeclarationFieldFactory,
    FeeFactory,
    ProcedureFactory,
    TierFactory,
)


def test_search_key_strips_diacritics_and_case():
    assert strip_diacritics("Đăng ký khai sinh") == "Dang ky khai sinh"
    assert search_key("  ĐĂNG   KÝ KHAI SINH ") == "dang ky khai sinh"
    assert search_key("Giấy phép xây dựng nhà ở riêng lẻ") == "giay phep xay dung nha o rieng le"
    assert search_key("") == ""


@pytest.mark.django_db
def test_saving_a_procedure_keeps_its_search_text_in_step():
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    assert procedure.search_text == "1.001193 dang ky khai sinh"
    procedure.name = "Đăng ký khai tử"
    procedure.save(update_fields=["name"])
    procedure.refresh_from_db()
    assert procedure.search_text == "1.001193 dang ky khai tu"


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["khai sinh", "KHAI SINH", "Khai Sinh", "đăng ký khai sinh", "1.001193"])
def test_search_procedures_finds_without_diacritics(query):
    wanted = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    ProcedureFactory(code="1.000894", name="Đăng ký kết hôn")
    assert list(search_procedures(query=query)) == [wanted]


@pytest.mark.django_db
def test_a_service_level_outside_1_to_4_is_refused_by_the_database():
    procedure = ProcedureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Procedure.objects.filter(pk=procedure.pk).update(service_level=9)


@pytest.mark.django_db
def test_a_procedure_needs_an_applicant_type():
    procedure = ProcedureFactory.build(for_citizens=False, for_organisations=False)
    with pytest.raises(ValidationError, match="ít nhất một đối tượng"):
        procedure.clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureFactory(for_citizens=False, for_organisations=False)


@pytest.mark.django_db
def test_electronic_results_only_for_online_levels():
    with pytest.raises(ValidationError) as error:
        ProcedureFactory.build(service_level=2, allows_electronic_result=True).clean()
    assert "allows_electronic_result" in error.value.message_dict
    ProcedureFactory.build(service_level=4, allows_electronic_result=True).clean()


@pytest.mark.django_db
@pytest.mark.parametrize("code, valid", [("000.00.12.H26", True), ("000.05.22.H26", True), ("H26", False),
                                         ("000.00.12.h26", False), ("000-00-12-H26", False)])
def test_agency_identifier_code_format(code, valid):
    agency = AgencyFactory.build(identifier_code=code, tier=TierFactory())
    if valid:
        agency.full_clean(exclude=["parent"])
    else:
        with pytest.raises(ValidationError) as error:
            agency.full_clean(exclude=["parent"])
        assert "identifier_code" in error.value.message_dict


@pytest.mark.django_db
def test_an_agency_parent_must_be_on_a_higher_tier():
    ward_tier = TierFactory()
    district_tier = JurisdictionTier.objects.create(slug="cap-huyen", name="Cấp huyện", submit_label="…", order=2)
    district = AgencyFactory(tier=district_tier)
    ward = AgencyFactory(tier=ward_tier, parent=district)
    ward.clean()
    district.parent = ward
    with pytest.raises(ValidationError, match="cấp cao hơn"):
        district.clean()


@pytest.mark.django_db
def test_choice_fields_need_choices_and_bounds_must_be_ordered():
    with pytest.raises(ValidationError) as error:
        DeclarationFieldFactory.build(field_type=DeclarationFieldType.CHOICE, choices="Nam").clean()
    assert "choices" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        DeclarationFieldFactory.build(field_type=DeclarationFieldType.NUMBER, min_value=10, max_value=1).clean()
    assert "max_value" in error.value.message_dict
    with pytest.raises(ValidationError):
        DeclarationFieldFactory.build(field_type=DeclarationFieldType.SHORT_TEXT, choices="a\nb").clean()
    field = DeclarationFieldFactory.build(field_type=DeclarationFieldType.CHOICE, choices="Nam\n\n Nữ \n")
    field.clean()
    assert field.choice_list == ["Nam", "Nữ"]


@pytest.mark.django_db
def test_form_templates_accept_documents_only(files_dir):
    component = ComponentFactory()
    bad = FormTemplate(component=component, title="Mẫu", file=SimpleUploadedFile("mau.exe", b"MZ"))
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "file" in error.value.message_dict
    good = FormTemplate(component=component, title="Mẫu", file=SimpleUploadedFile("mau.docx", b"PK"))
    good.full_clean()
    good.save()
    assert good.file.name == f"form-templates/{component.procedure.code}/mau.docx"
    assert good.extension == "DOCX"


def test_content_types_do_not_depend_on_the_system_mime_table():
    assert content_type_for("to-khai.DOCX") == ("application/vnd.openxmlformats-officedocument."
                                                 "wordprocessingml.document")
    assert content_type_for("to-khai.pdf") == "application/pdf"
    assert content_type_for("to-khai") == "application/octet-stream"


@pytest.mark.django_db
def test_fee_is_shown_in_dong():
    assert str(FeeFactory(name="Lệ phí", amount=1200000)) == "Lệ phí: 1.200.000 đ"


@pytest.mark.postgres
@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh"])
def test_search_ignores_diacritics_on_postgresql(postgres, query):
    wanted = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    ProcedureFactory(code="1.000894", name="Đăng ký kết hôn")
    assert list(search_procedures(query=query)) == [wanted]
