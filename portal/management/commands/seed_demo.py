"""``manage.py seed_demo``: the demo catalogue, the demo accounts and demo dossiers.

Idempotent: every run leaves the same catalogue and resets the demo accounts'
passwords to the printed ones. Refuses to run outside a local machine
(``PORTAL_LOCAL``) unless ``--force`` is given, because it creates accounts with
published passwords.
"""


from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from dossiers.demo import seed_demo_dossiers
from dossiers.roles import RECEPTION_CLERK, ensure_groups
from procedures.demo import AGENCIES, THREE_TIER, TWO_TIER, ProfileMismatch, load_catalogue

CATALOGUE_ADMIN_GROUP = "Quản trị danh mục thủ tục"
CATALOGUE_ADMIN = "quantri.danhmuc"
SUPERUSER = "quantri"
# Published on purpose: these accounts exist only on demo machines (see the PORTAL_LOCAL guard).
DEMO_PASSWORD = "MotCua-HaNoi-2025!"


def ensure_catalogue_admin_group():
    """The group of catalogue administrators: every permission on the catalogue's models."""
    group, _ = Group.objects.get_or_create(name=CATALOGUE_ADMIN_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="procedures"))
    return group


def ensure_user(username, *, first_name="", last_name="", email="", superuser=False):
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.is_staff = True
    user.is_active = True
    user.is_superuser = superuser
    validate_password(DEMO_PASSWORD, user)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


class Command(BaseCommand):
    help = "Nạp danh mục thủ tục, tài khoản và hồ sơ mẫu (chỉ dùng trên máy phát triển, máy thử nghiệm)."

    def add_arguments(self, parser):
        parser.add_argument("--two-tier", action="store_true",
                            help="Mô hình chính quyền hai cấp (từ 1/7/2025): chỉ sở, ngành và phường, xã.")
        parser.add_argument("--force", action="store_true",
                            help="Chạy cả khi không phải máy phát triển (PORTAL_LOCAL tắt).")
        parser.add_argument("--no-dossiers", action="store_true", help="Không tạo hồ sơ mẫu.")

    def handle(self, *args, **options):
        if not settings.PORTAL_LOCAL and not options["force"]:
            raise CommandError("seed_demo tạo tài khoản với mật khẩu công khai: chỉ chạy trên máy phát triển "
                               "(PORTAL_LOCAL=1), hoặc thêm --force nếu thật sự muốn.")
        profile = TWO_TIER if options["two_tier"] else THREE_TIER
        try:
            with transaction.atomic():
                result = load_catalogue(profile)
                accounts = self.create_accounts(profile, result.agencies_by_key)
        except ProfileMismatch as error:
            raise CommandError(f"Cơ sở dữ liệu đã có cấp thẩm quyền khác với mô hình {profile}: {error}. "
                               "Hãy dùng một cơ sở dữ liệu mới cho mô hình này.") from None
        if not options["no_dossiers"]:
            self.seed_dossiers_quietly()
        self.stdout.write(self.style.SUCCESS(
            f"Danh mục ({profile}): {result.tiers} cấp, {result.agencies} cơ quan, {result.sectors} lĩnh vực, "
            f"{result.procedures} thủ tục, {result.templates_written} tệp mẫu mới."))
        self.stdout.write("Tài khoản mẫu (trang quản trị /quan-tri/):")
        for username, role in accounts:
            self.stdout.write(f"  {username:<28} {DEMO_PASSWORD}   {role}")
        for specialist in get_user_model().objects.filter(username__startswith="chuyenvien.").order_by("username"):
            self.stdout.write(f"  {specialist.username:<28} {DEMO_PASSWORD}   chuyên viên xử lý – {specialist.last_name}")

    def seed_dossiers_quietly(self):
        """The demo dossiers, their messages kept in memory: a summary line instead of every SMS and email.

        Only in-process (eager) sending is silenced; a running Celery worker sends through its own settings.
        """
        notification = apps.get_model("notifications", "Notification")
        before = notification.objects.count()
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                               SMS_BACKEND="notifications.sms.InMemoryBackend"):
            seed_demo_dossiers(stdout=self.stdout)
        self.stdout.write(f"Tin nhắn, thư của hồ sơ mẫu: {notification.objects.count() - before} "
                          "(không in ra; xem trong trang quản trị, mục Tin nhắn, thư).")

    def create_accounts(self, profile, agencies):
        accounts = []
        ensure_user(SUPERUSER, first_name="Quản trị", last_name="hệ thống", superuser=True)
        accounts.append((SUPERUSER, "quản trị hệ thống (superuser)"))
        admin = ensure_user(CATALOGUE_ADMIN, first_name="Quản trị", last_name="danh mục")
        admin.groups.add(ensure_catalogue_admin_group())
        accounts.append((CATALOGUE_ADMIN, "quản trị danh mục thủ tục"))
        clerks = ensure_groups()[RECEPTION_CLERK]
        for data in AGENCIES[profile]:
            agency = agencies[data.key]
            clerk = ensure_user(f"canbo.{data.key}", first_name="Cán bộ một cửa", last_name=data.name,
                                email=data.email)
            clerk.groups.add(clerks)
            agency.staff.add(clerk)
            accounts.append((clerk.username, f"cán bộ một cửa – {agency.name}"))
        return accounts
