"""The public lookup (tra cứu hồ sơ): what anyone holding a dossier code may see.

The lookup page is public: whoever has the code (printed on a slip, sent by SMS,
encoded in a QR code) sees where the dossier stands. So this module decides, in one
place, what leaves the back office: the procedure, the agency, the dates, the status
in plain words, the public steps of the history and what the applicant should do now.
Phone, email, ID number, address, the declaration and the attachments never appear;
neither do the clerks' internal notes or names.

Codes are numbered per agency per day, so a stranger can guess them. With the code (and
the captcha) alone the page shows only the above; the applicant's masked name and the texts
the clerks wrote (refusal and supplement reasons, the missing documents, the steps' notes)
need a second factor: the last four digits of the applicant's phone number, or the signed
status link from the applicant's own messages (``dossiers.links.status_url``). Wrong digits
count against the client's address and against the code (``SecondFactorGuard``).
"""

import hmac
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import accumulate

from django.conf import settings
from django.core.cache import cache
from django.db import router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers import guidance
from dossiers.models import Dossier, DossierEvent, DossierFileKind, Rating, SupplementRequest
from dossiers.workflow import TRANSITIONS, DossierStatus, Event
from procedures.compiled import CompiledQuery
from procedures.models import Agency, Procedure

# The longest code typed in is refused before any query (a national code is 25 characters).
CODE_MAX_LENGTH = 60

# Dashes a word processor or a phone keyboard may put in place of "-".
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
# Every kind of white space, including the zero-width ones a copy from a PDF or a chat brings along.
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def normalize_code(raw):
    """The dossier code as stored, from however the citizen typed or pasted it.

    Full-width characters and odd dashes are folded (NFKC), every white space is
    removed (a pasted line break, spaces around or inside), letters are upper-cased:
    ``" 000.00.12.h26-\\n241124-0001 "`` → ``"000.00.12.H26-241124-0001"``.
    """
    if not raw:
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).translate(_DASHES)
    return _SPACE.sub("", text).upper()


def mask_name(name):
    """The applicant's name as the lookup shows it: the family name, then initials.

    ``"Nguyễn Văn An"`` → ``"Nguyễn V** A*"``. Enough for the applicant to recognise the
    dossier, not enough for a stranger to learn who filed it.
    """
    words = unicodedata.normalize("NFC", name or "").split()
    if not words:
        return ""
    if len(words) == 1:
        # A one-word name (rare; some organisations): keep the first letter only.
        return words[0][0] + "*" * (len(words[0]) - 1)
    return " ".join([words[0]] + [word[0] + "*" * (len(word) - 1) for word in words[1:]])


# The status in plain words, for someone who never saw the back office.
STATUS_EXPLANATIONS = {
    DossierStatus.REGISTERED: _("Hồ sơ đã được đăng ký trực tuyến và đang chờ bộ phận một cửa tiếp nhận."),
    DossierStatus.AWAITING_PAYMENT: _("Hồ sơ đang chờ thanh toán phí, lệ phí trước khi được tiếp nhận."),
    DossierStatus.RECEIVED: _("Bộ phận một cửa đã tiếp nhận hồ sơ và hẹn ngày trả kết quả."),
    DossierStatus.PROCESSING: _("Hồ sơ đang được cơ quan có thẩm quyền xem xét, giải quyết."),
    DossierStatus.SUPPLEMENT_REQUESTED: _("Hồ sơ còn thiếu giấy tờ; cơ quan đề nghị bổ sung trước khi giải quyết tiếp."),
    DossierStatus.RESULT_READY: _("Hồ sơ đã giải quyết xong; kết quả đang chờ trả."),
    DossierStatus.DISPATCHED: _("Kết quả đã được gửi qua dịch vụ bưu chính."),
    DossierStatus.RETURNED: _("Kết quả đã được trả. Hồ sơ đã hoàn thành."),
    DossierStatus.REFUSED: _("Hồ sơ không được tiếp nhận hoặc không được giải quyết; lý do ở lịch sử xử lý."),
    DossierStatus.STOPPED: _("Cơ quan đã dừng xử lý hồ sơ; lý do ở lịch sử xử lý."),
    DossierStatus.WITHDRAWN: _("Hồ sơ đã được rút theo yêu cầu của người nộp."),
}

