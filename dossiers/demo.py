"""Demo dossiers for the demo clerks: a few in every state, built through the real services.

``seed_demo_dossiers()`` is called by ``manage.py seed_demo`` after the catalogue and the
accounts. Every dossier is filed with ``dossiers.services.submit_dossier`` and moved with the
back office's services, so its code, history and messages are the real ones. Idempotent:
an agency that already has demo dossiers is left alone.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from procedures.models import Agency, DeclarationFieldType

from . import services
from .deadlines import WorkingCalendar
from .declaration import schema_snapshot
from .models import DeliveryMethod, Dossier
from .roles import RECEPTION_CLERK, SPECIALIST, ensure_groups
from .services import Attachment, fileable_procedures, submit_dossier

DEMO_EMAIL_DOMAIN = "vi-du.vn"
APPLICANTS = [
    ("Nguyễn Văn An", "nguyen.van.an"), ("Trần Thị Bình", "tran.thi.binh"), ("Lê Hoàng Cường", "le.hoang.cuong"),
    ("Phạm Thu Dung", "pham.thu.dung"), ("Hoàng Minh Đức", "hoang.minh.duc"), ("Vũ Thị Hà", "vu.thi.ha"),
    ("Đặng Quốc Hùng", "dang.quoc.hung"), ("Bùi Thanh Lan", "bui.thanh.lan"), ("Đỗ Văn Long", "do.van.long"),
    ("Ngô Thị Mai", "ngo.thi.mai"), ("Dương Văn Nam", "duong.van.nam"), ("Lý Thị Oanh", "ly.thi.oanh"),
    ("Hồ Văn Phúc", "ho.van.phuc"),
]
# A minimal valid PDF: the demo's "scanned" documents.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
            b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

# Each scenario: the steps after filing, as names of the functions below.
SCENARIOS = [
    ("registered", []),
    ("registered", []),
    ("received", ["receive"]),
    ("overdue", ["receive_long_ago"]),
    ("processing", ["receive", "assign"]),
    ("apology", ["receive_long_ago", "assign", "apologise"]),
    ("supplement_requested", ["receive", "request_supplement"]),
    ("result_ready", ["receive", "assign", "record_result"]),
    ("dispatched", ["receive", "assign", "record_result", "dispatch"]),
    ("returned", ["receive", "assign", "record_result", "return_result"]),
    ("refused", ["refuse"]),
    ("stopped", ["receive", "assign", "stop"]),
    ("withdrawn", ["withdraw"]),
]


def _sample_value(spec, index):
    kind = spec.get("type")
    if kind == DeclarationFieldType.DATE:
        return (timezone.localdate() - timedelta(days=30 + index)).isoformat()
    if kind == DeclarationFieldType.NUMBER:
        return str(spec.get("min") or 1)
    if kind == DeclarationFieldType.CHOICE:
        return (spec.get("choices") or [""])[0]
    if kind == DeclarationFieldType.MULTIPLE_CHOICE:
        return (spec.get("choices") or [])[:1]
    if kind == DeclarationFieldType.CHECKBOX:
        return True
    if kind == DeclarationFieldType.PHONE:
        return "+84912000111"
    if kind == DeclarationFieldType.EMAIL:
        return f"lien.he@{DEMO_EMAIL_DOMAIN}"
    if kind == DeclarationFieldType.ID_NUMBER:
        return "001090000111"
    if kind == DeclarationFieldType.LONG_TEXT:
        return "Đề nghị cơ quan xem xét, giải quyết."
    return f"{spec.get('label', 'Nội dung')} (ví dụ)"


def _file(procedure, agency, applicant_index, *, fee=None):
    name, slug = APPLICANTS[applicant_index % len(APPLICANTS)]
    attachments = []
    for component in procedure.components.all():
        if not component.is_required:
            continue
        stored = default_storage.save(f"dossiers/demo/{slug}-{component.pk}.pdf", ContentFile(DEMO_PDF))
        attachments.append(Attachment(component=component, file_name=stored, original_name=f"{component.name[:80]}.pdf",
                                      content_type="application/pdf", size=len(DEMO_PDF)))
    schema = schema_snapshot(procedure)
    return submit_dossier(
        procedure=procedure, agency=agency,
        applicant={"full_name": name, "id_number": f"0010900{applicant_index:05d}",
                   "phone": f"+8491200{applicant_index:04d}", "email": f"{slug}@{DEMO_EMAIL_DOMAIN}",
                   "address": f"Số {applicant_index + 1} phố Hàng Bông, phường Hoàn Kiếm, Hà Nội"},
        declaration={spec["key"]: _sample_value(spec, applicant_index) for spec in schema},
        declaration_schema=schema, attachments=attachments,
        fee_name=fee.name if fee else "", fee_amount=fee.amount if fee else 0,
        delivery_method=DeliveryMethod.IN_PERSON,
    )


def _step(step, dossier, clerk, specialist):
    now = timezone.now()
    if step == "receive":
        services.receive_dossier(dossier=dossier, actor=clerk)
    elif step == "receive_long_ago":
        services.receive_dossier(dossier=dossier, actor=clerk,
                                 at=now - timedelta(days=dossier.procedure.processing_days * 2 + 10))
    elif step == "assign":
        services.assign_dossier(dossier=dossier, actor=clerk, specialist=specialist)
    elif step == "apologise":
        new_date = WorkingCalendar().working_days_after(now, 5)
        services.issue_apology(dossier=dossier, actor=specialist, new_appointment_date=new_date,
                               reason="Hồ sơ cần xác minh thêm thông tin tại cơ quan liên quan.")
    elif step == "request_supplement":
        services.request_supplement(dossier=dossier, actor=clerk, reason="Bản sao giấy tờ chưa rõ nét.",
                                    missing_items=["Bản sao Giấy chứng nhận kết hôn của cha, mẹ (rõ nét)"])
    elif step == "record_result":
        services.record_result(dossier=dossier, actor=specialist, note="Đã giải quyết xong, kết quả kèm theo.")
    elif step == "dispatch":
        services.dispatch_result(dossier=dossier, actor=clerk, tracking_number="EB123456789VN")
    elif step == "return_result":
        services.return_result(dossier=dossier, actor=clerk, method=DeliveryMethod.IN_PERSON,
                               originals_collected=True)
    elif step == "refuse":
        services.refuse_dossier(dossier=dossier, actor=clerk,
                                reason="Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.")
    elif step == "stop":
        services.stop_dossier(dossier=dossier, actor=clerk,
                              reason="Người yêu cầu đã chết (khoản 2 Điều 19 Nghị định 118/2025/NĐ-CP).")
    elif step == "withdraw":
        services.withdraw_dossier(dossier=dossier, reason="Công dân đề nghị rút hồ sơ để bổ sung thông tin.")
    else:  # pragma: no cover - a typo in SCENARIOS
        raise ValueError(step)


def _specialist_for(agency, groups):
    """The agency's demo specialist (created with the clerk's password rules on first run)."""
    user_model = get_user_model()
    existing = agency.staff.filter(groups=groups[SPECIALIST]).first()
    if existing is not None:
        return existing, False
    clerk = agency.staff.filter(groups=groups[RECEPTION_CLERK]).first()
    username = clerk.username.replace("canbo.", "chuyenvien.", 1) if clerk else f"chuyenvien.{agency.pk}"
    specialist, _ = user_model.objects.get_or_create(username=username, defaults={
        "first_name": "Chuyên viên", "last_name": agency.name, "is_staff": True})
    if clerk is not None and not specialist.password:
        specialist.password = clerk.password  # the same published demo password as the clerk
        specialist.save(update_fields=["password"])
    specialist.groups.add(groups[SPECIALIST])
    agency.staff.add(specialist)
    return specialist, True


def seed_demo_dossiers(stdout=None, agencies=None):
    """Create the demo dossiers (every state) for each agency with a demo clerk; return how many.

    ``agencies`` narrows it to those agencies (a queryset), e.g. for a test that needs one
    agency's dossiers and not the whole demo's.
    """
    groups = ensure_groups()
    created = 0
    if agencies is None:
        agencies = Agency.objects.all()
    agencies = agencies.filter(staff__groups=groups[RECEPTION_CLERK], is_active=True).distinct()
    for agency in agencies.order_by("pk"):
        if Dossier.objects.filter(agency=agency, applicant_email__endswith=f"@{DEMO_EMAIL_DOMAIN}").exists():
            continue
        procedures = list(fileable_procedures().filter(agencies=agency).order_by("code"))
        if not procedures:
            continue
        clerk = agency.staff.filter(groups=groups[RECEPTION_CLERK]).order_by("pk").first()
        specialist, _new = _specialist_for(agency, groups)
        paying = [p for p in procedures if p.pays_online and p.fees.exists()]
        with transaction.atomic():
            for index, (_name, steps) in enumerate(SCENARIOS):
                procedure = procedures[index % len(procedures)]
                _step_all(_file(procedure, agency, index + created), steps, clerk, specialist)
                created += 1
            if paying:
                # Level 4 with a fee: waits for the online payment (or a clerk's exemption).
                _file(paying[0], agency, created, fee=paying[0].fees.first())
                created += 1
    if stdout is not None:
        stdout.write(f"Hồ sơ mẫu: {created} hồ sơ mới ở mọi trạng thái.")
    return created


def _step_all(dossier, steps, clerk, specialist):
    for step in steps:
        dossier.refresh_from_db()
        _step(step, dossier, clerk, specialist)
