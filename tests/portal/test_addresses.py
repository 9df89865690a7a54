"""Every address the portal answers, as it was before the apps were split (issue 11), and what each answers.

The list is the contract with citizens (printed slips, QR codes, SMS links, bookmarks) and with
the gateway and Twilio (IPN and callback addresses registered with them): a route that moves
or disappears fails here, and so does a new one that was not added on purpose.
"""

import pytest
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver

from tests.factories import ProcedureFactory

ROUTES = {
    '',
    'bo-sung/<str:token>/',
    'captcha/audio/(?P<key>\\w+).wav$',
    'captcha/image/(?P<key>\\w+)/$',
    'captcha/image/(?P<key>\\w+)@2/$',
    'captcha/refresh/$',
    'danh-gia/<str:token>/',
    'i18n/setlang/',
    'ket-qua/<str:token>/',
    'ngon-ngu/',
    'nop-ho-so/<str:code>/',
    'nop-ho-so/<str:code>/co-quan/',
    'nop-ho-so/<str:code>/da-nop/<str:dossier_code>/',
    'nop-ho-so/<str:code>/da-nop/<str:dossier_code>/bien-nhan/',
    'nop-ho-so/<str:code>/da-nop/<str:dossier_code>/bien-nhan/pdf/',  # the receipt as PDF (issue 14)
    'nop-ho-so/<str:code>/giay-to/',
    'nop-ho-so/<str:code>/to-khai/',
    'nop-ho-so/<str:code>/xac-nhan/',
    'nop-ho-so/<str:code>/xem-lai/',
    'quan-tri/',
    'quan-tri/(?P<url>.*)$',
    'quan-tri/auth/group/',
    'quan-tri/auth/group/<path:object_id>/',
    'quan-tri/auth/group/<path:object_id>/change/',
    'quan-tri/auth/group/<path:object_id>/delete/',
    'quan-tri/auth/group/<path:object_id>/history/',
    'quan-tri/auth/group/add/',
    'quan-tri/auth/user/',
    'quan-tri/auth/user/<id>/password/',
    'quan-tri/auth/user/<path:object_id>/',
    'quan-tri/auth/user/<path:object_id>/change/',
    'quan-tri/auth/user/<path:object_id>/delete/',
    'quan-tri/auth/user/<path:object_id>/history/',
    'quan-tri/auth/user/add/',
    'quan-tri/autocomplete/',
    'quan-tri/axes/accessattempt/',
    'quan-tri/axes/accessattempt/<path:object_id>/',
    'quan-tri/axes/accessattempt/<path:object_id>/change/',
    'quan-tri/axes/accessattempt/<path:object_id>/delete/',
    'quan-tri/axes/accessattempt/<path:object_id>/history/',
    'quan-tri/axes/accessattempt/add/',
    'quan-tri/axes/accessfailurelog/',
    'quan-tri/axes/accessfailurelog/<path:object_id>/',
    'quan-tri/axes/accessfailurelog/<path:object_id>/change/',
    'quan-tri/axes/accessfailurelog/<path:object_id>/delete/',
    'quan-tri/axes/accessfailurelog/<path:object_id>/history/',
    'quan-tri/axes/accessfailurelog/add/',
    'quan-tri/axes/accesslog/',
    'quan-tri/axes/accesslog/<path:object_id>/',
    'quan-tri/axes/accesslog/<path:object_id>/change/',
    'quan-tri/axes/accesslog/<path:object_id>/delete/',
    'quan-tri/axes/accesslog/<path:object_id>/history/',
    'quan-tri/axes/accesslog/add/',
    'quan-tri/dossiers/dayoffoverride/',
    'quan-tri/dossiers/dayoffoverride/<path:object_id>/',
    'quan-tri/dossiers/dayoffoverride/<path:object_id>/change/',
    'quan-tri/dossiers/dayoffoverride/<path:object_id>/delete/',
    'quan-tri/dossiers/dayoffoverride/<path:object_id>/history/',
    'quan-tri/dossiers/dayoffoverride/add/',
    'quan-tri/dossiers/dossier/',
    'quan-tri/dossiers/dossier/<path:object_id>/',
    'quan-tri/dossiers/dossier/<path:object_id>/change/',
    'quan-tri/dossiers/dossier/<path:object_id>/delete/',
    'quan-tri/dossiers/dossier/<path:object_id>/history/',
    'quan-tri/dossiers/dossier/<path:object_id>/phieu/<slug:kind>/',
    'quan-tri/dossiers/dossier/<path:object_id>/phieu/<slug:kind>/pdf/',  # slips as PDF (issue 14)
    'quan-tri/dossiers/dossier/<path:object_id>/tep/<int:file_id>/',
    'quan-tri/dossiers/dossier/<path:object_id>/thao-tac/<slug:action>/',
    'quan-tri/dossiers/dossier/add/',
    'quan-tri/dossiers/dossier/so-theo-doi/',
    'quan-tri/dossiers/dossier/tinh-hinh/',  # the leader's view (issue 14)
    'quan-tri/dossiers/dossier/xuat/<slug:fmt>/',  # CSV and XLSX exports (issue 14)
    'quan-tri/dossiers/dossier/xuat/tep/<int:export_id>/',  # a large XLSX built by a task (issue 14)
    'quan-tri/dossiers/dossierevent/',
    'quan-tri/dossiers/dossierevent/<path:object_id>/',
    'quan-tri/dossiers/dossierevent/<path:object_id>/change/',
    'quan-tri/dossiers/dossierevent/<path:object_id>/delete/',
    'quan-tri/dossiers/dossierevent/<path:object_id>/history/',
    'quan-tri/dossiers/dossierevent/add/',
    'quan-tri/dossiers/rating/',
    'quan-tri/dossiers/rating/<path:object_id>/',
    'quan-tri/dossiers/rating/<path:object_id>/change/',
    'quan-tri/dossiers/rating/<path:object_id>/delete/',
    'quan-tri/dossiers/rating/<path:object_id>/history/',
    'quan-tri/dossiers/rating/add/',
    'quan-tri/dossiers/supplementrequest/',
    'quan-tri/dossiers/supplementrequest/<path:object_id>/',
    'quan-tri/dossiers/supplementrequest/<path:object_id>/change/',
    'quan-tri/dossiers/supplementrequest/<path:object_id>/delete/',
    'quan-tri/dossiers/supplementrequest/<path:object_id>/history/',
    'quan-tri/dossiers/supplementrequest/add/',
    'quan-tri/jsi18n/',
    'quan-tri/login/',
    'quan-tri/logout/',
    'quan-tri/xac-thuc-hai-lop/cai-dat/',  # a staff member enrols their own second factor (issue 17)
    'quan-tri/notifications/messagetemplate/',
    'quan-tri/notifications/messagetemplate/<path:object_id>/',
    'quan-tri/notifications/messagetemplate/<int:pk>/thu-html/',  # the email preview's frame (issue 17)
    'quan-tri/notifications/messagetemplate/<path:object_id>/change/',
    'quan-tri/notifications/messagetemplate/<path:object_id>/delete/',
    'quan-tri/notifications/messagetemplate/<path:object_id>/history/',
    'quan-tri/notifications/messagetemplate/add/',
    'quan-tri/notifications/notification/',
    'quan-tri/notifications/notification/<path:object_id>/',
    'quan-tri/notifications/notification/<path:object_id>/change/',
    'quan-tri/notifications/notification/<path:object_id>/delete/',
    'quan-tri/notifications/notification/<path:object_id>/history/',
    'quan-tri/notifications/notification/add/',
    'quan-tri/password_change/',
    'quan-tri/password_change/done/',
    'quan-tri/payments/payment/',
    'quan-tri/payments/payment/<int:pk>/bien-lai/',
    'quan-tri/payments/payment/<path:object_id>/',
    'quan-tri/payments/payment/<path:object_id>/change/',
    'quan-tri/payments/payment/<path:object_id>/delete/',
    'quan-tri/payments/payment/<path:object_id>/history/',
    'quan-tri/payments/payment/add/',
    'quan-tri/payments/payment/doi-soat/',
    'quan-tri/payments/payment/thu-truc-tiep/',
    'quan-tri/procedures/agency/',
    'quan-tri/procedures/agency/<path:object_id>/',
    'quan-tri/procedures/agency/<path:object_id>/change/',
    'quan-tri/procedures/agency/<path:object_id>/delete/',
    'quan-tri/procedures/agency/<path:object_id>/history/',
    'quan-tri/procedures/agency/add/',
    'quan-tri/procedures/dossiercomponent/',
    'quan-tri/procedures/dossiercomponent/<path:object_id>/',
    'quan-tri/procedures/dossiercomponent/<path:object_id>/change/',
    'quan-tri/procedures/dossiercomponent/<path:object_id>/delete/',
    'quan-tri/procedures/dossiercomponent/<path:object_id>/history/',
    'quan-tri/procedures/dossiercomponent/add/',
    'quan-tri/procedures/jurisdictiontier/',
    'quan-tri/procedures/jurisdictiontier/<path:object_id>/',
    'quan-tri/procedures/jurisdictiontier/<path:object_id>/change/',
    'quan-tri/procedures/jurisdictiontier/<path:object_id>/delete/',
    'quan-tri/procedures/jurisdictiontier/<path:object_id>/history/',
    'quan-tri/procedures/jurisdictiontier/add/',
    'quan-tri/procedures/procedure/',
    'quan-tri/procedures/procedure/<path:object_id>/',
    'quan-tri/procedures/procedure/<path:object_id>/change/',
    'quan-tri/procedures/procedure/<path:object_id>/delete/',
    'quan-tri/procedures/procedure/<path:object_id>/history/',
    'quan-tri/procedures/procedure/add/',
    'quan-tri/procedures/sector/',
    'quan-tri/procedures/sector/<path:object_id>/',
    'quan-tri/procedures/sector/<path:object_id>/change/',
    'quan-tri/procedures/sector/<path:object_id>/delete/',
    'quan-tri/procedures/sector/<path:object_id>/history/',
    'quan-tri/procedures/sector/add/',
    'quan-tri/r/<path:content_type_id>/<path:object_id>/',
    'thanh-toan/<str:token>/',
    'thanh-toan/<str:token>/bien-lai/',
    'thanh-toan/sandbox/',
    'thanh-toan/vnpay/ipn/',
    'thanh-toan/vnpay/ket-qua/',
    'thong-bao/twilio/<int:notification_id>/trang-thai/',
    'thu-tuc/',
    'thu-tuc/<str:code>/',
    'thu-tuc/<str:code>/mau/<int:template_id>/',
    'tim-kiem/',
    # Issue 17: the applicant's signed status link, the audit trail, the staff's two-factor devices.
    'quan-tri/audit/auditentry/',
    'quan-tri/audit/auditentry/<path:object_id>/',
    'quan-tri/audit/auditentry/<path:object_id>/change/',
    'quan-tri/audit/auditentry/<path:object_id>/delete/',
    'quan-tri/audit/auditentry/<path:object_id>/history/',
    'quan-tri/audit/auditentry/add/',
    'quan-tri/otp_static/staticdevice/',
    'quan-tri/otp_static/staticdevice/<path:object_id>/',
    'quan-tri/otp_static/staticdevice/<path:object_id>/change/',
    'quan-tri/otp_static/staticdevice/<path:object_id>/delete/',
    'quan-tri/otp_static/staticdevice/<path:object_id>/history/',
    'quan-tri/otp_static/staticdevice/add/',
    # The national system (issue 16): statistics, the sync log, the catalogue import.
    'quan-tri/national_portal/syncmessage/',
    'quan-tri/national_portal/syncmessage/<path:object_id>/',
    'quan-tri/national_portal/syncmessage/<path:object_id>/change/',
    'quan-tri/national_portal/syncmessage/<path:object_id>/delete/',
    'quan-tri/national_portal/syncmessage/<path:object_id>/history/',
    'quan-tri/national_portal/syncmessage/add/',
    'quan-tri/procedures/procedure/nhap-tu-tep/',
    'thong-ke/',
    'thong-ke/tai-ve.csv',
    'quan-tri/otp_totp/totpdevice/',
    'quan-tri/otp_totp/totpdevice/<int:pk>/config/',
    'quan-tri/otp_totp/totpdevice/<int:pk>/qrcode/',
    'quan-tri/otp_totp/totpdevice/<path:object_id>/',
    'quan-tri/otp_totp/totpdevice/<path:object_id>/change/',
    'quan-tri/otp_totp/totpdevice/<path:object_id>/delete/',
    'quan-tri/otp_totp/totpdevice/<path:object_id>/history/',
    'quan-tri/otp_totp/totpdevice/add/',
    'tim-kiem/<str:token>/',
    # Issue 15: sign-in with VNeID, the citizen's dossiers, the receipt's secret link, the favicon.
    'dang-nhap/vneid/',
    'dang-nhap/vneid/xong/',
    'dang-xuat/',
    'ho-so-cua-toi/',
    'bien-nhan/<str:token>/',
    'bien-nhan/<str:token>/pdf/',  # the receipt as PDF through the same secret link (issue 14)
    'favicon.ico',
    'nop-ho-so/<str:code>/da-luu/',
    'tiep-tuc-khai/<str:token>/',
}
ADMIN_APP_LIST = "quan-tri/^(?P<app_label>"


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_the_portal_answers_exactly_the_addresses_it_always_did():
    routes = set(_routes(get_resolver().url_patterns))
    app_lists = {route for route in routes if route.startswith(ADMIN_APP_LIST)}
    assert len(app_lists) == 1
    # The admin's app list regex names the apps with models in the admin, in registration order.
    assert set(app_lists.pop()[len(ADMIN_APP_LIST):].split(")")[0].split("|")) == {
        "auth", "axes", "procedures", "notifications", "payments", "dossiers", "audit", "otp_totp", "otp_static",
        "national_portal"}
    assert routes - {route for route in routes if route.startswith(ADMIN_APP_LIST)} == ROUTES


