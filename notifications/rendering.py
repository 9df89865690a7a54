"""Turning an event of a dossier into the words of one message.

The text comes from the administrator's ``MessageTemplate`` row when there is one, else
from the defaults shipped in ``notifications.defaults``. Bodies are Django templates
rendered as plain text (no HTML escaping) against a context of strings only, so a
template can show values but not reach into the database.

A dossier's outbox row is written inside the transaction of the event with the template
variables as they were then (``build_context``, stored in the row's context under
``SNAPSHOT``), so the message tells the dossier as it was at the event; the worker renders it
when it sends it (``render_row``), which keeps template lookups and rendering out of the
citizen's request. Each template text is compiled once per process, and only rendered after that.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.template import Context, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import Truncator

from dossiers import guidance, links
from dossiers.workflow import DossierStatus, Event
from procedures.text import strip_diacritics

from .defaults import default_template
from .models import RESUME_LINK, Channel, Language, MessageTemplate
from .sms import sms_segments
from .text_engine import text_engine

# Shown to administrators next to the template editor.
VARIABLES = {
    "code": "Mã hồ sơ",
    "procedure": "Tên thủ tục",
    "agency": "Cơ quan tiếp nhận",
    "status": "Trạng thái hồ sơ",
    "applicant_name": "Họ và tên người nộp",
    "appointment_date": "Ngày hẹn trả (dd/mm/yyyy)",
    "reason": "Lý do (yêu cầu bổ sung, từ chối, dừng xử lý, xin lỗi)",
    "note": "Nội dung thông báo của cán bộ",
    "missing_items": "Danh sách giấy tờ cần bổ sung",
    "tracking_number": "Số hiệu bưu gửi",
    "lookup_url": "Đường dẫn bí mật xem tình trạng hồ sơ (mở được không cần mã xác nhận)",
    "status_url": "Như lookup_url: đường dẫn bí mật xem tình trạng hồ sơ",
    "receipt_url": "Đường dẫn bí mật đến giấy biên nhận (in lại được trên mọi thiết bị)",
    "fee": "Phí, lệ phí của hồ sơ trong một câu (không thu, trực tuyến hoặc tại bộ phận một cửa)",
    "visits": "Số lần phải đến bộ phận một cửa, trong một câu",
    "supplement_url": "Đường dẫn bổ sung hồ sơ (khi yêu cầu bổ sung)",
    "result_url": "Đường dẫn tải kết quả điện tử (khi có)",
    "rating_url": "Đường dẫn đánh giá (khi có)",
    "payment_url": "Đường dẫn thanh toán trực tuyến (hồ sơ mức độ 4 chờ thanh toán)",
    "portal_name": "Tên cổng dịch vụ công",
}
# The resume link's message (a draft: no code, agency or status yet).
DRAFT_VARIABLES = {
    "procedure": "Tên thủ tục",
    "applicant_name": "Họ và tên người nộp (nếu đã nhập)",
    "resume_url": "Đường dẫn bí mật tiếp tục khai hồ sơ",
    "expires_at": "Hạn dùng đường dẫn (HH:MM dd/mm/yyyy)",
    "portal_name": "Tên cổng dịch vụ công",
}

SMS_PROCEDURE_CHARS = 50
# The key of a dossier row's context that holds its variables as they were at the event.
SNAPSHOT = "variables"

@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html: str = ""
    segments: int | None = None


def message_language(language):
    return language if language in Language.values else Language.VI


@functools.lru_cache(maxsize=1024)
def _compiled(source):
    """A message template compiled once per process (a syntax error is raised each time, never kept).

    Keyed by the text itself, so an administrator's edit is a new entry: never a stale one.
    """
    return text_engine.from_string(source)


def template_source(event, channel, language):
    """``(subject, body)`` for the event: the administrator's row, else the shipped default."""
    return template_sources([(event, channel, language)])[(event, channel, language)]


def template_sources(keys):
    """``template_source`` for every ``(event, channel, language)`` of ``keys``, in one query."""
    keys = set(keys)
    found = {}
    if keys:
        wanted = Q()
        for event, channel, language in keys:
            wanted |= Q(event=event, channel=channel, language=language)
        found = {(row.event, row.channel, row.language): (row.subject, row.body)
                 for row in MessageTemplate.objects.filter(wanted).only("event", "channel", "language",
                                                                        "subject", "body")}
    return {key: found.get(key) or default_template(*key) for key in keys}


