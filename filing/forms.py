"""The forms of the filing wizard's steps. Field names are short; labels are what the citizen reads."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from dossiers.declaration import INVALID_EMAIL, IdNumberField, PastDateField, PhoneField, normalise_tax_code
from dossiers.models import ApplicantType, DeliveryMethod
from dossiers.services import allowed_delivery_methods
from portal.captcha import captcha_field

_SPACES = re.compile(r"\s+")
# Letters of any alphabet (Vietnamese included), with single spaces, apostrophes, hyphens or dots between.
_PERSON_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.]{1,2}[^\W\d_]+)*\.?$")


def collapse_spaces(value):
    return _SPACES.sub(" ", value or "").strip()


class AgencyForm(forms.Form):
    """Step 1: the receiving agency, among the procedure's active agencies, grouped by parent."""

    agency = forms.TypedChoiceField(label=_("Cơ quan tiếp nhận"), coerce=int, widget=forms.RadioSelect,
                                    error_messages={"required": _("Vui lòng chọn cơ quan tiếp nhận hồ sơ."),
                                                    "invalid_choice": _("Cơ quan đã chọn không tiếp nhận thủ tục này.")})

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        # Every agency of the procedure is a valid answer, even when the search box shows fewer.
        self.fields["agency"].choices = grouped_agency_choices(agencies)


def grouped_agency_choices(agencies):
    """Radio choices grouped under each agency's parent (Django renders groups as labelled lists)."""
    groups = {}
    for agency in agencies:
        parent = agency.parent.name if agency.parent_id else str(agency.tier)
        groups.setdefault(parent, []).append((agency.pk, agency.name))
    return [(parent, options) for parent, options in groups.items()]