# Steps the citizen sees that are not transitions of the table (the filing's first entry).
_FIRST_STEP_LABELS = {
    DossierStatus.REGISTERED: Event.REGISTERED.label,
    DossierStatus.AWAITING_PAYMENT: _("Đăng ký trực tuyến thành công, chờ thanh toán"),
}


@dataclass(frozen=True)
class TimelineStep:
    at: datetime
    label: str
    status: str
    status_label: str
    note: str = ""
    appointment_date: date | None = None

    @property
    def at_text(self):
        return moment_text(self.at)

    @property
    def appointment_date_text(self):
        return day_text(self.appointment_date)


def moment_text(moment):
    """An instant as the lookup shows it, local time, or "—": the ``date:"d/m/Y H:i"`` filter
    without its cost (about 100–250 Python calls a value; the page shows up to a dozen)."""
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else "—"


def day_text(day):
    """A date as the lookup shows it (``date:"d/m/Y"``), or "—"."""
    return day.strftime("%d/%m/%Y") if day else "—"


def public_timeline(dossier):
    """The public steps of the dossier's history, oldest first.

    Built from ``DossierEvent`` rows through their public parts only: the internal
    note and the clerk are not even read from the database (nor by ``find_dossier``).
    """
    rows = getattr(dossier, "_lookup_history", None)
    if rows is None:
        rows = (DossierEvent.objects.filter(dossier=dossier).values_list(*_EVENT_FIELDS)
                .order_by("created_at", "id"))
    steps = []
    for created_at, action, to_status, public_note, appointment_date in rows:
        transition = TRANSITIONS.get(action)
        if transition is not None and transition.event:
            label = Event(transition.event).label
        else:
            label = _FIRST_STEP_LABELS.get(to_status) or _status_label(to_status)
        label = str(label)  # translated once here, not by the template (a lazy string costs it ~60 calls)
        shows_date = action in {"receive", "apologise"} or (transition and transition.event == Event.RECEIVED)
        steps.append(TimelineStep(
            at=created_at, label=label, status=to_status, status_label=_status_label(to_status),
            note=public_note, appointment_date=appointment_date if shows_date else None,
        ))
    return steps


def _status_label(status):
    try:
        return DossierStatus(status).label
    except ValueError:
        return status


@dataclass
class NextStep:
    """What the applicant should do now: a headline, details, and for a supplement the list."""

    kind: str
    headline: str
    details: list = field(default_factory=list)
    missing_items: list = field(default_factory=list)
    reason: str = ""