def _missing_items(dossier, event, extra):
    items = extra.get("missing_items")
    if isinstance(items, str):
        return [line.strip() for line in items.splitlines() if line.strip()]
    if items:
        return [str(item) for item in items]
    if event == Event.SUPPLEMENT_REQUESTED and dossier.pk:
        latest = dossier.supplement_requests.order_by("-created_at", "-id").first()
        if latest is not None:
            return latest.missing_item_list
    return []


def build_context(dossier, event, extra=None, *, channel=Channel.SMS, language=Language.VI):
    """The template variables (all strings or lists of strings) for ``dossier`` and ``event``."""
    return channel_contexts(dossier, event, extra, channels=[channel], language=language)[channel]


def channel_contexts(dossier, event, extra=None, *, channels, language=Language.VI):
    """``build_context`` for each of ``channels``, built once (only an SMS shortens the procedure's name)."""
    context = _full_context(dossier, event, extra or {}, language)
    contexts = {}
    for channel in channels:
        if channel == Channel.SMS:
            contexts[channel] = {**context, "procedure": Truncator(context["procedure"]).chars(SMS_PROCEDURE_CHARS)}
        else:
            contexts[channel] = context
    return contexts


def _full_context(dossier, event, extra, language):
    with translation.override(language):
        status = str(DossierStatus(dossier.status).label) if dossier.status else ""
        # The same sentences as the success page, the receipt and the lookup (dossiers.guidance).
        fee, visits = guidance.fee_sentence(dossier), guidance.visit_sentence(dossier)
    procedure = dossier.procedure.name
    reason = extra.get("reason") or extra.get("note") or dossier.closed_reason or ""
    # The applicant's own signed link: it opens the status without a captcha (the captcha
    # stays for codes typed into the lookup). Kept as ``lookup_url`` for administrators' templates.
    status_url = links.status_url(dossier)
    return {
        "code": dossier.code,
        "procedure": procedure,
        "agency": dossier.agency.name,
        "status": status,
        "applicant_name": dossier.applicant_name,
        "appointment_date": dossier.appointment_date.strftime("%d/%m/%Y") if dossier.appointment_date else "",
        "reason": str(reason).strip(),
        "note": str(extra.get("note") or "").strip(),
        "missing_items": _missing_items(dossier, event, extra),
        "tracking_number": extra.get("tracking_number") or dossier.tracking_number or "",
        "lookup_url": status_url,
        "status_url": status_url,
        "receipt_url": links.receipt_url(dossier),
        "fee": fee,
        "visits": visits,
        "supplement_url": extra.get("supplement_url", ""),
        "result_url": extra.get("result_url", ""),
        "rating_url": extra.get("rating_url", ""),
        "payment_url": extra.get("payment_url", ""),
        "portal_name": settings.PORTAL_NAME,
    }


def build_draft_context(draft, extra=None, *, channel=Channel.SMS):
    """The variables of a draft's resume-link message: its procedure, the typed name, the link and its expiry."""
    extra = extra or {}
    procedure = draft.procedure.name
    if channel == Channel.SMS:
        procedure = Truncator(procedure).chars(SMS_PROCEDURE_CHARS)
    return {
        "procedure": procedure,
        "applicant_name": str(extra.get("applicant_name") or "").strip(),
        "resume_url": str(extra.get("resume_url") or ""),
        "expires_at": str(extra.get("expires_at") or ""),
        "portal_name": settings.PORTAL_NAME,
    }


def render_source(subject_source, body_source, context):
    ctx = Context(context, autoescape=False)
    subject = " ".join(_compiled(subject_source or "").render(ctx).split())
    body = _compiled(body_source).render(ctx).strip()
    return subject, body


def render_message(dossier, event, channel, language, extra=None, *, source=None):
    """Render one message. ``source`` = ``(subject, body)`` renders that instead of the stored template.

    An administrator's template that fails to render falls back to the shipped default,
    so a typo in the admin never stops a status change.
    """
    language = message_language(language)
    context = build_context(dossier, event, extra, channel=channel, language=language)
    return render_variables(event, channel, language, context, source=source)


def render_variables(event, channel, language, context, *, source=None, template=None):
    """Render one message of ``event`` from its variables (``build_context``'s, maybe stored as JSON).

    ``template`` is ``template_source``'s answer when the caller read it already (a batch reads
    them all in one query); ``source`` is a text to try (a preview), whose errors are raised.
    """
    language = message_language(language)
    subject, body = _texts(event, channel, language, context, source=source, template=template)
    if channel == Channel.SMS:
        return _sms(body)
    html = render_email_html(subject, body, context, language)
    return Rendered(subject=subject, body=body + "\n\n" + email_summary_text(context, language), html=html)