@pytest.mark.parametrize(("name", "args", "path"), [
    ("home", [], "/"),
    ("procedures:catalogue", [], "/thu-tuc/"),
    ("procedures:detail", ["1.001193"], "/thu-tuc/1.001193/"),
    ("filing:start", ["1.001193"], "/nop-ho-so/1.001193/"),
    ("filing:agency", ["1.001193"], "/nop-ho-so/1.001193/co-quan/"),
    ("filing:declaration", ["1.001193"], "/nop-ho-so/1.001193/to-khai/"),
    ("filing:documents", ["1.001193"], "/nop-ho-so/1.001193/giay-to/"),
    ("filing:review", ["1.001193"], "/nop-ho-so/1.001193/xem-lai/"),
    ("filing:confirm", ["1.001193"], "/nop-ho-so/1.001193/xac-nhan/"),
    ("filing:success", ["1.001193", "X-1"], "/nop-ho-so/1.001193/da-nop/X-1/"),
    ("filing:receipt", ["1.001193", "X-1"], "/nop-ho-so/1.001193/da-nop/X-1/bien-nhan/"),
    ("tracking:lookup", [], "/tim-kiem/"),
    ("tracking:supplement", ["t"], "/bo-sung/t/"),
    ("tracking:result_download", ["t"], "/ket-qua/t/"),
    ("tracking:rating", ["t"], "/danh-gia/t/"),
    ("notifications:twilio_status", [7], "/thong-bao/twilio/7/trang-thai/"),
    ("payments:vnpay_ipn", [], "/thanh-toan/vnpay/ipn/"),
    ("payments:vnpay_return", [], "/thanh-toan/vnpay/ket-qua/"),
    ("payments:sandbox", [], "/thanh-toan/sandbox/"),
    ("payments:pay", ["t"], "/thanh-toan/t/"),
    ("payments:receipt", ["t"], "/thanh-toan/t/bien-lai/"),
    ("admin:dossiers_dossier_changelist", [], "/quan-tri/dossiers/dossier/"),
    ("admin:dossiers_dossier_tracking_log", [], "/quan-tri/dossiers/dossier/so-theo-doi/"),
    ("admin:dossiers_dossier_slip", [5, "tiep-nhan"], "/quan-tri/dossiers/dossier/5/phieu/tiep-nhan/"),
    ("admin:dossiers_dossier_file", [5, 9], "/quan-tri/dossiers/dossier/5/tep/9/"),
    ("admin:dossiers_dossier_transition", [5, "receive"], "/quan-tri/dossiers/dossier/5/thao-tac/receive/"),
    ("admin:dossiers_rating_changelist", [], "/quan-tri/dossiers/rating/"),
    ("admin:payments_payment_reconciliation", [], "/quan-tri/payments/payment/doi-soat/"),
    ("admin:payments_payment_in_person", [], "/quan-tri/payments/payment/thu-truc-tiep/"),
])
def test_each_named_address_is_where_it_was(name, args, path):
    assert reverse(name, args=args) == path


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "status"), [
    ("/", 200),
    ("/thu-tuc/", 200),
    ("/thu-tuc/{code}/", 200),
    ("/thu-tuc/KHONG-CO/", 404),
    ("/nop-ho-so/{code}/", 200),  # a level-2 procedure: the page explains it is filed in person
    ("/nop-ho-so/{code}/da-nop/KHONG-CO/", 404),
    ("/nop-ho-so/{code}/da-nop/KHONG-CO/bien-nhan/", 404),
    ("/tim-kiem/", 200),
    ("/bo-sung/khong-hop-le/", 404),
    ("/ket-qua/khong-hop-le/", 404),
    ("/danh-gia/khong-hop-le/", 404),
    ("/thanh-toan/khong-hop-le/", 404),
    ("/thanh-toan/khong-hop-le/bien-lai/", 404),
    ("/thanh-toan/vnpay/ket-qua/", 400),
    ("/thanh-toan/sandbox/", 400),
    ("/quan-tri/", 302),
    ("/quan-tri/dossiers/dossier/", 302),
])
def test_each_public_address_answers_as_before(client, path, status):
    procedure = ProcedureFactory(service_level=2)
    assert client.get(path.format(code=procedure.code)).status_code == status