def next_step(dossier, *, open_supplement=None):
    """What to do now for ``dossier``'s status (bring originals, supplement, pay, collect, wait)."""
    status = dossier.status
    agency = dossier.agency
    where = _agency_place(agency)
    if status == DossierStatus.AWAITING_PAYMENT:
        details = [guidance.fee_sentence(dossier), guidance.visit_sentence(dossier)]
        details.append(_("Thanh toán trực tuyến qua đường dẫn trong tin nhắn SMS hoặc thư điện tử đã gửi cho "
                         "người nộp hồ sơ. Hồ sơ được chuyển tiếp nhận ngay sau khi thanh toán thành công."))
        return NextStep("pay", _("Thanh toán phí, lệ phí trực tuyến"), details)
    if status == DossierStatus.REGISTERED:
        # The same sentences as the success page and the receipt (dossiers.guidance).
        if dossier.procedure.service_level >= 4:
            details = [_("Bộ phận một cửa sẽ kiểm tra và tiếp nhận hồ sơ; bạn sẽ nhận tin nhắn kèm ngày hẹn trả "
                         "kết quả."), guidance.visit_sentence(dossier), guidance.fee_sentence(dossier)]
            if guidance.needs_visit(dossier) and where:
                details.append(where)
            return NextStep("wait", _("Chờ tiếp nhận"), details)
        details = [guidance.visit_sentence(dossier), guidance.fee_sentence(dossier)]
        if where:
            details.append(where)
        headline = (_("Mang bản chính và phí, lệ phí đến bộ phận một cửa") if dossier.fee_amount
                    else _("Mang bản chính các giấy tờ đến bộ phận một cửa"))
        return NextStep("bring_originals", headline, details)
    if status == DossierStatus.SUPPLEMENT_REQUESTED:
        request = open_supplement
        details = [_("Bổ sung trực tuyến qua đường dẫn trong tin nhắn SMS hoặc thư điện tử đã gửi cho người "
                     "nộp hồ sơ, hoặc mang giấy tờ đến bộ phận một cửa.")]
        if request is not None and request.expires_at:
            details.append(_("Hạn bổ sung: %(date)s.") % {"date": _format_date(request.expires_at)})
        if where:
            details.append(where)
        return NextStep("supplement", _("Bổ sung hồ sơ"), details,
                        missing_items=request.missing_item_list if request else [],
                        reason=request.reason if request else "")
    if status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING):
        details = []
        if dossier.appointment_date:
            details.append(_("Ngày hẹn trả kết quả: %(date)s.") % {"date": _format_date(dossier.appointment_date)})
        details.append(_("Bạn không cần làm gì thêm; cơ quan sẽ báo khi có kết quả."))
        return NextStep("wait", _("Chờ kết quả giải quyết"), details)
    if status == DossierStatus.RESULT_READY:
        if dossier.delivery_method == "online":
            return NextStep("collect", _("Nhận kết quả điện tử"), [
                _("Tải kết quả qua đường dẫn trong thư điện tử hoặc tin nhắn SMS đã gửi cho người nộp hồ sơ."),
            ])
        if dossier.delivery_method == "post":
            return NextStep("wait", _("Chờ nhận kết quả qua bưu chính"), [
                _("Kết quả sẽ được gửi qua dịch vụ bưu chính đến địa chỉ đã đăng ký."),
            ])
        details = [_("Mang giấy tờ tùy thân và giấy tiếp nhận hồ sơ đến nhận kết quả.")]
        if where:
            details.append(where)
        return NextStep("collect", _("Đến nhận kết quả tại bộ phận một cửa"), details)
    if status == DossierStatus.DISPATCHED:
        return NextStep("wait", _("Chờ nhận kết quả qua bưu chính"), [
            _("Nhân viên bưu chính sẽ liên hệ với người nộp hồ sơ khi giao kết quả."),
        ])
    if status == DossierStatus.RETURNED:
        return NextStep("done", _("Hồ sơ đã hoàn thành"), [
            _("Mời bạn đánh giá mức độ hài lòng với việc giải quyết hồ sơ."),
        ])
    if status == DossierStatus.REFUSED:
        return NextStep("done", _("Hồ sơ không được giải quyết"), [
            _("Xem lý do trong lịch sử xử lý. Bạn có thể nộp hồ sơ mới khi đã đủ điều kiện."),
        ])
    if status == DossierStatus.STOPPED:
        return NextStep("done", _("Hồ sơ đã dừng xử lý"), [_("Xem lý do trong lịch sử xử lý.")])
    return NextStep("done", _("Hồ sơ đã kết thúc"), [])


def _agency_place(agency):
    if not agency.address:
        return ""
    if agency.opening_hours:
        return _("Địa chỉ: %(name)s, %(address)s. Giờ làm việc: %(hours)s.") % {
            "name": agency.name, "address": agency.address, "hours": agency.opening_hours}
    return _("Địa chỉ: %(name)s, %(address)s.") % {"name": agency.name, "address": agency.address}


def _format_date(value):
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


