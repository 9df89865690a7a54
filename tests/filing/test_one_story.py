"""One story everywhere: the success page, the receipt, the lookup and the registration messages say
the same about visits and fees, for each online service level, free and paid (issue 15)."""

import html
import re

import pytest
from django.urls import reverse

from dossiers.models import DeliveryMethod, Dossier
from tests.factories import FeeFactory
from tests.filing.support import file_through_wizard, fileable_procedure, fresh_rate_limits, private_storage  # noqa: F401
from tests.tracking.helpers import PHONE_LAST4, lookup_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]

NO_VISIT = "Bạn không phải đến cơ quan."
ONE_VISIT = "Bạn chỉ cần đến bộ phận một cửa một lần, khi nhận kết quả"

# level, fee, delivery (level 4), the fee sentence and the visit sentence every page and message must carry,
# and what none of them may say.
CASES = [
    pytest.param(3, 0, None, "Thủ tục này không thu phí, lệ phí.", ONE_VISIT,
                 ["và phí, lệ phí", "Nộp phí, lệ phí tại", NO_VISIT], id="level-3-free"),
    pytest.param(3, 50000, None, "Nộp phí, lệ phí tại bộ phận một cửa: 50.000 đồng (Lệ phí đăng ký).", ONE_VISIT,
                 ["không thu phí", NO_VISIT], id="level-3-paid"),
    pytest.param(4, 0, DeliveryMethod.ONLINE, "Thủ tục này không thu phí, lệ phí.", NO_VISIT,
                 ["Mang bản chính", "Nộp phí, lệ phí tại", ONE_VISIT], id="level-4-free-online"),
    pytest.param(4, 0, DeliveryMethod.POST, "Thủ tục này không thu phí, lệ phí.", NO_VISIT,
                 ["Mang bản chính", ONE_VISIT], id="level-4-free-post"),
    pytest.param(4, 50000, DeliveryMethod.ONLINE,
                 "Phí, lệ phí: 50.000 đồng (Lệ phí đăng ký), thanh toán trực tuyến.", NO_VISIT,
                 ["Mang bản chính", "không thu phí", "Nộp phí, lệ phí tại", ONE_VISIT], id="level-4-paid"),
    pytest.param(4, 0, DeliveryMethod.IN_PERSON, "Thủ tục này không thu phí, lệ phí.",
                 "Bạn chỉ đến bộ phận một cửa một lần, để nhận kết quả.", [NO_VISIT], id="level-4-collected"),
]


def _text(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.mark.parametrize(("level", "amount", "delivery", "fee_sentence", "visit_sentence", "never"), CASES)
def test_every_page_and_message_tells_the_same_story(client, django_capture_on_commit_callbacks, level, amount,
                                                     delivery, fee_sentence, visit_sentence, never):
    procedure = fileable_procedure(level=level, components=0, allows_electronic_result=level == 4)
    FeeFactory(procedure=procedure, name="Lệ phí đăng ký", amount=amount)
    extra = {"lp-delivery_method": delivery} if delivery else {}
    with django_capture_on_commit_callbacks(execute=True):  # the messages are sent (and so rendered)
        response = file_through_wizard(client, procedure, extra=extra)
    assert response.status_code == 302
    dossier = Dossier.objects.get()

    success = _text(client.get(response.url))
    receipt = _text(client.get(reverse("filing:receipt", args=[procedure.code, dossier.code])))
    lookup = _text(lookup_post(client, dossier.code, phone_last4=PHONE_LAST4))
    email = " ".join(dossier.notifications.get(channel="email").body.split())
    for name, text in [("success page", success), ("receipt", receipt), ("lookup", lookup), ("email", email)]:
        assert fee_sentence in text, name
        assert visit_sentence in text, name
        for phrase in never:
            assert phrase not in text, (name, phrase)


def test_the_free_case_of_a_paid_procedure_is_told_the_same_everywhere(client, django_capture_on_commit_callbacks):
    procedure = fileable_procedure(level=3, components=0)
    FeeFactory(procedure=procedure, name="Lệ phí đăng ký", amount=50000)
    free = FeeFactory(procedure=procedure, name="Miễn lệ phí (hộ nghèo)", amount=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = file_through_wizard(client, procedure, extra={"lp-fee": free.pk})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    sentence = "Trường hợp của bạn không phải nộp phí, lệ phí (Miễn lệ phí (hộ nghèo))."
    pages = {"success page": _text(client.get(response.url)),
             "receipt": _text(client.get(reverse("filing:receipt", args=[procedure.code, dossier.code]))),
             "lookup": _text(lookup_post(client, dossier.code, phone_last4=PHONE_LAST4)),
             "email": " ".join(dossier.notifications.get(channel="email").body.split())}
    for name, text in pages.items():
        assert sentence in text, name
        assert "50.000" not in text and "không thu phí" not in text, name


def test_level_4_offers_online_or_post_first_and_preselects_no_visit(client):
    online = fileable_procedure(level=4, components=0, allows_electronic_result=True)
    client.post(reverse("filing:start", args=[online.code]))
    page = client.get(reverse("filing:declaration", args=[online.code]))
    field = page.context["forms"].options["delivery_method"]
    assert field.value() == DeliveryMethod.ONLINE
    assert [value for value, _label in field.field.choices][0] == DeliveryMethod.ONLINE
    by_post = fileable_procedure(level=4, components=0, allows_electronic_result=False)
    client.post(reverse("filing:start", args=[by_post.code]))
    page = client.get(reverse("filing:declaration", args=[by_post.code]))
    assert page.context["forms"].options["delivery_method"].value() == DeliveryMethod.POST


def test_fee_names_keep_their_commas():
    procedure = fileable_procedure(level=3, components=0)
    fee = FeeFactory(procedure=procedure, name="Sinh viên, người có công, hộ nghèo", amount=1500000)
    assert str(fee) == "Sinh viên, người có công, hộ nghèo: 1.500.000 đ"


def test_the_registration_messages_carry_the_secret_receipt_link_that_works_on_any_device(
        client, django_capture_on_commit_callbacks):
    procedure = fileable_procedure(level=3, components=0)
    with django_capture_on_commit_callbacks(execute=True):  # the messages are sent (and so rendered)
        response = file_through_wizard(client, procedure)
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    sms = dossier.notifications.get(channel="sms").body
    email = dossier.notifications.get(channel="email").body
    # The link is signed with the second it was made in: the SMS's and the email's are read from them.
    receipt_link = re.compile(r"http://127\.0\.0\.1:8000/bien-nhan/[^/\s]+/")
    links = [receipt_link.search(sms).group(0), receipt_link.search(email).group(0)]
    client.logout()
    client.cookies.clear()  # another device: no session that filed
    assert client.get(reverse("filing:receipt", args=[procedure.code, dossier.code])).status_code == 404
    for link in links:
        page = client.get(link.removeprefix("http://127.0.0.1:8000"))
        assert page.status_code == 200 and dossier.code in page.content.decode()
    assert client.get("/bien-nhan/khong-phai-token/").status_code == 404
    assert "Đường dẫn đến giấy biên nhận không đúng" in client.get("/bien-nhan/abc/").content.decode()
