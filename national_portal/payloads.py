"""The JSON the National Public Service Portal expects: ``DongBoHoSoMC`` and ``CapNhatTienDoHoSoMC``.

Dates are ``yyyyMMddHHmmss`` in Asia/Ho_Chi_Minh; statuses are the national list's codes
1–10 (``dossiers.workflow.NATIONAL_STATUS_CODE``). Built when the row is written, so the
message tells the dossier as it was at that step.
"""

import zoneinfo

from django.conf import settings

from dossiers.models import ApplicantType, DossierFileKind, SubmissionChannel
from dossiers.workflow import NATIONAL_STATUS_CODE, TRANSITIONS, Actor

# HinhThuc: how the dossier was filed (0 trực tiếp, 1 trực tuyến, 2 bưu chính).
CHANNEL_CODE = {SubmissionChannel.IN_PERSON: "0", SubmissionChannel.ONLINE: "1", SubmissionChannel.POST: "2"}
# LoaiDoiTuong: 1 công dân, 2 tổ chức/doanh nghiệp.
APPLICANT_TYPE_CODE = {ApplicantType.CITIZEN: "1", ApplicantType.ORGANISATION: "2"}
REGISTRATION_LABEL = "Đăng ký hồ sơ trực tuyến"
# What a stored DongBoHoSoMC keeps of the applicant once the dossier is anonymised.
ANONYMISED_FIELDS = {"ChuHoSo": "", "MaDoiTuong": "", "Email": "", "SoDienThoai": "", "DiaChi": "", "TaiLieuNop": []}


def national_time(value):
    if value is None:
        return ""
    if not hasattr(value, "hour"):  # a date: the appointment is due at the end of the working day
        return f"{value:%Y%m%d}170000"
    return value.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).strftime("%Y%m%d%H%M%S")


def dossier_payload(dossier):
    """``DongBoHoSoMC``'s record of a dossier: who filed what, where, when, with which documents and fees."""
    organisation = dossier.applicant_type == ApplicantType.ORGANISATION
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name,
        "MaLinhVuc": dossier.procedure.sector.slug,
        "TenLinhVuc": dossier.procedure.sector.name,
        "MucDo": dossier.procedure.service_level,
        "ChuHoSo": dossier.organisation_name if organisation and dossier.organisation_name else dossier.applicant_name,
        "LoaiDoiTuong": APPLICANT_TYPE_CODE.get(dossier.applicant_type, "1"),
        "MaDoiTuong": dossier.organisation_tax_code if organisation else dossier.applicant_id_number,
        "Email": dossier.applicant_email,
        "SoDienThoai": dossier.applicant_phone,
        "DiaChi": dossier.applicant_address,
        "NgayNopHoSo": national_time(dossier.submitted_at),
        "NgayTiepNhan": national_time(dossier.received_at),
        "NgayHenTra": national_time(dossier.appointment_date),
        "TrangThaiHoSo": str(NATIONAL_STATUS_CODE[dossier.status]),
        "HinhThuc": CHANNEL_CODE.get(dossier.channel, "1"),
        "DonViXuLy": dossier.agency.name,
        "MaDonViXuLy": dossier.agency.identifier_code,
        "TaiLieuNop": [
            {"TepDinhKemId": str(item.pk), "TenTepDinhKem": item.original_name, "TenThanhPhan": item.component_name,
             "KieuTep": item.content_type, "DungLuong": item.size}
            for item in dossier.files.filter(kind=DossierFileKind.APPLICATION).order_by("id")
        ],
        "DanhSachLePhi": [{"TenPhiLePhi": dossier.fee_name, "MucPhi": dossier.fee_amount}]
        if dossier.fee_name or dossier.fee_amount else [],
    }


def handler_name(entry):
    if entry.actor is not None:
        return entry.actor.get_full_name() or entry.actor.get_username()
    return {Actor.CITIZEN: "Công dân", Actor.SYSTEM: "Hệ thống"}.get(entry.actor_kind, "Cán bộ")


def progress_payload(dossier, entry):
    """``CapNhatTienDoHoSoMC``'s record of one step: who handled it, when, what was done, the new status."""
    transition = TRANSITIONS.get(entry.action)
    label = str(transition.label) if transition else REGISTRATION_LABEL
    content = f"{label}: {entry.public_note}" if entry.public_note else label
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": handler_name(entry),
        "ThoiDiemXuLy": national_time(entry.created_at),
        "PhongBanXuLy": dossier.agency.name,
        "NoiDungXuLy": content,
        "TrangThai": str(NATIONAL_STATUS_CODE[entry.to_status]),
        "NgayHenTra": national_time(dossier.appointment_date),
    }
