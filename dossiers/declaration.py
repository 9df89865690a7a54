"""The online declaration (tờ khai): a Django form built from a procedure's fields, or from a snapshot.

A procedure's ``DeclarationField`` rows are data edited by the catalogue administrator.
``schema_snapshot(procedure)`` turns them into plain JSON, which is stored with the filed
dossier (``Dossier.declaration_schema``), so later edits of the procedure never change
what was filed; ``declaration_form(schema, …)`` builds the form from either.

The validators here (``normalise_phone``, ``validate_id_number``, ``normalise_tax_code``,
``validate_past_date``) are shared by the applicant's part of the wizard.
"""

import datetime
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from procedures.models import DeclarationFieldType as T

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
EARLIEST_DATE = datetime.date(1900, 1, 1)
TEXT_MAX_LENGTH = 500
LONG_TEXT_MAX_LENGTH = 4000
INVALID_EMAIL = _("Địa chỉ thư điện tử không hợp lệ, ví dụ đúng: ten@example.com.")

# --- Shared validators ---------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
_MOBILE = re.compile(r"^[35789]\d{8}$")
_LANDLINE = re.compile(r"^2\d{9}$")


def normalise_phone(value, *, mobile_only=True):
    """``0912 345 678``, ``+84912345678``, ``84-912-345-678`` → ``+84912345678``; anything else is refused.

    Mobile numbers have 9 digits after the country code, starting 3, 5, 7, 8 or 9;
    with ``mobile_only=False`` landlines (2 + 9 digits, e.g. 024 3825 1234) are accepted too.
    """
    raw = _PHONE_SEPARATORS.sub("", str(value or ""))
    national = None
    if raw.startswith("+84"):
        national = raw[3:]
    elif raw.startswith("0084"):
        national = raw[4:]
    elif raw.startswith("84") and len(raw) in (11, 12):
        national = raw[2:]
    elif raw.startswith("0"):
        national = raw[1:]
    if national is not None and national.startswith("0") and len(national) in (10, 11):
        national = national[1:]  # "+84 0912 345 678": the trunk 0 written after the country code
    if national is None or not national.isdigit():
        national = ""
    if _MOBILE.match(national) or (not mobile_only and _LANDLINE.match(national)):
        return f"+84{national}"
    if mobile_only:
        message = _("Số điện thoại di động không hợp lệ. Ví dụ đúng: 0912 345 678 hoặc +84 912 345 678.")
    else:
        message = _("Số điện thoại không hợp lệ. Ví dụ đúng: 0912 345 678 hoặc 024 3825 1234.")
    raise ValidationError(message, code="phone")


def validate_id_number(value):
    """The personal identification number (số định danh cá nhân, CCCD): exactly 12 digits."""
    digits = re.sub(r"\s", "", str(value or ""))
    if not re.fullmatch(r"\d{12}", digits):
        raise ValidationError(_("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."), code="id_number")
    return digits


def normalise_tax_code(value):
    """A tax code (mã số thuế): 10 digits, or 13 for a branch, stored as ``0101234567-001``."""
    digits = re.sub(r"[\s.\-]", "", str(value or ""))
    if re.fullmatch(r"\d{10}", digits):
        return digits
    if re.fullmatch(r"\d{13}", digits):
        return f"{digits[:10]}-{digits[10:]}"
    raise ValidationError(_("Mã số thuế gồm 10 chữ số (hoặc 13 chữ số đối với chi nhánh)."), code="tax_code")


def validate_past_date(value, *, allow_future=False):
    if value is None:
        return
    if value < EARLIEST_DATE:
        raise ValidationError(_("Ngày không hợp lệ (trước năm 1900)."), code="too_early")
    if not allow_future and value > timezone.localdate():
        raise ValidationError(_("Ngày không được sau ngày hôm nay."), code="future")


class PhoneField(forms.CharField):
    def __init__(self, *, mobile_only=True, **kwargs):
        self.mobile_only = mobile_only
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "inputmode": "tel",
                                                           "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalise_phone(value, mobile_only=self.mobile_only) if value else value


class IdNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return validate_id_number(value) if value else value


class PastDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (also yyyy-mm-dd), not in the future unless allowed.

    A text box, not the browser's date picker: the picker shows mm/dd/yyyy in many browsers
    set to Vietnamese while the label and the errors speak of ngày/tháng/năm.
    """

    def __init__(self, *, allow_future=False, **kwargs):
        self.allow_future = allow_future
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault("widget", forms.DateInput(
            attrs={"inputmode": "numeric", "placeholder": _("ngày/tháng/năm"), "autocomplete": "off",
                   "pattern": r"[0-9./\-]{8,10}", "maxlength": "10"}, format="%d/%m/%Y"))
        kwargs.setdefault("error_messages", {"invalid": _("Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm.")})
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        validate_past_date(value, allow_future=self.allow_future)
        return value


class NumberField(forms.DecimalField):
    """A number; a single comma is read as the decimal separator, as Vietnamese write it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs.setdefault("error_messages", {"invalid": _("Vui lòng nhập một số.")})
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
            if value.count(",") == 1 and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