class ApplicantForm(forms.Form):
    """Step 2a: who files (người nộp hồ sơ)."""

    applicant_type = forms.ChoiceField(label=_("Người nộp là"), choices=ApplicantType.choices,
                                       widget=forms.RadioSelect, initial=ApplicantType.CITIZEN)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    birth_date = PastDateField(label=_("Ngày sinh"))
    id_number = IdNumberField(label=_("Số định danh cá nhân (CCCD)"),
                              help_text=_("12 chữ số trên thẻ căn cước/căn cước công dân."))
    phone = PhoneField(label=_("Số điện thoại di động"),
                       help_text=_("Nhận tin nhắn SMS về tình trạng hồ sơ. Ví dụ: 0912 345 678."))
    email = forms.EmailField(label=_("Thư điện tử"), required=False, max_length=254,
                             error_messages={"invalid": INVALID_EMAIL},
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    address = forms.CharField(label=_("Địa chỉ liên hệ"), max_length=500,
                              help_text=_("Số nhà, đường/phố, phường/xã, quận/huyện, tỉnh/thành phố."))
    organisation_name = forms.CharField(label=_("Tên tổ chức, doanh nghiệp"), max_length=255, required=False)
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=20, required=False)
    # Only for a declaration about two people (a marriage): which of them files (filing/parties.py).
    party = forms.ChoiceField(
        label=_("Người nộp hồ sơ là một bên?"), required=False, widget=forms.RadioSelect,
        help_text=_("Nếu bạn là một bên, chọn bên đó: họ tên, ngày sinh và số định danh của bên đó lấy từ "
                    "thông tin người nộp ở trên, không phải nhập lại."),
        error_messages={"invalid_choice": _("Vui lòng chọn bên nam, bên nữ hoặc khai riêng thông tin từng bên.")})

    def __init__(self, *args, procedure, account=None, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        if parties:
            self.fields["party"].choices = [("", _("Không, khai riêng thông tin từng bên")), *parties]
        else:
            del self.fields["party"]
        if procedure.for_citizens and procedure.for_organisations:
            self.allowed_types = {ApplicantType.CITIZEN, ApplicantType.ORGANISATION}
        else:
            fixed = ApplicantType.ORGANISATION if procedure.for_organisations else ApplicantType.CITIZEN
            self.allowed_types = {fixed}
            del self.fields["applicant_type"]
        if ApplicantType.ORGANISATION not in self.allowed_types:
            del self.fields["organisation_name"]
            del self.fields["tax_code"]
        elif self.allowed_types == {ApplicantType.ORGANISATION}:
            self.fields["organisation_name"].required = True
            self.fields["tax_code"].required = True
            self.fields["full_name"].label = _("Họ và tên người đại diện, người nộp")
        if account:
            self._lock_to_account(account)

    def _lock_to_account(self, account):
        """A VNeID sign-in fixes who files: the claims fill these fields and the posted values are ignored."""
        locked = {"full_name": account.full_name, "id_number": account.id_number,
                  "birth_date": account.birth_date_value}
        if account.is_organisation and "tax_code" in self.fields:
            locked["tax_code"] = account.tax_code
            if "applicant_type" in self.fields:
                locked["applicant_type"] = ApplicantType.ORGANISATION
        for name, value in locked.items():
            if value:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Theo tài khoản VNeID đã đăng nhập; không sửa được.")
                self.initial[name] = value
        self.locked_fields = [name for name, value in locked.items() if value]

    @property
    def shows_organisation(self):
        return "organisation_name" in self.fields

    def clean_full_name(self):
        name = collapse_spaces(self.cleaned_data["full_name"])
        if not _PERSON_NAME.match(name):
            raise forms.ValidationError(_("Họ và tên chỉ gồm chữ cái và khoảng trắng, ví dụ: Nguyễn Văn An."),
                                        code="name")
        return name

    def clean_address(self):
        return collapse_spaces(self.cleaned_data["address"])

    def clean_organisation_name(self):
        return collapse_spaces(self.cleaned_data.get("organisation_name", ""))

    def clean_tax_code(self):
        value = self.cleaned_data.get("tax_code", "")
        return normalise_tax_code(value) if value.strip() else ""

    def clean(self):
        cleaned = super().clean()
        applicant_type = cleaned.get("applicant_type") or next(iter(self.allowed_types))
        cleaned["applicant_type"] = applicant_type
        if applicant_type == ApplicantType.ORGANISATION:
            if not cleaned.get("organisation_name") and "organisation_name" not in self.errors:
                self.add_error("organisation_name", _("Vui lòng nhập tên tổ chức, doanh nghiệp."))
            if not cleaned.get("tax_code") and "tax_code" not in self.errors:
                self.add_error("tax_code", _("Vui lòng nhập mã số thuế của tổ chức, doanh nghiệp."))
        else:
            cleaned["organisation_name"] = ""
            cleaned["tax_code"] = ""
        if cleaned.get("party") and applicant_type == ApplicantType.ORGANISATION and "party" not in self.errors:
            self.add_error("party", _("Người nộp là tổ chức thì không thể là một bên; vui lòng chọn "
                                      "“Không, khai riêng thông tin từng bên”."))
        return cleaned


class OptionsForm(forms.Form):
    """Step 2c: which fee case applies and (level 4) how the result comes back."""

    fee = forms.TypedChoiceField(label=_("Trường hợp phí, lệ phí"), coerce=int, widget=forms.RadioSelect,
                                 error_messages={"required": _("Vui lòng chọn trường hợp phí, lệ phí áp dụng.")})
    delivery_method = forms.ChoiceField(label=_("Hình thức nhận kết quả"), widget=forms.RadioSelect,
                                        error_messages={"required": _("Vui lòng chọn hình thức nhận kết quả.")})
    delivery_address = forms.CharField(label=_("Địa chỉ nhận kết quả qua bưu chính"), max_length=500,
                                       required=False,
                                       help_text=_("Mặc định là địa chỉ liên hệ của người nộp; sửa nếu cần."))

    def __init__(self, *args, procedure, fees, default_address="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fees = list(fees)
        self.default_address = default_address
        if len(self.fees) > 1:
            self.fields["fee"].choices = [(fee.pk, str(fee)) for fee in self.fees]
        else:
            del self.fields["fee"]
        if procedure.pays_online:
            # Level 4 ("toàn trình") means no visit: the result online when it can be, else by post.
            choices = allowed_delivery_methods(procedure)
            order = [DeliveryMethod.ONLINE, DeliveryMethod.POST, DeliveryMethod.IN_PERSON]
            self.fields["delivery_method"].choices = sorted(choices, key=lambda choice: order.index(choice[0]))
            self.fields["delivery_method"].initial = self.fields["delivery_method"].choices[0][0]
        else:
            del self.fields["delivery_method"]
            del self.fields["delivery_address"]

    def clean_delivery_address(self):
        return collapse_spaces(self.cleaned_data.get("delivery_address", ""))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("delivery_method") == DeliveryMethod.POST and not cleaned.get("delivery_address"):
            # Left empty: the result goes to the applicant's contact address.
            cleaned["delivery_address"] = collapse_spaces(self.default_address)
        if cleaned.get("delivery_method") == DeliveryMethod.POST and not cleaned.get("delivery_address") \
                and "delivery_address" not in self.errors:
            self.add_error("delivery_address", _("Vui lòng nhập địa chỉ nhận kết quả qua bưu chính."))
        return cleaned

    def chosen_fee(self):
        """The Fee that applies (the only one, the chosen one), or None when the procedure has none."""
        if "fee" in self.fields:
            return next((fee for fee in self.fees if fee.pk == self.cleaned_data.get("fee")), None)
        return self.fees[0] if self.fees else None


class ConfirmForm(forms.Form):
    """Step 5: the captcha and the applicant's pledge. The draft's token makes a resubmission harmless."""

    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    captcha = captcha_field()
    consent = forms.BooleanField(
        label=_("Tôi xin cam đoan những thông tin đã khai là đúng sự thật và chịu trách nhiệm trước pháp luật."),
        error_messages={"required": _("Vui lòng đánh dấu xác nhận cam đoan trước khi nộp hồ sơ.")},
    )


class UploadCaptchaForm(forms.Form):
    """The captcha a visitor answers once per draft before its first file is stored (filing/quotas.py)."""

    captcha = captcha_field(help_text=_("Chỉ hỏi một lần cho mỗi hồ sơ, trước khi tải tệp lên lần đầu."))
