"""Message texts: every event, both channels, both languages; admin overrides; SMS segments."""

import datetime
import re

import pytest

from dossiers import links
from dossiers.workflow import DossierStatus, Event
from notifications.defaults import EMAIL, SMS
from notifications.models import Channel, MessageTemplate
from notifications.rendering import render_message
from notifications.sms import sms_segments
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db

CONTEXT = {
    "note": "Thiếu bản sao giấy chứng sinh",
    "reason": "Thiếu bản sao giấy chứng sinh",
    "missing_items": ["Giấy chứng sinh", "Văn bản ủy quyền"],
    "supplement_url": "http://127.0.0.1:8000/bo-sung/abc/",
    "result_url": "http://127.0.0.1:8000/ket-qua/xyz/",
    "rating_url": "http://127.0.0.1:8000/danh-gia/xyz/",
    "tracking_number": "EV123456789VN",
}

# A phrase each language's email must carry, per event: the message says what happened.
EMAIL_PHRASES = {
    Event.REGISTERED: ("đăng ký trực tuyến", "registered online"),
    Event.PAYMENT_CONFIRMED: ("đã nhận thanh toán", "payment received"),
    Event.PAYMENT_FAILED: ("không thành công", "failed"),
    Event.PAYMENT_EXEMPTED: ("miễn phí", "exempted"),
    Event.RECEIVED: ("Ngày hẹn trả kết quả: 15/07/2026", "due on 15/07/2026"),
    Event.SUPPLEMENT_REQUESTED: ("- Giấy chứng sinh\n- Văn bản ủy quyền", "- Giấy chứng sinh\n- Văn bản ủy quyền"),
    Event.SUPPLEMENT_RECEIVED: ("phần bổ sung", "supplement"),
    Event.PROCESSING: ("đang được xử lý", "being processed"),
    Event.RESULT_READY: ("http://127.0.0.1:8000/ket-qua/xyz/", "http://127.0.0.1:8000/ket-qua/xyz/"),
    Event.REFUSED: ("Lý do: Thiếu bản sao", "Reason: Thiếu bản sao"),
    Event.RETURNED: ("http://127.0.0.1:8000/danh-gia/xyz/", "http://127.0.0.1:8000/danh-gia/xyz/"),
    Event.DISPATCHED: ("EV123456789VN", "EV123456789VN"),
    Event.DELIVERED: ("đã giao", "delivered"),
    Event.STOPPED: ("dừng xử lý", "stopped"),
    Event.WITHDRAWN: ("đã được rút", "withdrawn"),
    Event.APOLOGY: ("xin lỗi", "apologises"),
}


@pytest.fixture
def dossier():
    return DossierFactory(status=DossierStatus.RECEIVED, appointment_date=datetime.date(2026, 7, 15),
                          applicant_name="Trần Thị Bình")


def test_every_event_has_defaults_for_both_channels_and_languages():
    for event in Event.values:
        for table in (SMS, EMAIL):
            assert set(table[event]) == {"vi", "en"}, event
    assert set(EMAIL_PHRASES) == set(Event)


@pytest.mark.parametrize("event", Event.values)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_email_for_every_event(dossier, event, language, settings):
    rendered = render_message(dossier, event, Channel.EMAIL, language, CONTEXT)
    phrase = EMAIL_PHRASES[event][0 if language == "vi" else 1]
    assert dossier.code in rendered.subject
    assert phrase.lower() in (rendered.subject + "\n" + rendered.body).lower()
    assert ("Kính gửi Ông/Bà Trần Thị Bình" if language == "vi" else "Dear Trần Thị Bình") in rendered.body
    assert "{{" not in rendered.body and "{%" not in rendered.body
    # The summary and the branding, in both parts.
    assert ("Mã hồ sơ" if language == "vi" else "Dossier code") in rendered.body
    assert dossier.procedure.name in rendered.html
    assert settings.PORTAL_NAME in rendered.html
    # The applicant's signed status link (no captcha), not the lookup that asks for one.
    for part in (rendered.html, rendered.body):
        [token] = set(re.findall(r"/tim-kiem/([^/?\s\"]+)/", part))
        assert links.read_token(links.STATUS, token, max_age_days=1)[0] == dossier.pk
    assert rendered.segments is None


