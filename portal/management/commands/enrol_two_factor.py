"""Enrol a staff member in two-factor sign-in, or reset it (a lost or replaced phone).

    python manage.py enrol_two_factor <username>           # first enrolment
    python manage.py enrol_two_factor <username> --reset   # delete the old devices and codes first
    python manage.py enrol_two_factor <username> --clear   # delete them only: the clerk enrols again

Prints the ``otpauth://`` address (and its QR code, for the authenticator app) and ten
single-use recovery codes, once: the administrator hands them to the clerk in person. With
``--clear`` (a lost phone, when ``STAFF_TWO_FACTOR_SELF_ENROL`` is on) nothing is printed: the
clerk's next sign-in with the right password leads to their own enrolment (portal.staff_auth).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


class Command(BaseCommand):
    help = "Cài đặt (hoặc cài lại với --reset) xác thực hai lớp cho một tài khoản cán bộ."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="xóa thiết bị và mã khôi phục cũ trước")
        parser.add_argument("--clear", action="store_true",
                            help="chỉ xóa thiết bị và mã khôi phục; cán bộ tự cài đặt lại ở lần đăng nhập sau")
        parser.add_argument("--no-qr", action="store_true", help="không in mã QR")

    @transaction.atomic
    def handle(self, username, reset=False, clear=False, no_qr=False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{username}”.")
        if clear:
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            self.stdout.write(f"Đã xóa thiết bị xác thực và mã khôi phục của “{username}”; lần đăng nhập sau, "
                              "cán bộ tự cài đặt ứng dụng xác thực.")
            return
        has_devices = TOTPDevice.objects.filter(user=user).exists() or StaticDevice.objects.filter(user=user).exists()
        if has_devices and not reset:
            raise CommandError(f"“{username}” đã cài đặt xác thực hai lớp; dùng --reset để cài lại.")
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        totp = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=True)
        recovery = StaticDevice.objects.create(user=user, name="Mã khôi phục", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
        self.stdout.write(f"Tài khoản: {username}")
        self.stdout.write(f"Địa chỉ cho ứng dụng xác thực: {totp.config_url}")
        if not no_qr:
            import qrcode

            code = qrcode.QRCode(border=1)
            code.add_data(totp.config_url)
            code.print_ascii(out=self.stdout._out, invert=True)
        self.stdout.write("Mã khôi phục (mỗi mã dùng một lần):")
        for code in codes:
            self.stdout.write(f"  {code}")

