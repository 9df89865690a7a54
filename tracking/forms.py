"""Forms of the public lookup, the supplement page and the rating page."""

from django import forms
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from dossiers.models import DossierFile, RatingScore
from dossiers.uploads import ACCEPT_ATTRIBUTE, UploadRejected, check_dossier_total, validate_upload
from portal.captcha import captcha_field
from procedures.forms import FastTextInput

from .lookup import CODE_MAX_LENGTH, PHONE_DIGITS, normalize_code


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"), max_length=200, strip=False,
        help_text=_("Mã hồ sơ in trên giấy tiếp nhận hoặc trong tin nhắn, ví dụ 000.00.12.H26-241124-0001."),
        error_messages={"required": _("Vui lòng nhập mã hồ sơ."),
                        "max_length": _("Mã hồ sơ quá dài. Vui lòng kiểm tra lại.")},
        widget=FastTextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "placeholder": "000.00.12.H26-241124-0001"}),
    )
    phone_last4 = forms.CharField(
        label=_("4 số cuối số điện thoại của người nộp (không bắt buộc)"), required=False, max_length=20,
        help_text=_("Để xem tên người nộp, lý do yêu cầu bổ sung hoặc từ chối và để đánh giá hồ sơ."),
        widget=FastTextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 6}),
    )
    captcha = captcha_field()

    def clean_phone_last4(self):
        digits = "".join((self.cleaned_data.get("phone_last4") or "").split())
        if digits and (len(digits) != PHONE_DIGITS or not digits.isdigit()):
            raise forms.ValidationError(_("Vui lòng nhập đúng 4 chữ số cuối của số điện thoại."), code="invalid")
        return digits

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Vui lòng nhập mã hồ sơ."), code="required")
        if len(code) > CODE_MAX_LENGTH:
            raise forms.ValidationError(_("Mã hồ sơ quá dài. Vui lòng kiểm tra lại."), code="max_length")
        return code


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one slot; cleans to a list (empty when optional and nothing was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if not items:
            super().clean(None, initial)  # raises "required" when the slot is required
            return []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class SupplementForm(forms.Form):
    """One upload slot per missing item (several files each), an optional note, the captcha.

    Every file goes through the filing's checks (``dossiers.uploads``): real content
    type, size per file, and the dossier's total size including what is stored already.
    ``cleaned_data["uploads"]`` is then a list of ``(item, CheckedUpload)``.
    """

    note = forms.CharField(label=_("Ghi chú cho cán bộ"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Không bắt buộc. Ví dụ: giải thích về giấy tờ đã bổ sung."))

    def __init__(self, *args, supplement_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.supplement_request = supplement_request
        items = supplement_request.missing_item_list or [_("Giấy tờ bổ sung")]
        self.items = []
        for index, item in enumerate(items):
            name = f"tep_{index}"
            self.fields[name] = MultipleFileField(
                label=item, required=True,
                help_text=_("PDF, JPG, PNG hoặc DOCX; có thể chọn nhiều tệp."),
                error_messages={"required": _("Vui lòng chọn tệp cho giấy tờ này.")},
            )
            self.items.append((name, str(item)))
        # The captcha last, after the documents, like the filing's confirm step.
        self.fields["captcha"] = captcha_field()

    def file_fields(self):
        return [self[name] for name, _item in self.items]

    def clean(self):
        cleaned = super().clean()
        uploads = []
        for name, item in self.items:
            checked_files = []
            for uploaded in cleaned.get(name) or []:
                try:
                    checked_files.append(validate_upload(uploaded))
                except UploadRejected as error:
                    self.add_error(name, error)
            uploads.extend((item, checked) for checked in checked_files)
        if uploads and not self.errors:
            stored = (DossierFile.objects.filter(dossier_id=self.supplement_request.dossier_id)
                      .aggregate(total=Sum("size"))["total"] or 0)
            try:
                check_dossier_total([checked for _item, checked in uploads], already_stored_bytes=stored)
            except UploadRejected as error:
                self.add_error(None, error)
        cleaned["uploads"] = uploads
        return cleaned


class RatingForm(forms.Form):
    score = forms.ChoiceField(label=_("Mức độ hài lòng"), choices=RatingScore.choices, widget=forms.RadioSelect,
                              error_messages={"required": _("Vui lòng chọn mức độ hài lòng.")})
    comment = forms.CharField(label=_("Góp ý"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Không bắt buộc. Góp ý giúp cơ quan phục vụ tốt hơn."))
