"""The declaration form built from a procedure's fields: all ten types, validation, snapshot and display."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from dossiers.declaration import (
    declaration_form,
    describe,
    normalise_phone,
    normalise_tax_code,
    schema_snapshot,
    validate_id_number,
)
from procedures.models import DeclarationFieldType as T
from tests.factories import DeclarationFieldFactory, ProcedureFactory

ALL_TYPES = [
    {"key": "ho_ten", "label": "Họ tên của trẻ", "field_type": T.SHORT_TEXT, "is_required": True, "max_value": 50},
    {"key": "ghi_chu", "label": "Ghi chú", "field_type": T.LONG_TEXT},
    {"key": "so_con", "label": "Số con", "field_type": T.NUMBER, "min_value": 0, "max_value": 20},
    {"key": "ngay_sinh", "label": "Ngày sinh", "field_type": T.DATE, "is_required": True},
    {"key": "ngay_hen", "label": "Ngày dự kiến", "field_type": T.DATE, "allow_future": True},
    {"key": "gioi_tinh", "label": "Giới tính", "field_type": T.CHOICE, "choices": "Nam\nNữ", "is_required": True},
    {"key": "giay_to", "label": "Giấy tờ có", "field_type": T.MULTIPLE_CHOICE,
     "choices": "Giấy chứng sinh\nCCCD của cha\nCCCD của mẹ", "max_value": 2},
    {"key": "dong_y", "label": "Đồng ý", "field_type": T.CHECKBOX, "is_required": True},
    {"key": "dien_thoai_me", "label": "Điện thoại của mẹ", "field_type": T.PHONE},
    {"key": "email_cha", "label": "Thư của cha", "field_type": T.EMAIL},
    {"key": "cccd_me", "label": "CCCD của mẹ", "field_type": T.ID_NUMBER},
]
VALID = {"tk-ho_ten": "Trần Minh Khôi", "tk-ghi_chu": "Sinh đôi", "tk-so_con": "2", "tk-ngay_sinh": "2025-01-31",
         "tk-ngay_hen": (timezone.localdate() + timedelta(days=30)).isoformat(), "tk-gioi_tinh": "Nam",
         "tk-giay_to": ["Giấy chứng sinh", "CCCD của mẹ"], "tk-dong_y": "on", "tk-dien_thoai_me": "024 3825 1234",
         "tk-email_cha": "cha@example.com", "tk-cccd_me": "001 190 012 345"}


@pytest.fixture(autouse=True)
def vietnamese():
    """Django's own messages in Vietnamese, whatever an earlier test left active."""
    with translation.override("vi"):
        yield


@pytest.fixture
def schema(db):
    procedure = ProcedureFactory()
    for order, spec in enumerate(ALL_TYPES):
        DeclarationFieldFactory(procedure=procedure, order=order, **spec)
    return schema_snapshot(procedure)


def test_every_type_is_built_validated_and_stored_as_json(schema):
    form = declaration_form(schema, VALID)
    assert form.is_valid(), form.errors
    assert form.values() == {
        "ho_ten": "Trần Minh Khôi", "ghi_chu": "Sinh đôi", "so_con": "2", "ngay_sinh": "2025-01-31",
        "ngay_hen": VALID["tk-ngay_hen"], "gioi_tinh": "Nam", "giay_to": ["Giấy chứng sinh", "CCCD của mẹ"],
        "dong_y": True, "dien_thoai_me": "+842438251234", "email_cha": "cha@example.com",
        "cccd_me": "001190012345"}


@pytest.mark.parametrize("key, value, message", [
    ("ho_ten", "", "bắt buộc"),
    ("ho_ten", "x" * 51, "50"),
    ("so_con", "21", "20"),
    ("so_con", "hai", "Vui lòng nhập một số."),
    ("ngay_sinh", (timezone.localdate() + timedelta(days=1)).isoformat(), "Ngày không được sau ngày hôm nay."),
    ("ngay_sinh", "31/02/2020", "Ngày không hợp lệ"),
    ("gioi_tinh", "Khác", "không"),
    ("giay_to", ["Giấy chứng sinh", "CCCD của cha", "CCCD của mẹ"], "Chọn nhiều nhất 2 mục."),
    ("dong_y", "", "bắt buộc"),
    ("dien_thoai_me", "123", "Số điện thoại không hợp lệ"),
    ("email_cha", "khong-phai-thu", "Địa chỉ thư điện tử không hợp lệ"),
    ("cccd_me", "12345678901", "12 chữ số"),
])
def test_invalid_values_get_a_vietnamese_message(schema, key, value, message):
    form = declaration_form(schema, {**VALID, f"tk-{key}": value})
    assert not form.is_valid()
    assert key in form.errors
    assert message.lower() in " ".join(form.errors[key]).lower()


def test_dates_may_be_typed_day_first_and_numbers_with_a_decimal_comma(schema):
    form = declaration_form(schema, {**VALID, "tk-ngay_sinh": "31/01/2025", "tk-so_con": "1,5"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["ngay_sinh"] == date(2025, 1, 31)
    assert form.values()["so_con"] == "1.5"


def test_a_snapshot_builds_the_same_form_without_the_procedure(schema):
    labels = [field.label for field in declaration_form(schema).fields.values()]
    assert labels == [spec["label"] for spec in ALL_TYPES]
    assert declaration_form(schema).fields["ho_ten"].required is True


def test_describe_shows_values_as_a_person_reads_them(schema):
    form = declaration_form(schema, VALID)
    assert form.is_valid()
    rows = dict(describe(schema, form.values()))
    assert rows["Ngày sinh"] == "31/01/2025"
    assert rows["Giấy tờ có"] == "Giấy chứng sinh, CCCD của mẹ"
    assert rows["Đồng ý"] == "Có"


@pytest.mark.parametrize("typed", ["0912 345 678", "+84912345678", "84-912-345-678", "0912.345.678",
                                   "(+84) 912 345 678", "+84 0912 345 678", "0084912345678"])
def test_phone_numbers_are_normalised(typed):
    assert normalise_phone(typed) == "+84912345678"


@pytest.mark.parametrize("typed", ["", "12345", "0212 345 678", "091234567", "09123456789", "+1 912 345 678",
                                   "0912-abc-678", "024 3825 1234"])
def test_invalid_mobile_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        normalise_phone(typed)


def test_landlines_only_where_a_landline_is_fine():
    assert normalise_phone("024 3825 1234", mobile_only=False) == "+842438251234"


def test_id_numbers_and_tax_codes():
    assert validate_id_number(" 001 090 012 345 ") == "001090012345"
    for bad in ("00109001234", "0010900123456", "00109001234A"):
        with pytest.raises(ValidationError):
            validate_id_number(bad)
    assert normalise_tax_code("0101234567") == "0101234567"
    assert normalise_tax_code("0101234567-001") == "0101234567-001"
    with pytest.raises(ValidationError):
        normalise_tax_code("12345")
