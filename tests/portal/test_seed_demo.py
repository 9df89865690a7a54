"""``seed_demo``: the demo catalogue and accounts, both profiles, idempotent, refused in production."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from dossiers.roles import RECEPTION_CLERK
from portal.management.commands.seed_demo import CATALOGUE_ADMIN, DEMO_PASSWORD
from procedures.models import Agency, DeclarationField, FormTemplate, JurisdictionTier, Procedure
from procedures.rules import procedure_problems
from tests.procedures.conftest import private_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.STORAGES = private_storage(tmp_path)
    return tmp_path


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", "--no-dossiers", *args, stdout=out)
    return out.getvalue()


def snapshot(storage):
    return {
        "procedures": list(Procedure.objects.order_by("code").values_list("code", "name", "service_level", "tier")),
        "agencies": Agency.objects.count(),
        "templates": FormTemplate.objects.count(),
        "fields": DeclarationField.objects.count(),
        "files": sorted(p.name for p in storage.rglob("*") if p.is_file()),
        "users": get_user_model().objects.count(),
    }


def test_three_tier_catalogue_is_realistic_and_complete(storage):
    output = seed()
    procedures = Procedure.objects.all()
    assert procedures.count() >= 30
    assert list(JurisdictionTier.objects.values_list("slug", flat=True)) == ["cap-xa", "cap-huyen", "cap-so"]
    per_tier = dict(Agency.objects.values_list("tier__slug").annotate(n=Count("id")))
    assert per_tier["cap-so"] >= 3 and per_tier["cap-huyen"] >= 3 and per_tier["cap-xa"] >= 6
    for tier in JurisdictionTier.objects.all():
        levels = set(procedures.filter(tier=tier).values_list("service_level", flat=True))
        assert levels == {1, 2, 3, 4}, tier
    assert procedures.get(code="1.001193").name == "Đăng ký khai sinh"
    for procedure in procedures:
        assert procedure_problems(procedure) == [], procedure.code
        if procedure.service_level >= 3:
            assert procedure.declaration_fields.count() >= 4, procedure.code
    assert procedures.filter(service_level=4, allows_electronic_result=True, fees__isnull=False).exists()
    assert procedures.annotate(n=Count("fees")).filter(n__gte=3).exists()  # several named amounts
    birth_keys = set(procedures.get(code="1.001193").declaration_fields.values_list("key", flat=True))
    assert {"ho_ten_con", "gioi_tinh", "ngay_sinh", "noi_sinh", "dan_toc", "quoc_tich", "ho_ten_me",
            "so_dinh_danh_me", "quan_he"} <= birth_keys
    for agency in Agency.objects.all():
        assert agency.address and agency.phone and agency.email and agency.opening_hours
        agency.full_clean()
    assert "MotCua-HaNoi-2025!" in output and CATALOGUE_ADMIN in output


def test_demo_accounts_can_sign_in_and_clerks_belong_to_their_agency(client):
    output = seed()
    response = client.post("/quan-tri/login/", {"username": CATALOGUE_ADMIN, "password": DEMO_PASSWORD,
                                                 "next": "/quan-tri/"})
    assert response.status_code == 302
    assert client.get("/quan-tri/procedures/procedure/").status_code == 200
    admin = get_user_model().objects.get(username=CATALOGUE_ADMIN)
    assert admin.is_staff
    assert admin.has_perm("procedures.change_procedure") and admin.has_perm("procedures.add_formtemplate")
    assert not admin.is_superuser
    for agency in Agency.objects.all():
        clerks = agency.staff.all()
        assert len(clerks) == 1
        clerk = clerks[0]
        assert clerk.is_staff and clerk.groups.filter(name=RECEPTION_CLERK).exists()
        assert clerk.username in output
        assert clerk.check_password(DEMO_PASSWORD)


def test_seeding_twice_changes_nothing(storage):
    seed()
    first = snapshot(storage)
    output = seed()
    assert snapshot(storage) == first
    assert "0 tệp mẫu mới" in output


def test_seed_refuses_outside_a_local_machine_unless_forced(settings):
    settings.PORTAL_LOCAL = False
    with pytest.raises(CommandError, match="PORTAL_LOCAL"):
        seed()
    assert not Procedure.objects.exists()
    seed("--force")
    assert Procedure.objects.count() >= 30


def test_two_tier_profile_has_no_districts(client):
    seed("--two-tier")
    assert list(JurisdictionTier.objects.values_list("slug", flat=True)) == ["cap-xa", "cap-so"]
    assert Agency.objects.filter(tier__slug="cap-xa").count() >= 6
    # District procedures (household businesses, building permits …) moved to the communes.
    assert Procedure.objects.get(code="2.000575").tier.slug == "cap-xa"
    assert Procedure.objects.get(code="1.009994").agencies.filter(tier__slug="cap-xa").count() >= 6
    assert Agency.objects.filter(name__startswith="Sở Tài chính").exists()


def test_the_portal_works_unchanged_with_two_tiers(client):
    seed("--two-tier")
    html = client.get("/").content.decode()
    entries = re.findall(r'<a href="/thu-tuc/\?cap=([a-z-]+)">([^<]+)<', html)
    assert [slug for slug, _label in entries] == ["cap-xa", "cap-so"]
    assert "quận/huyện" not in html
    response = client.get("/thu-tuc/", {"cap": "cap-xa", "muc_do": "4", "q": "ho kinh doanh"})
    names = re.findall(r"<strong>([^<]+)</strong></a>", response.content.decode())
    assert "Đăng ký thành lập hộ kinh doanh" in names
    assert all(p.tier.slug == "cap-xa" for p in Procedure.objects.filter(name__in=names))
    for procedure in Procedure.objects.all():
        assert client.get(procedure.get_absolute_url()).status_code == 200


def test_profiles_are_not_mixed_in_one_database():
    seed()
    with pytest.raises(CommandError, match="Cấp huyện"):
        seed("--two-tier")


def test_home_and_catalogue_work_on_an_empty_database(client):
    assert "Chưa có thủ tục nào được công bố." in client.get("/").content.decode()
    response = client.get("/thu-tuc/", {"q": "khai sinh"})
    assert response.status_code == 200 and "Không tìm thấy" in response.content.decode()