@dataclass
class PublicDossier:
    """Everything the lookup page shows, and nothing else. Templates get this, never the model."""

    code: str
    procedure_name: str
    procedure_code: str
    agency_name: str
    applicant: str
    status: str
    status_label: str
    status_explanation: str
    national_status_code: int
    submitted_at: datetime
    received_at: datetime | None
    appointment_date: date | None
    returned_at: datetime | None
    timeline: list
    next_step: NextStep
    can_rate: bool
    rated: bool
    # Whether the second factor was given: only then are the name and the clerks' texts filled in.
    verified: bool = False
    # The object itself, for the view (links); templates must not read it.
    _dossier: Dossier = field(repr=False, default=None)

    @property
    def submitted_at_text(self):
        return moment_text(self.submitted_at)

    @property
    def received_at_text(self):
        return moment_text(self.received_at)

    @property
    def appointment_date_text(self):
        return day_text(self.appointment_date)

    @property
    def returned_at_text(self):
        return moment_text(self.returned_at)


def find_dossier(code):
    """The dossier with this (already normalised) code, or None: one indexed statement, compiled once.

    The same statement reads what its public view needs: the procedure, the agency, whether it
    was rated and its public history, which ``public_view`` then uses without a query of its own
    (only a dossier waiting for a supplement reads its open request).
    """
    if not code or len(code) > CODE_MAX_LENGTH:
        return None
    using = router.db_for_read(Dossier)
    rows = _LOOKUP_STATEMENT.rows(code, using=using)
    if not rows:
        return None
    return _dossier_from_rows(rows, using)


# --- The lookup's one statement ------------------------------------------------------------------
# What the lookup reads of a dossier, its procedure and agency, in the models' field order (Model.from_db).
_DOSSIER_FIELDS = [f.attname for f in Dossier._meta.concrete_fields if f.attname in {
    "id", "code", "procedure_id", "agency_id", "status", "submitted_at", "received_at", "appointment_date",
    "returned_at", "applicant_name", "applicant_phone", "applicant_type", "organisation_name", "fee_amount",
    "fee_name", "delivery_method"}]
_PROCEDURE_FIELDS = [f.attname for f in Procedure._meta.concrete_fields if f.attname in {
    "id", "name", "code", "service_level"}]
_AGENCY_FIELDS = [f.attname for f in Agency._meta.concrete_fields if f.attname in {
    "id", "name", "address", "opening_hours"}]
# The public parts of each history entry: the internal note and the clerk are not even read.
_EVENT_FIELDS = ["created_at", "action", "to_status", "public_note", "appointment_date"]


def _lookup_queryset(code):
    return (Dossier.objects.filter(code=code)
            .values_list(*_DOSSIER_FIELDS, *(f"procedure__{name}" for name in _PROCEDURE_FIELDS),
                         *(f"agency__{name}" for name in _AGENCY_FIELDS), "rating__id",
                         *(f"events__{name}" for name in _EVENT_FIELDS))
            .order_by("events__created_at", "events__id"))


# One row per history entry (LEFT JOINs: a dossier without any still gives one row, its event columns NULL).
_LOOKUP_STATEMENT = CompiledQuery(_lookup_queryset)


def _dossier_from_rows(rows, using):
    first = rows[0]
    ends = list(accumulate((len(_DOSSIER_FIELDS), len(_PROCEDURE_FIELDS), len(_AGENCY_FIELDS), 1)))
    dossier = Dossier.from_db(using, _DOSSIER_FIELDS, first[: ends[0]])
    Dossier.procedure.field.set_cached_value(
        dossier, Procedure.from_db(using, _PROCEDURE_FIELDS, first[ends[0]: ends[1]]))
    Dossier.agency.field.set_cached_value(dossier, Agency.from_db(using, _AGENCY_FIELDS, first[ends[1]: ends[2]]))
    dossier._lookup_rated = first[ends[2]] is not None
    dossier._lookup_history = [tuple(row[ends[3]:]) for row in rows if row[ends[3]] is not None]
    return dossier


