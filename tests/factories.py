"""factory_boy factories for the catalogue, dossiers and clerks."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from dossiers.models import Dossier
from procedures.models import (
    Agency,
    DeclarationField,
    DossierComponent,
    Fee,
    JurisdictionTier,
    Procedure,
    Sector,
)


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JurisdictionTier
        django_get_or_create = ("slug",)

    slug = "cap-xa"
    name = "Cấp xã"
    submit_label = "Nộp hồ sơ tại phường/xã/thị trấn"
    order = 1


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"UBND phường Thử Nghiệm {n}")
    tier = factory.SubFactory(TierFactory)
    identifier_code = factory.Sequence(lambda n: f"{n % 1000:03d}.{(n // 1000) % 100:02d}.12.H26")
    address = "Số 1 phố Thử Nghiệm, Hà Nội"
    phone = "024 3825 1234"
    email = "motcua@example.gov.vn"
    opening_hours = "Sáng 8:00–12:00, chiều 13:30–17:00, thứ Hai đến thứ Sáu"


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    name = "Hộ tịch"
    slug = "ho-tich"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        skip_postgeneration_save = True  # the hook only sets the many-to-many agencies

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Đăng ký khai sinh thử nghiệm {n}")
    sector = factory.SubFactory(SectorFactory)
    tier = factory.SubFactory(TierFactory)
    service_level = 3
    processing_days = 3
    steps = "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả."
    submission_methods = "Trực tuyến; trực tiếp; qua bưu chính."
    result = "Giấy khai sinh"
    legal_basis = "Luật Hộ tịch 2014"

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [AgencyFactory(tier=self.tier)]
        self.agencies.set(extracted)


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DossierComponent

    procedure = factory.SubFactory(ProcedureFactory)
    name = factory.Sequence(lambda n: f"Tờ khai số {n}")
    is_required = True


class FeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fee

    procedure = factory.SubFactory(ProcedureFactory)
    name = "Lệ phí"
    amount = 50000


class DeclarationFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeclarationField

    procedure = factory.SubFactory(ProcedureFactory)
    key = factory.Sequence(lambda n: f"truong_{n}")
    label = factory.Sequence(lambda n: f"Trường {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"canbo{n}")
    password = factory.django.Password("mat-khau-thu-nghiem-2026")
    is_staff = True


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier written directly (no wizard), for tests of what comes after filing."""

    class Meta:
        model = Dossier

    procedure = factory.SubFactory(ProcedureFactory)
    agency = factory.LazyAttribute(lambda o: o.procedure.agencies.first())
    code = factory.Sequence(lambda n: f"000.00.12.H26-{timezone.localdate():%y%m%d}-{n % 10000:04d}")
    applicant_name = "Nguyễn Văn An"
    applicant_id_number = "001090012345"
    applicant_phone = "+84912345678"
    applicant_email = "an.nguyen@example.com"
    applicant_address = "Số 5 ngõ 12 phố Hàng Bông, Hoàn Kiếm, Hà Nội"