# --- The schema ---------------------------------------------------------------------------------------

def _decimal_or_none(value):
    return None if value in (None, "") else format(Decimal(value).normalize(), "f")


def schema_snapshot(procedure):
    """The procedure's declaration fields as JSON-ready dicts, in order (stored with a filed dossier)."""
    return [
        {
            "key": field.key,
            "label": field.label,
            "help_text": field.help_text,
            "type": field.field_type,
            "required": field.is_required,
            "choices": field.choice_list,
            "min": _decimal_or_none(field.min_value),
            "max": _decimal_or_none(field.max_value),
            "allow_future": field.allow_future,
        }
        for field in procedure.declaration_fields.all()
    ]


def _int_or_none(value):
    return None if value in (None, "") else int(Decimal(value))


def _form_field(spec):
    """One Django form field for one schema entry."""
    common = {"label": spec["label"], "help_text": spec.get("help_text", ""), "required": bool(spec.get("required"))}
    field_type = spec.get("type", T.SHORT_TEXT)
    minimum, maximum = spec.get("min"), spec.get("max")
    if field_type in (T.SHORT_TEXT, T.LONG_TEXT):
        limit = LONG_TEXT_MAX_LENGTH if field_type == T.LONG_TEXT else TEXT_MAX_LENGTH
        max_length = min(_int_or_none(maximum) or limit, limit)
        widget = forms.Textarea(attrs={"rows": 4}) if field_type == T.LONG_TEXT else forms.TextInput
        return forms.CharField(max_length=max_length, min_length=_int_or_none(minimum), widget=widget, **common)
    if field_type == T.NUMBER:
        return NumberField(min_value=None if minimum is None else Decimal(minimum),
                           max_value=None if maximum is None else Decimal(maximum), **common)
    if field_type == T.DATE:
        return PastDateField(allow_future=bool(spec.get("allow_future")), **common)
    if field_type == T.CHOICE:
        choices = [("", _("— Chọn —"))] + [(choice, choice) for choice in spec.get("choices", [])]
        return forms.ChoiceField(choices=choices, **common)
    if field_type == T.MULTIPLE_CHOICE:
        return MultipleChoiceCountField(
            choices=[(choice, choice) for choice in spec.get("choices", [])],
            widget=forms.CheckboxSelectMultiple, minimum=_int_or_none(minimum), maximum=_int_or_none(maximum),
            **common,
        )
    if field_type == T.CHECKBOX:
        return forms.BooleanField(**common)
    if field_type == T.PHONE:
        return PhoneField(mobile_only=False, **common)
    if field_type == T.EMAIL:
        return forms.EmailField(max_length=254, error_messages={"invalid": INVALID_EMAIL}, **common)
    if field_type == T.ID_NUMBER:
        return IdNumberField(**common)
    raise ValueError(f"unknown declaration field type {field_type!r}")


class MultipleChoiceCountField(forms.MultipleChoiceField):
    def __init__(self, *, minimum=None, maximum=None, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and self.minimum and len(value) < self.minimum:
            raise ValidationError(_("Chọn ít nhất %(count)s mục."), code="min_choices",
                                  params={"count": self.minimum})
        if self.maximum and len(value) > self.maximum:
            raise ValidationError(_("Chọn nhiều nhất %(count)s mục."), code="max_choices",
                                  params={"count": self.maximum})


class DeclarationForm(forms.Form):
    """The procedure's own fields; ``schema`` is the list of field definitions it was built from."""

    def __init__(self, *args, schema, **kwargs):
        super().__init__(*args, **kwargs)
        self.schema = schema
        for spec in schema:
            self.fields[spec["key"]] = _form_field(spec)

    def values(self):
        """The cleaned values, JSON-ready (dates ISO, numbers as strings), in schema order."""
        return {spec["key"]: to_json(self.cleaned_data.get(spec["key"])) for spec in self.schema}


def declaration_form(schema, data=None, **kwargs):
    kwargs.setdefault("prefix", "tk")
    return DeclarationForm(data, schema=schema, **kwargs)


def to_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


def describe(schema, values):
    """``[(label, text shown to a person), …]`` of filed values, for the review, receipt and back office."""
    rows = []
    for spec in schema:
        value = values.get(spec["key"])
        field_type = spec.get("type")
        if field_type == T.CHECKBOX:
            text = _("Có") if value else _("Không")
        elif value in (None, "", []):
            text = ""
        elif field_type == T.DATE:
            try:
                text = date_format(datetime.date.fromisoformat(value), "d/m/Y")
            except (TypeError, ValueError):
                text = str(value)
        elif isinstance(value, list):
            text = ", ".join(str(item) for item in value)
        else:
            text = str(value)
        rows.append((spec["label"], text))
    return rows