@pytest.mark.parametrize("event", Event.values)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_sms_for_every_event_is_short_and_without_diacritics(dossier, event, language, settings):
    settings.SMS_STRIP_DIACRITICS = True
    rendered = render_message(dossier, event, Channel.SMS, language, CONTEXT)
    assert dossier.code in rendered.body
    assert "{{" not in rendered.body
    assert rendered.body.isascii()
    assert rendered.segments == sms_segments(rendered.body)
    assert rendered.segments <= 2, rendered.body


def test_sms_keeps_diacritics_when_told_and_counts_ucs2_segments(dossier, settings):
    settings.SMS_STRIP_DIACRITICS = False
    rendered = render_message(dossier, Event.RECEIVED, Channel.SMS, "vi")
    assert "đã tiếp nhận hồ sơ" in rendered.body
    assert "hẹn trả kết quả ngày 15/07/2026" in rendered.body
    assert rendered.segments == -(-len(rendered.body) // 67)
    assert rendered.segments >= 2


def test_sms_texts_in_each_language(dossier, settings):
    settings.SMS_STRIP_DIACRITICS = True
    vi = render_message(dossier, Event.SUPPLEMENT_REQUESTED, Channel.SMS, "vi", CONTEXT).body
    en = render_message(dossier, Event.SUPPLEMENT_REQUESTED, Channel.SMS, "en", CONTEXT).body
    assert vi.startswith(f"Ho so {dossier.code} can bo sung: Thieu ban sao giay chung sinh.")
    assert vi.endswith("Bo sung tai: http://127.0.0.1:8000/bo-sung/abc/")
    assert en.startswith(f"Dossier {dossier.code} needs more documents")
    dispatched = render_message(dossier, Event.DISPATCHED, Channel.SMS, "vi", CONTEXT).body
    assert "so hieu EV123456789VN" in dispatched


def test_unknown_language_falls_back_to_vietnamese(dossier):
    rendered = render_message(dossier, Event.REGISTERED, Channel.EMAIL, "fr")
    assert rendered.subject == f"Hồ sơ {dossier.code} đã được đăng ký trực tuyến"


def test_an_administrators_template_overrides_the_default(dossier):
    MessageTemplate.objects.create(event=Event.RECEIVED, channel=Channel.EMAIL, language="vi",
                                   subject="Đã nhận {{ code }}", body="Hẹn {{ appointment_date }} tại {{ agency }}.")
    rendered = render_message(dossier, Event.RECEIVED, Channel.EMAIL, "vi")
    assert rendered.subject == f"Đã nhận {dossier.code}"
    assert rendered.body.startswith(f"Hẹn 15/07/2026 tại {dossier.agency.name}.")
    # The English one still comes from the defaults.
    assert render_message(dossier, Event.RECEIVED, Channel.EMAIL, "en").subject.startswith("Dossier")


def test_a_broken_administrator_template_falls_back_to_the_default(dossier):
    MessageTemplate.objects.create(event=Event.REFUSED, channel=Channel.SMS, language="vi",
                                   body="Hồ sơ {% if code %}{{ code }}")
    rendered = render_message(dossier, Event.REFUSED, Channel.SMS, "vi", CONTEXT)
    assert "bi tu choi" in rendered.body


def test_template_variables_cannot_reach_the_database(dossier):
    MessageTemplate.objects.create(event=Event.REFUSED, channel=Channel.SMS, language="vi",
                                   body="{{ dossier.applicant_id_number }}{{ applicant_id_number }}x")
    assert render_message(dossier, Event.REFUSED, Channel.SMS, "vi").body == "x"


@pytest.mark.parametrize(("text", "segments"), [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("€" * 80, 1), ("€" * 81, 2),  # extension characters take two septets
    ("ă" * 70, 1), ("ă" * 71, 2), ("ă" * 134, 2), ("ă" * 135, 3),
    ("Hồ sơ", 1), ("😀" * 35, 1), ("😀" * 36, 2),  # outside the BMP: two UTF-16 units
])
def test_sms_segments(text, segments):
    assert sms_segments(text) == segments