def public_view(dossier, *, verified=False):
    """The ``PublicDossier`` of ``dossier``, with its public timeline and next step.

    Unless ``verified`` (the second factor was given), the applicant's masked name, the steps'
    notes and the next step's reason and list of missing documents are left empty, and the
    dossier cannot be rated from the page.
    """
    public = _public_view(dossier)
    if verified:
        public.verified = True
        return public
    public.applicant = ""
    public.timeline = [replace(step, note="") for step in public.timeline]
    public.next_step.reason = ""
    public.next_step.missing_items = []
    public.can_rate = False
    return public


def _public_view(dossier):
    open_supplement = None
    if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED:
        open_supplement = (SupplementRequest.objects.filter(dossier=dossier, fulfilled_at__isnull=True)
                           .only("reason", "missing_items", "expires_at").order_by("-created_at").first())
    rated = dossier.status == DossierStatus.RETURNED and _has_rating(dossier)
    name = dossier.organisation_name if dossier.applicant_type == "organisation" and dossier.organisation_name \
        else dossier.applicant_name
    return PublicDossier(
        code=dossier.code,
        procedure_name=dossier.procedure.name,
        procedure_code=dossier.procedure.code,
        agency_name=dossier.agency.name,
        applicant=mask_name(name),
        status=dossier.status,
        status_label=_status_label(dossier.status),
        status_explanation=STATUS_EXPLANATIONS.get(dossier.status, ""),
        national_status_code=dossier.national_status_code,
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        appointment_date=dossier.appointment_date,
        returned_at=dossier.returned_at,
        timeline=public_timeline(dossier),
        next_step=next_step(dossier, open_supplement=open_supplement),
        can_rate=dossier.status == DossierStatus.RETURNED and not rated,
        rated=rated,
        _dossier=dossier,
    )


def _has_rating(dossier):
    rated = getattr(dossier, "_lookup_rated", None)
    return Rating.objects.filter(dossier=dossier).exists() if rated is None else rated


def has_online_result(dossier):
    """Whether the result can be downloaded through the secret result link."""
    return (dossier.delivery_method == "online"
            and dossier.status in (DossierStatus.RESULT_READY, DossierStatus.RETURNED)
            and dossier.files.filter(kind=DossierFileKind.RESULT).exists())


# --- The second factor -------------------------------------------------------------------------

PHONE_DIGITS = 4


def phone_last_digits(phone):
    digits = "".join(char for char in phone or "" if char.isdigit())
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else ""


def phone_digits_match(dossier, typed):
    """Whether ``typed`` are the last four digits of the applicant's phone (compared in constant time)."""
    expected = phone_last_digits(dossier.applicant_phone)
    return bool(expected) and hmac.compare_digest(expected.encode(), (typed or "").encode())


class SecondFactorGuard:
    """Counts wrong second factors per client address and per dossier code, in the shared cache.

    After ``LOOKUP_SECOND_FACTOR_MAX_PER_ADDRESS`` wrong answers from one address, or
    ``LOOKUP_SECOND_FACTOR_MAX_PER_CODE`` for one code (from anywhere), within
    ``LOOKUP_SECOND_FACTOR_WINDOW_SECONDS``, no more digits are checked (even right ones):
    4 digits are 10,000 possibilities, a few tries an hour find them in years, not minutes.
    """

    def __init__(self, *, address, code):
        self.keys = [(f"lookup-2f:address:{address or '-'}", settings.LOOKUP_SECOND_FACTOR_MAX_PER_ADDRESS)]
        if code:
            self.keys.append((f"lookup-2f:code:{code}", settings.LOOKUP_SECOND_FACTOR_MAX_PER_CODE))

    def blocked(self):
        counts = cache.get_many([key for key, _limit in self.keys])
        return any(counts.get(key, 0) >= limit for key, limit in self.keys)

    def count_failure(self):
        window = settings.LOOKUP_SECOND_FACTOR_WINDOW_SECONDS
        for key, _limit in self.keys:
            if cache.add(key, 1, timeout=window):
                continue
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=window)