def _texts(event, channel, language, context, *, source=None, template=None):
    """``(subject, body)`` of ``event``: ``source``, else ``template``, else the stored or default template.

    A stored template that fails to render falls back to the shipped default (a typo in the admin
    never stops a status change); a ``source`` under test (a preview) raises its error.
    """
    subject_source, body_source = source or template or template_source(event, channel, language)
    try:
        return render_source(subject_source, body_source, context)
    except TemplateSyntaxError:
        if source is not None:
            raise
        return render_source(*default_template(event, channel, language), context)


def _sms(body):
    body = " ".join(body.split())
    if settings.SMS_STRIP_DIACRITICS:
        body = strip_diacritics(body)
    return Rendered(subject="", body=body, segments=sms_segments(body))


def render_draft_message(draft, channel, language, extra=None, *, source=None):
    """Render the resume-link message of ``draft`` (``extra``: ``resume_url``, ``expires_at``, ``applicant_name``).

    Like ``render_message``: the administrator's template for ``RESUME_LINK`` when there is one
    (falling back to the default when it does not render), plain text for SMS, text and HTML for email.
    """
    language = message_language(language)
    context = build_draft_context(draft, extra, channel=channel)
    subject, body = _texts(RESUME_LINK, channel, language, context, source=source)
    if channel == Channel.SMS:
        return _sms(body)
    html = _email_html(subject, body, language)
    return Rendered(subject=subject, body=body, html=html)


def row_template_key(notification):
    return (notification.event, notification.channel, message_language(notification.language))


def render_row(notification, templates=None):
    """Render an outbox row from its event, channel, language and context (its variables at the event).

    A row written before the variables were stored with it (no ``SNAPSHOT``) is rendered from
    its dossier as it is now; a draft's row from its draft. ``templates`` is ``template_sources``'
    answer for a batch of rows (``row_template_key``), read once for all of them.
    """
    if notification.draft_id:
        return render_draft_message(notification.draft, notification.channel, notification.language,
                                    notification.context)
    snapshot = (notification.context or {}).get(SNAPSHOT)
    if snapshot is not None:
        return render_variables(notification.event, notification.channel, notification.language, snapshot,
                                template=(templates or {}).get(row_template_key(notification)))
    return render_message(notification.dossier, notification.event, notification.channel,
                          notification.language, notification.context)


_SUMMARY_LABELS = {
    "vi": [("code", "Mã hồ sơ"), ("procedure", "Thủ tục"), ("agency", "Cơ quan tiếp nhận"),
           ("status", "Trạng thái"), ("appointment_date", "Ngày hẹn trả")],
    "en": [("code", "Dossier code"), ("procedure", "Procedure"), ("agency", "Receiving agency"),
           ("status", "Status"), ("appointment_date", "Result due on")],
}


def summary_rows(context, language):
    return [(label, context[key]) for key, label in _SUMMARY_LABELS[language] if context.get(key)]


def email_summary_text(context, language):
    title = "Thông tin hồ sơ" if language == "vi" else "Dossier summary"
    lines = [f"{title}:"] + [f"- {label}: {value}" for label, value in summary_rows(context, language)]
    lines.append(f"\n{settings.PORTAL_NAME} – {settings.PORTAL_AUTHORITY}")
    return "\n".join(lines)


def render_email_html(subject, body, context, language):
    return _email_html(subject, body, language, summary=summary_rows(context, language),
                       summary_title="Thông tin hồ sơ" if language == "vi" else "Dossier summary",
                       lookup_url=context["lookup_url"],
                       lookup_label="Tra cứu hồ sơ" if language == "vi" else "Track your dossier")


def _email_html(subject, body, language, **extra):
    """The HTML part of an email: ``extra`` adds the dossier's summary and lookup link when it has them."""
    return render_to_string("notifications/email.html", {
        "subject": subject,
        "body": body,
        "summary": [],
        "footer": ("Thư này được gửi tự động, vui lòng không trả lời." if language == "vi"
                   else "This message was sent automatically; please do not reply."),
        "language": language,
        "portal_name": settings.PORTAL_NAME,
        "portal_authority": settings.PORTAL_AUTHORITY,
        "portal_base_url": settings.PORTAL_BASE_URL,
        **extra,
    })
