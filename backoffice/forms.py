"""The small forms behind the back office's transition buttons: one per action, its required inputs.

Each form carries the dossier's ``version`` as the page showed it, so a clerk acting on
a stale page is told the dossier changed (``dossiers.services.DossierChanged``) instead of
overwriting another clerk's work. ``form.apply(dossier=…, actor=…)`` calls the service.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers import services
from dossiers.deadlines import WorkingCalendar
from dossiers.models import DeliveryMethod
from dossiers.uploads import ACCEPT_ATTRIBUTE
from payments.services import PaymentError, exempt


def _reason_field(label, help_text=""):
    return forms.CharField(label=label, help_text=help_text, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))


def _note_field():
    return forms.CharField(label=_("Ghi chú nội bộ"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class TransitionForm(forms.Form):
    """Base: the hidden version and the dossier the form acts on."""

    action = ""
    submit_label = _("Xác nhận")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, dossier, **kwargs):
        self.dossier = dossier
        kwargs.setdefault("initial", {}).setdefault("version", dossier.version)
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)

    def apply(self, *, dossier, actor):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    @property
    def expected_version(self):
        return self.cleaned_data["version"]


class ReceiveForm(TransitionForm):
    """Reception, with the checklist of the procedure's components checked against the originals.

    One tick per component ("đã đối chiếu bản chính"); reception is refused while a
    required component is unticked, and the ticked ones are written into the history
    entry of the reception (its internal note), so the record says what was checked.
    """

    action = "receive"
    submit_label = _("Tiếp nhận hồ sơ")
    note = _note_field()
    CHECK_PREFIX = "doi_chieu_"

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, dossier=dossier, **kwargs)
        self.components = list(dossier.procedure.components.all())
        for component in self.components:
            label = component.name if component.is_required else _("%(name)s (không bắt buộc)") % {
                "name": component.name}
            self.fields[f"{self.CHECK_PREFIX}{component.pk}"] = forms.BooleanField(label=label, required=False)
        # The checklist first, the note last.
        self.order_fields([f"{self.CHECK_PREFIX}{component.pk}" for component in self.components] + ["note"])

    @property
    def checklist(self):
        return [self[f"{self.CHECK_PREFIX}{component.pk}"] for component in self.components]

    @property
    def other_fields(self):
        return [field for field in self.visible_fields() if not field.name.startswith(self.CHECK_PREFIX)]

    def clean(self):
        cleaned = super().clean()
        missing = [component.name for component in self.components
                   if component.is_required and not cleaned.get(f"{self.CHECK_PREFIX}{component.pk}")]
        if missing:
            raise forms.ValidationError(
                _("Chưa đối chiếu bản chính của thành phần bắt buộc: %(names)s. Hãy đánh dấu từng thành phần "
                  "đã đối chiếu trước khi tiếp nhận.") % {"names": "; ".join(missing)})
        return cleaned

    def checked_note(self):
        checked = [component.name for component in self.components
                   if self.cleaned_data.get(f"{self.CHECK_PREFIX}{component.pk}")]
        lines = [_("Đã đối chiếu bản chính: %(names)s.") % {"names": "; ".join(checked)}] if checked else []
        if self.cleaned_data.get("note"):
            lines.append(self.cleaned_data["note"])
        return "\n".join(str(line) for line in lines)

    def preview_appointment(self):
        """The appointment date the dossier would get if received now (shown before confirming)."""
        if self.dossier.received_at is not None and self.dossier.remaining_working_days is None:
            return self.dossier.appointment_date
        days = (self.dossier.remaining_working_days if self.dossier.received_at is not None
                else self.dossier.procedure.processing_days)
        return WorkingCalendar().working_days_after(timezone.now(), days)

    def apply(self, *, dossier, actor):
        return services.receive_dossier(dossier=dossier, actor=actor, expected_version=self.expected_version,
                                        note=self.checked_note())


class SupplementForm(TransitionForm):
    action = "request_supplement"
    submit_label = _("Gửi yêu cầu bổ sung")
    reason = _reason_field(_("Lý do yêu cầu bổ sung"))
    missing_items = forms.CharField(label=_("Giấy tờ cần bổ sung, hoàn thiện"), max_length=4000,
                                    help_text=_("Mỗi dòng một giấy tờ."), widget=forms.Textarea(attrs={"rows": 3}))

    def apply(self, *, dossier, actor):
        return services.request_supplement(dossier=dossier, actor=actor, expected_version=self.expected_version,
                                           reason=self.cleaned_data["reason"],
                                           missing_items=self.cleaned_data["missing_items"])


class RefuseForm(TransitionForm):
    action = "refuse"
    submit_label = _("Từ chối")
    reason = _reason_field(_("Lý do từ chối"), _("Nội dung này được gửi cho công dân."))

    def apply(self, *, dossier, actor):
        return services.refuse_dossier(dossier=dossier, actor=actor, expected_version=self.expected_version,
                                       reason=self.cleaned_data["reason"])


class AssignForm(TransitionForm):
    action = "assign"
    submit_label = _("Chuyển xử lý")
    specialist = forms.ModelChoiceField(label=_("Chuyên viên xử lý"), queryset=None)
    note = _note_field()

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, dossier=dossier, **kwargs)
        self.fields["specialist"].queryset = dossier.agency.staff.filter(is_active=True).order_by(
            "last_name", "first_name", "username")
        self.fields["specialist"].label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def apply(self, *, dossier, actor):
        return services.assign_dossier(dossier=dossier, actor=actor, expected_version=self.expected_version,
                                       specialist=self.cleaned_data["specialist"], note=self.cleaned_data["note"])


class ResultForm(TransitionForm):
    action = "record_result"
    submit_label = _("Ghi nhận kết quả")
    result_note = forms.CharField(label=_("Kết quả giải quyết"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("Ví dụ: Đã cấp Giấy khai sinh số 123/2027."))
    result_file = forms.FileField(label=_("Văn bản kết quả"), required=False,
                                  widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("result_note") or "").strip() and not cleaned.get("result_file"):
            raise forms.ValidationError(_("Cần nhập nội dung kết quả hoặc tải lên văn bản kết quả."))
        return cleaned

    def apply(self, *, dossier, actor):
        return services.record_result(dossier=dossier, actor=actor, expected_version=self.expected_version,
                                      note=self.cleaned_data["result_note"],
                                      result_file=self.cleaned_data.get("result_file"))


class ReturnForm(TransitionForm):
    action = "return_result"
    submit_label = _("Trả kết quả")
    method = forms.ChoiceField(label=_("Hình thức trả"), choices=[
        (DeliveryMethod.IN_PERSON.value, DeliveryMethod.IN_PERSON.label),
        (DeliveryMethod.ONLINE.value, DeliveryMethod.ONLINE.label),
    ])
    originals_collected = forms.BooleanField(label=_("Đã thu bản chính giấy tờ theo quy định"), required=False)
    note = _note_field()

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, dossier=dossier, **kwargs)
        if dossier.delivery_method == DeliveryMethod.ONLINE:
            self.fields["method"].initial = DeliveryMethod.ONLINE

    def apply(self, *, dossier, actor):
        return services.return_result(dossier=dossier, actor=actor, expected_version=self.expected_version,
                                      method=self.cleaned_data["method"],
                                      originals_collected=self.cleaned_data["originals_collected"],
                                      note=self.cleaned_data["note"])


class DispatchForm(TransitionForm):
    action = "dispatch"
    submit_label = _("Gửi qua bưu chính")
    tracking_number = forms.CharField(label=_("Số hiệu bưu gửi"), max_length=64)
    note = _note_field()

    def apply(self, *, dossier, actor):
        return services.dispatch_result(dossier=dossier, actor=actor, expected_version=self.expected_version,
                                        tracking_number=self.cleaned_data["tracking_number"],
                                        note=self.cleaned_data["note"])


class DeliverForm(TransitionForm):
    action = "deliver"
    submit_label = _("Xác nhận đã giao")
    originals_collected = forms.BooleanField(label=_("Đã thu bản chính giấy tờ theo quy định"), required=False)
    note = _note_field()

    def apply(self, *, dossier, actor):
        return services.deliver_result(dossier=dossier, actor=actor, expected_version=self.expected_version,
                                       originals_collected=self.cleaned_data["originals_collected"],
                                       note=self.cleaned_data["note"])


class StopForm(TransitionForm):
    action = "stop"
    submit_label = _("Dừng xử lý")
    reason = _reason_field(_("Căn cứ pháp lý, lý do dừng xử lý"))

    def apply(self, *, dossier, actor):
        return services.stop_dossier(dossier=dossier, actor=actor, expected_version=self.expected_version,
                                     reason=self.cleaned_data["reason"])


class WithdrawForm(TransitionForm):
    action = "withdraw"
    submit_label = _("Ghi nhận rút hồ sơ")
    reason = forms.CharField(label=_("Đề nghị rút hồ sơ của công dân"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def apply(self, *, dossier, actor):
        return services.withdraw_dossier(dossier=dossier, actor=actor, expected_version=self.expected_version,
                                         reason=self.cleaned_data["reason"])


class ApologyForm(TransitionForm):
    action = "apologise"
    submit_label = _("Xin lỗi, hẹn lại ngày trả")
    new_appointment_date = forms.DateField(label=_("Ngày hẹn trả mới"),
                                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                           input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    reason = _reason_field(_("Lý do chậm trả kết quả"))

    def apply(self, *, dossier, actor):
        return services.issue_apology(dossier=dossier, actor=actor, expected_version=self.expected_version,
                                      new_appointment_date=self.cleaned_data["new_appointment_date"],
                                      reason=self.cleaned_data["reason"])


class ExemptForm(TransitionForm):
    action = "exempt_payment"
    submit_label = _("Miễn thanh toán")
    reason = _reason_field(_("Lý do miễn thanh toán"))

    def apply(self, *, dossier, actor):
        # Through payments, which also closes the citizen's open online payment attempts.
        try:
            return exempt(dossier, actor=actor, expected_version=self.expected_version,
                          reason=self.cleaned_data["reason"])
        except PaymentError as error:
            raise ValidationError(str(error)) from None


FORMS = {form.action: form for form in [
    ReceiveForm, SupplementForm, RefuseForm, AssignForm, ResultForm, ReturnForm, DispatchForm, DeliverForm,
    StopForm, WithdrawForm, ApologyForm, ExemptForm,
]}
