"""Sending a saved draft's secret resume link to the phone and email typed in its declaration.

"Lưu và tiếp tục sau" keeps the draft as typed (``wizard.store_declaration_data``) and then asks
for its resume link to be sent: to the mobile number and the email address of the applicant
form, each checked like the form checks them. The outbox rows are written by the notifications
app in the receiver of ``dossiers.signals.resume_link_requested``, in this transaction, and go
out through the same worker as every other message. How often is ``filing.quotas``' rule.
"""

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from dossiers.declaration import PhoneField
from dossiers.models import FilingDraft
from dossiers.signals import resume_link_requested

from . import quotas, wizard


@dataclass
class Outcome:
    """What became of a request to send the resume link: ``sent_to`` (masked addresses) or a ``problem``."""

    sent_to: list = field(default_factory=list)
    problem: str = ""

    @property
    def sent(self):
        return bool(self.sent_to)


def resume_url(draft):
    """The resume link as sent in a message: on the portal's own address, never the request's Host."""
    return settings.PORTAL_BASE_URL + reverse("filing:resume", args=[wizard.resume_token(draft)])


def _typed(draft, name):
    values = draft.data.get(wizard.DECLARATION_DATA, {}).get(f"{wizard.APPLICANT_PREFIX}-{name}") or [""]
    return (values[-1] or "").strip()


def typed_contacts(draft):
    """``(phone, email, problems)``: the valid mobile number and email typed in the draft, and what was wrong."""
    phone, email, problems = "", "", []
    typed_phone, typed_email = _typed(draft, "phone"), _typed(draft, "email")
    if typed_phone:
        try:
            phone = PhoneField(required=False).clean(typed_phone)
        except forms.ValidationError:
            problems.append(_("Số điện thoại đã nhập (%(phone)s) chưa đúng nên không gửi tin nhắn được.")
                            % {"phone": typed_phone})
    if typed_email:
        try:
            email = forms.EmailField(required=False).clean(typed_email)
        except forms.ValidationError:
            problems.append(_("Địa chỉ thư điện tử đã nhập (%(email)s) chưa đúng nên không gửi thư được.")
                            % {"email": typed_email})
    return phone, email, problems


def mask_phone(phone):
    digits = phone.replace("+84", "0", 1) if phone.startswith("+84") else phone
    return digits[:3] + "•" * max(0, len(digits) - 6) + digits[-3:]


def mask_email(email):
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def send_resume_link(request, draft):
    """Send the draft's resume link to the phone and email its declaration holds; return the ``Outcome``.

    Refused, with a message saying why and what to do, when neither was typed (or valid), when
    this draft's link was sent less than ``FILING_RESUME_LINK_MINUTES`` ago, or when the client
    address or a recipient has had its share today (``filing.quotas``). The draft row is locked
    while deciding, so a double click sends once.
    """
    phone, email, problems = typed_contacts(draft)
    if not phone and not email:
        return Outcome(problem=" ".join(problems) or _(
            "Bạn chưa nhập số điện thoại di động hoặc thư điện tử ở bước Tờ khai, nên đường dẫn chưa được gửi "
            "đi. Hãy chép đường dẫn dưới đây, hoặc quay lại Tờ khai để nhập một trong hai rồi bấm lại "
            "“Lưu và tiếp tục sau”."))
    with transaction.atomic():
        locked = FilingDraft.objects.select_for_update().get(pk=draft.pk)
        now = timezone.now()
        wait = quotas.resume_link_wait_minutes(locked, now)
        if wait:
            return Outcome(problem=_(
                "Đường dẫn của hồ sơ này vừa được gửi. Để tránh tin nhắn làm phiền, bạn có thể yêu cầu gửi lại "
                "sau %(minutes)s phút; trong lúc chờ, hãy chép đường dẫn dưới đây.") % {"minutes": wait})
        refused = quotas.refuse_resume_link(request)
        if refused:
            return Outcome(problem=refused)
        phone = phone if phone and quotas.take_recipient_quota(phone) else ""
        email = email if email and quotas.take_recipient_quota(email) else ""
        if not phone and not email:
            return Outcome(problem=_(
                "Số điện thoại hoặc thư điện tử này đã nhận đủ số đường dẫn cho phép trong hôm nay. Hồ sơ vẫn "
                "được lưu; hãy chép đường dẫn dưới đây."))
        quotas.mark_resume_link_sent(locked, now)
        locked.save(update_fields=["data", "updated_at"])
        draft.data = locked.data
        expires = formats.date_format(timezone.localtime(locked.expires_at), "H:i d/m/Y")
        answers = resume_link_requested.send(
            sender=FilingDraft, draft=locked, phone=phone, email=email, resume_url=resume_url(locked),
            expires_at=expires, applicant_name=_typed(locked, "full_name"),
            language=translation.get_language() or "vi")
        written = {row.channel for _receiver, rows in answers for row in rows or []}
        if not written:
            transaction.set_rollback(True)
            return Outcome(problem=_("Hiện chưa gửi được đường dẫn. Hồ sơ vẫn được lưu; hãy chép đường dẫn dưới đây."))
    phone, email = (phone if "sms" in written else ""), (email if "email" in written else "")
    sent_to = ([_("số điện thoại %(phone)s") % {"phone": mask_phone(phone)}] if phone else []) + \
              ([_("thư điện tử %(email)s") % {"email": mask_email(email)}] if email else [])
    return Outcome(sent_to=sent_to, problem=" ".join(problems))
