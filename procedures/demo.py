"""The demo catalogue: a Hanoi-style set of tiers, agencies, sectors and real procedures.

``load_catalogue(profile)`` writes it idempotently (every row is found again by its
natural key: tier slug, agency mã định danh, sector slug, procedure code, fee and
component name, declaration field key), so ``seed_demo`` can run on every start.

Two profiles: ``THREE_TIER`` (commune, district, provincial department: the shape
before the 2025 reform) and ``TWO_TIER`` (communes/wards and departments only: the
shape since 1 July 2025, when district-level procedures moved to the communes).

Names, sectors, processing times and fees follow what the National Database of
Administrative Procedures publishes. The codes in ``PUBLISHED_CODES`` are the national
codes as published; the other codes follow the national format but must be checked on
csdl.dichvucong.gov.vn before a real deployment uses this data.
"""

from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from .documents import build_docx, build_pdf
from .models import (
    Agency,
    DeclarationField,
    DossierComponent,
    Fee,
    FormTemplate,
    JurisdictionTier,
    Procedure,
    Sector,
)
from .models import (
    DeclarationFieldType as T,
)
from .rules import procedure_problems
from .text import strip_diacritics

THREE_TIER = "three-tier"
TWO_TIER = "two-tier"

PUBLISHED_CODES = {"1.001193", "1.000894", "2.000635", "2.000815", "2.000884", "2.000575", "2.000488"}

HOURS = "Sáng 8:00–12:00, chiều 13:30–17:00, thứ Hai đến thứ Sáu; sáng thứ Bảy 8:00–12:00"
HOURS_DEPARTMENT = "Sáng 8:00–12:00, chiều 13:00–17:00, thứ Hai đến thứ Sáu"


@dataclass(frozen=True)
class TierData:
    slug: str
    name: str
    submit_label: str
    order: int


@dataclass(frozen=True)
class AgencyData:
    key: str  # also the demo clerk's user name: canbo.<key>
    name: str
    tier: str
    code: str
    address: str
    phone: str
    email: str
    parent: str = ""
    hours: str = HOURS


# Stored in Vietnamese; ``gettext_noop`` puts the names in the catalogue, so English pages show them
# translated (``JurisdictionTier.label``).
TIERS = {
    THREE_TIER: [
        TierData("cap-xa", gettext_noop("Cấp xã"), gettext_noop("Nộp hồ sơ tại phường/xã/thị trấn"), 1),
        TierData("cap-huyen", gettext_noop("Cấp huyện"), gettext_noop("Nộp hồ sơ tại quận/huyện/thị xã"), 2),
        TierData("cap-so", gettext_noop("Cấp sở, ban, ngành"), gettext_noop("Nộp hồ sơ tại sở/ngành"), 3),
    ],
    TWO_TIER: [
        TierData("cap-xa", gettext_noop("Cấp xã"), gettext_noop("Nộp hồ sơ tại phường/xã/đặc khu"), 1),
        TierData("cap-so", gettext_noop("Cấp tỉnh (sở, ban, ngành)"), gettext_noop("Nộp hồ sơ tại sở/ngành"), 2),
    ],
}

_DEPARTMENTS_COMMON = [
    AgencyData("sotuphap", "Sở Tư pháp Thành phố Hà Nội", "cap-so", "000.00.13.H26",
               "221 Trần Phú, Văn Quán, Hà Đông, Hà Nội", "024 3354 6158", "sotuphap@hanoi.gov.vn",
               hours=HOURS_DEPARTMENT),
    AgencyData("soxaydung", "Sở Xây dựng Thành phố Hà Nội", "cap-so", "000.00.16.H26",
               "52 Lê Đại Hành, Hai Bà Trưng, Hà Nội", "024 3976 4163", "soxaydung@hanoi.gov.vn",
               hours=HOURS_DEPARTMENT),
]

AGENCIES = {
    THREE_TIER: [
        *_DEPARTMENTS_COMMON,
        AgencyData("sokhdt", "Sở Kế hoạch và Đầu tư Thành phố Hà Nội", "cap-so", "000.00.07.H26",
                   "16 Cát Linh, Đống Đa, Hà Nội", "024 3825 6637", "sokhdt@hanoi.gov.vn", hours=HOURS_DEPARTMENT),
        AgencyData("soldtbxh", "Sở Lao động – Thương binh và Xã hội Thành phố Hà Nội", "cap-so", "000.00.09.H26",
                   "75 Nguyễn Chí Thanh, Đống Đa, Hà Nội", "024 3773 5566", "soldtbxh@hanoi.gov.vn",
                   hours=HOURS_DEPARTMENT),
        AgencyData("hoankiem", "UBND quận Hoàn Kiếm", "cap-huyen", "000.00.22.H26",
                   "126 Hàng Trống, Hoàn Kiếm, Hà Nội", "024 3825 3584", "motcua.hoankiem@hanoi.gov.vn"),
        AgencyData("badinh", "UBND quận Ba Đình", "cap-huyen", "000.00.21.H26",
                   "25 Liễu Giai, Ba Đình, Hà Nội", "024 3834 6317", "motcua.badinh@hanoi.gov.vn"),
        AgencyData("caugiay", "UBND quận Cầu Giấy", "cap-huyen", "000.00.25.H26",
                   "36 Cầu Giấy, Quan Hoa, Cầu Giấy, Hà Nội", "024 3767 3689", "motcua.caugiay@hanoi.gov.vn"),
        AgencyData("gialam", "UBND huyện Gia Lâm", "cap-huyen", "000.00.39.H26",
                   "Số 1 Ngô Xuân Quảng, thị trấn Trâu Quỳ, Gia Lâm, Hà Nội", "024 3827 6213",
                   "motcua.gialam@hanoi.gov.vn"),
        AgencyData("hangbong", "UBND phường Hàng Bông", "cap-xa", "000.05.22.H26",
                   "Số 9 ngõ Hàng Bông, phường Hàng Bông, Hoàn Kiếm, Hà Nội", "024 3828 5213",
                   "pc.hangbong@hanoi.gov.vn", parent="hoankiem"),
        AgencyData("hangtrong", "UBND phường Hàng Trống", "cap-xa", "000.06.22.H26",
                   "Số 22 Lý Quốc Sư, phường Hàng Trống, Hoàn Kiếm, Hà Nội", "024 3828 8015",
                   "pc.hangtrong@hanoi.gov.vn", parent="hoankiem"),
        AgencyData("dienbien", "UBND phường Điện Biên", "cap-xa", "000.03.21.H26",
                   "Số 1 Trần Phú, phường Điện Biên, Ba Đình, Hà Nội", "024 3845 6104",
                   "pc.dienbien@hanoi.gov.vn", parent="badinh"),
        AgencyData("kimma", "UBND phường Kim Mã", "cap-xa", "000.08.21.H26",
                   "Số 6 Vạn Bảo, phường Kim Mã, Ba Đình, Hà Nội", "024 3846 2272",
                   "pc.kimma@hanoi.gov.vn", parent="badinh"),
        AgencyData("dichvong", "UBND phường Dịch Vọng", "cap-xa", "000.02.25.H26",
                   "Số 2 Trần Quốc Vượng, phường Dịch Vọng, Cầu Giấy, Hà Nội", "024 3793 2168",
                   "pc.dichvong@hanoi.gov.vn", parent="caugiay"),
        AgencyData("trauquy", "UBND thị trấn Trâu Quỳ", "cap-xa", "000.01.39.H26",
                   "Số 3 Ngô Xuân Quảng, thị trấn Trâu Quỳ, Gia Lâm, Hà Nội", "024 3876 5120",
                   "tt.trauquy@hanoi.gov.vn", parent="gialam"),
        AgencyData("battrang", "UBND xã Bát Tràng", "cap-xa", "000.07.39.H26",
                   "Thôn Giang Cao, xã Bát Tràng, Gia Lâm, Hà Nội", "024 3874 0212",
                   "xa.battrang@hanoi.gov.vn", parent="gialam"),
    ],
    TWO_TIER: [
        *_DEPARTMENTS_COMMON,
        AgencyData("sotaichinh", "Sở Tài chính Thành phố Hà Nội", "cap-so", "000.00.07.H26",
                   "16 Cát Linh, Đống Đa, Hà Nội", "024 3825 6637", "sotaichinh@hanoi.gov.vn", hours=HOURS_DEPARTMENT),
        AgencyData("sonoivu", "Sở Nội vụ Thành phố Hà Nội", "cap-so", "000.00.09.H26",
                   "75 Nguyễn Chí Thanh, Đống Đa, Hà Nội", "024 3773 5566", "sonoivu@hanoi.gov.vn",
                   hours=HOURS_DEPARTMENT),
        AgencyData("phuonghoankiem", "UBND phường Hoàn Kiếm", "cap-xa", "000.01.50.H26",
                   "126 Hàng Trống, phường Hoàn Kiếm, Hà Nội", "024 3825 3584", "phuonghoankiem@hanoi.gov.vn"),
        AgencyData("cuanam", "UBND phường Cửa Nam", "cap-xa", "000.02.50.H26",
                   "Số 47 Hàng Bông, phường Cửa Nam, Hà Nội", "024 3828 5213", "phuongcuanam@hanoi.gov.vn"),
        AgencyData("phuongbadinh", "UBND phường Ba Đình", "cap-xa", "000.03.50.H26",
                   "25 Liễu Giai, phường Ba Đình, Hà Nội", "024 3834 6317", "phuongbadinh@hanoi.gov.vn"),
        AgencyData("ngocha", "UBND phường Ngọc Hà", "cap-xa", "000.04.50.H26",
                   "Số 6 Vạn Bảo, phường Ngọc Hà, Hà Nội", "024 3846 2272", "phuongngocha@hanoi.gov.vn"),
        AgencyData("phuongcaugiay", "UBND phường Cầu Giấy", "cap-xa", "000.05.50.H26",
                   "36 Cầu Giấy, phường Cầu Giấy, Hà Nội", "024 3767 3689", "phuongcaugiay@hanoi.gov.vn"),
        AgencyData("xagialam", "UBND xã Gia Lâm", "cap-xa", "000.06.50.H26",
                   "Số 1 Ngô Xuân Quảng, xã Gia Lâm, Hà Nội", "024 3827 6213", "xagialam@hanoi.gov.vn"),
        AgencyData("xabattrang", "UBND xã Bát Tràng", "cap-xa", "000.07.50.H26",
                   "Thôn Giang Cao, xã Bát Tràng, Hà Nội", "024 3874 0212", "xabattrang@hanoi.gov.vn"),
    ],
}

# Which department receives a provincial procedure, per profile (departments merged in 2025).
DEPARTMENT_FOR = {
    THREE_TIER: {"tu-phap": "sotuphap", "xay-dung": "soxaydung", "dau-tu": "sokhdt", "lao-dong": "soldtbxh"},
    TWO_TIER: {"tu-phap": "sotuphap", "xay-dung": "soxaydung", "dau-tu": "sotaichinh", "lao-dong": "sonoivu"},
}
# Where a procedure of the district tier lands in a profile without districts.
TIER_FOR = {
    THREE_TIER: {"xa": "cap-xa", "huyen": "cap-huyen", "so": "cap-so"},
    TWO_TIER: {"xa": "cap-xa", "huyen": "cap-xa", "so": "cap-so"},
}

SECTORS = {
    "ho-tich": "Hộ tịch",
    "chung-thuc": "Chứng thực",
    "ly-lich-tu-phap": "Lý lịch tư pháp",
    "quoc-tich": "Quốc tịch",
    "cong-chung": "Công chứng",
    "xay-dung": "Hoạt động xây dựng",
    "quy-hoach-xay-dung": "Quy hoạch xây dựng, kiến trúc",
    "dat-dai": "Đất đai",
    "ho-kinh-doanh": "Thành lập và hoạt động của hộ kinh doanh",
    "doanh-nghiep": "Thành lập và hoạt động của doanh nghiệp",
    "dau-tu": "Đầu tư tại Việt Nam",
    "viec-lam": "Việc làm",
    "bao-tro-xa-hoi": "Bảo trợ xã hội",
    "luu-thong-hang-hoa": "Lưu thông hàng hóa trong nước",
}


# --- Declaration fields -----------------------------------------------------------------------

@dataclass(frozen=True)
class F:
    key: str
    label: str
    type: str = T.SHORT_TEXT
    required: bool = True
    choices: tuple = ()
    help: str = ""
    min: int | None = None
    max: int | None = None
    future: bool = False


SEX = ("Nam", "Nữ")
RELATION_BIRTH = ("Cha", "Mẹ", "Ông", "Bà", "Người thân thích khác", "Người được ủy quyền")
COPIES = F("so_ban_sao", "Số bản sao trích lục yêu cầu cấp", T.NUMBER, False, min=0, max=10,
           help="Mỗi bản sao trích lục 8.000 đồng.")


def person(prefix, who, *, id_required=True, birth=True):
    fields = [F(f"ho_ten_{prefix}", f"Họ, chữ đệm, tên {who}", max=100)]
    if birth:
        fields.append(F(f"ngay_sinh_{prefix}", f"Ngày, tháng, năm sinh {who}", T.DATE))
    fields.append(F(f"so_dinh_danh_{prefix}", f"Số định danh cá nhân {who}", T.ID_NUMBER, id_required,
                    help="12 chữ số, in trên thẻ căn cước."))
    return fields


BIRTH = [
    F("ho_ten_con", "Họ, chữ đệm, tên người được khai sinh", max=100),
    F("gioi_tinh", "Giới tính", T.CHOICE, choices=SEX),
    F("ngay_sinh", "Ngày, tháng, năm sinh", T.DATE),
    F("noi_sinh", "Nơi sinh", help="Tên cơ sở y tế, hoặc địa chỉ nơi sinh."),
    F("dan_toc", "Dân tộc", help="Ví dụ: Kinh."),
    F("quoc_tich", "Quốc tịch", help="Ví dụ: Việt Nam."),
    F("que_quan", "Quê quán", required=False),
    *person("me", "người mẹ", birth=False),
    F("ho_ten_cha", "Họ, chữ đệm, tên người cha", required=False, help="Để trống nếu chưa xác định được cha."),
    F("so_dinh_danh_cha", "Số định danh cá nhân người cha", T.ID_NUMBER, False),
    F("quan_he", "Quan hệ của người đi khai sinh với người được khai sinh", T.CHOICE, choices=RELATION_BIRTH),
    COPIES,
]
MARRIAGE = [
    *person("chong", "bên nam"),
    F("dan_toc_chong", "Dân tộc bên nam"),
    F("noi_cu_tru_chong", "Nơi cư trú bên nam"),
    *person("vo", "bên nữ"),
    F("dan_toc_vo", "Dân tộc bên nữ"),
    F("noi_cu_tru_vo", "Nơi cư trú bên nữ"),
    F("lan_ket_hon", "Kết hôn lần thứ mấy", T.CHOICE, choices=("Lần đầu cả hai bên", "Một bên kết hôn lần thứ hai trở lên",
                                                              "Cả hai bên kết hôn lần thứ hai trở lên")),
    F("cam_ket", "Hai bên tự nguyện kết hôn, đáp ứng đủ điều kiện kết hôn theo Luật Hôn nhân và gia đình", T.CHECKBOX),
]
DEATH = [
    *person("nguoi_chet", "người chết"),
    F("gioi_tinh", "Giới tính người chết", T.CHOICE, choices=SEX),
    F("ngay_chet", "Ngày, giờ chết", T.DATE),
    F("noi_chet", "Nơi chết"),
    F("nguyen_nhan", "Nguyên nhân chết", required=False),
    F("giay_bao_tu", "Số Giấy báo tử hoặc giấy tờ thay thế", required=False),
    F("quan_he", "Quan hệ với người chết", T.CHOICE, choices=("Vợ", "Chồng", "Con", "Cha", "Mẹ",
                                                             "Người thân thích khác", "Người được ủy quyền")),
    COPIES,
]
MARITAL_STATUS = [
    *person("nguoi_xac_nhan", "người được xác nhận"),
    F("noi_cu_tru", "Nơi cư trú"),
    F("tinh_trang", "Tình trạng hôn nhân", T.CHOICE, choices=(
        "Chưa đăng ký kết hôn với ai", "Đã đăng ký kết hôn, đã ly hôn", "Đã đăng ký kết hôn, vợ/chồng đã chết",
        "Đang có vợ/chồng")),
    F("muc_dich", "Mục đích sử dụng", help="Ví dụ: để đăng ký kết hôn; để vay vốn ngân hàng."),
    F("so_ban", "Số bản yêu cầu cấp", T.NUMBER, min=1, max=5),
]
EXTRACT = [
    F("loai_trich_luc", "Loại trích lục", T.CHOICE, choices=("Khai sinh", "Kết hôn", "Khai tử", "Nhận cha, mẹ, con",
                                                            "Thay đổi, cải chính hộ tịch")),
    F("ho_ten", "Họ, chữ đệm, tên người có sự kiện hộ tịch", max=100),
    F("ngay_sinh", "Ngày, tháng, năm sinh", T.DATE),
    F("ngay_dang_ky", "Ngày đăng ký sự kiện hộ tịch", T.DATE, required=False),
    F("noi_dang_ky", "Nơi đã đăng ký", help="Tên cơ quan đã đăng ký, ví dụ UBND phường Hàng Bông."),
    F("so_dang_ky", "Số đăng ký, quyển số", required=False),
    F("so_ban", "Số bản sao yêu cầu cấp", T.NUMBER, min=1, max=10),
]
REREGISTER_BIRTH = [*BIRTH[:7], *BIRTH[7:10], F("ly_do", "Lý do đăng ký lại", T.LONG_TEXT,
                                                help="Ví dụ: sổ hộ tịch và bản chính giấy khai sinh đều bị mất.")]
RECOGNITION = [
    *person("nguoi_nhan", "người nhận"),
    *person("nguoi_duoc_nhan", "người được nhận", id_required=False),
    F("loai_nhan", "Nội dung yêu cầu", T.CHOICE, choices=("Cha nhận con", "Mẹ nhận con", "Con nhận cha", "Con nhận mẹ")),
    F("cam_ket", "Tôi cam đoan việc nhận cha, mẹ, con là đúng sự thật, tự nguyện, không có tranh chấp", T.CHECKBOX),
]
CORRECTION = [
    F("ho_ten", "Họ, chữ đệm, tên người có sự kiện hộ tịch", max=100),
    F("loai_yeu_cau", "Yêu cầu", T.CHOICE, choices=("Thay đổi", "Cải chính", "Bổ sung thông tin", "Xác định lại dân tộc")),
    F("giay_to", "Giấy tờ hộ tịch cần thay đổi", help="Ví dụ: Giấy khai sinh số 125, quyển 01/2010."),
    F("noi_dung_hien_tai", "Nội dung hiện tại", T.LONG_TEXT),
    F("noi_dung_de_nghi", "Nội dung đề nghị", T.LONG_TEXT),
    F("ly_do", "Lý do", T.LONG_TEXT),
]
DISABILITY = [
    *person("nguoi_khuyet_tat", "người khuyết tật", id_required=False),
    F("gioi_tinh", "Giới tính", T.CHOICE, choices=SEX),
    F("noi_cu_tru", "Nơi cư trú"),
    F("dang_khuyet_tat", "Dạng khuyết tật", T.MULTIPLE_CHOICE, choices=(
        "Khuyết tật vận động", "Khuyết tật nghe, nói", "Khuyết tật nhìn", "Khuyết tật thần kinh, tâm thần",
        "Khuyết tật trí tuệ", "Khuyết tật khác")),
    F("de_nghi", "Nội dung đề nghị", T.CHOICE, choices=("Xác định lần đầu", "Xác định lại", "Cấp đổi", "Cấp lại")),
]
FOREIGN_BIRTH = [*BIRTH[:10], F("quoc_tich_cha", "Quốc tịch người cha", required=False),
                 F("quoc_tich_me", "Quốc tịch người mẹ"),
                 F("quoc_tich_chon", "Quốc tịch cha mẹ thỏa thuận chọn cho con", T.CHOICE,
                   choices=("Việt Nam", "Quốc tịch nước ngoài của cha hoặc mẹ")),
                 BIRTH[10], COPIES]
FOREIGN_MARRIAGE = [
    F("ho_ten_chong", "Họ, chữ đệm, tên bên nam", max=100),
    F("ngay_sinh_chong", "Ngày, tháng, năm sinh bên nam", T.DATE),
    F("quoc_tich_chong", "Quốc tịch bên nam"),
    F("giay_to_chong", "Số định danh cá nhân hoặc số hộ chiếu bên nam"),
    F("ho_ten_vo", "Họ, chữ đệm, tên bên nữ", max=100),
    F("ngay_sinh_vo", "Ngày, tháng, năm sinh bên nữ", T.DATE),
    F("quoc_tich_vo", "Quốc tịch bên nữ"),
    F("giay_to_vo", "Số định danh cá nhân hoặc số hộ chiếu bên nữ"),
    F("ngon_ngu", "Cần phiên dịch khi phỏng vấn", T.CHECKBOX, required=False),
]
BUSINESS_HOUSEHOLD = [
    F("ten_ho_kinh_doanh", "Tên hộ kinh doanh", max=200, help="Gồm cụm từ “Hộ kinh doanh” và tên riêng."),
    F("dia_diem", "Địa điểm kinh doanh"),
    F("nganh_nghe", "Ngành, nghề kinh doanh", T.LONG_TEXT),
    F("von_kinh_doanh", "Vốn kinh doanh (đồng)", T.NUMBER, min=0),
    F("so_lao_dong", "Số lượng lao động", T.NUMBER, False, min=0, max=10000),
    F("dien_thoai", "Điện thoại liên hệ của hộ kinh doanh", T.PHONE),
    F("email", "Thư điện tử", T.EMAIL, False),
]
HOUSEHOLD_CHANGE = [
    F("ma_so_ho_kinh_doanh", "Mã số hộ kinh doanh"),
    F("ten_ho_kinh_doanh", "Tên hộ kinh doanh", max=200),
    F("noi_dung_thay_doi", "Nội dung thay đổi", T.MULTIPLE_CHOICE, choices=(
        "Tên hộ kinh doanh", "Địa điểm kinh doanh", "Ngành, nghề kinh doanh", "Vốn kinh doanh", "Chủ hộ kinh doanh")),
    F("chi_tiet", "Nội dung đăng ký sau khi thay đổi", T.LONG_TEXT),
]
HOUSEHOLD_PAUSE = [
    F("ma_so_ho_kinh_doanh", "Mã số hộ kinh doanh"),
    F("ten_ho_kinh_doanh", "Tên hộ kinh doanh", max=200),
    F("tu_ngay", "Tạm ngừng kinh doanh từ ngày", T.DATE, future=True),
    F("den_ngay", "Đến ngày", T.DATE, future=True),
    F("ly_do", "Lý do tạm ngừng", T.LONG_TEXT, False),
]
HOUSE_PERMIT = [
    F("chu_dau_tu", "Tên chủ đầu tư (chủ hộ)", max=200),
    F("dia_diem", "Địa điểm xây dựng", help="Số nhà, ngõ, phố, phường/xã."),
    F("thua_dat", "Lô đất số, thửa đất số, tờ bản đồ số"),
    F("dien_tich_dat", "Diện tích lô đất (m²)", T.NUMBER, min=1),
    F("dien_tich_xay_dung", "Diện tích xây dựng tầng 1 (m²)", T.NUMBER, min=1),
    F("tong_dien_tich_san", "Tổng diện tích sàn (m²)", T.NUMBER, min=1),
    F("so_tang", "Số tầng", T.NUMBER, min=1, max=7),
    F("chieu_cao", "Chiều cao công trình (m)", T.NUMBER, min=1, max=30),
    F("khoi_cong", "Dự kiến ngày khởi công", T.DATE, False, future=True),
]
HOUSE_REPAIR = [*HOUSE_PERMIT[:3], F("giay_phep_cu", "Số giấy phép xây dựng hoặc giấy tờ về quyền sở hữu nhà"),
                F("noi_dung_sua_chua", "Nội dung sửa chữa, cải tạo", T.LONG_TEXT), HOUSE_PERMIT[6]]
WORKS_PERMIT = [
    F("ten_cong_trinh", "Tên công trình", max=200),
    F("chu_dau_tu", "Chủ đầu tư", max=200),
    F("dia_diem", "Địa điểm xây dựng"),
    F("loai_cong_trinh", "Loại công trình", T.CHOICE, choices=("Dân dụng", "Công nghiệp", "Hạ tầng kỹ thuật",
                                                              "Giao thông", "Nông nghiệp và phát triển nông thôn")),
    F("cap_cong_trinh", "Cấp công trình", T.CHOICE, choices=("Cấp I", "Cấp II", "Cấp III")),
    F("tong_dien_tich_san", "Tổng diện tích sàn (m²)", T.NUMBER, min=1),
    F("so_tang", "Số tầng", T.NUMBER, min=1, max=100),
    F("don_vi_thiet_ke", "Tổ chức tư vấn thiết kế"),
]
BUILDER_CERTIFICATE = [
    *person("nguoi_de_nghi", "người đề nghị"),
    F("trinh_do", "Trình độ chuyên môn", help="Ví dụ: Kỹ sư xây dựng dân dụng và công nghiệp."),
    F("linh_vuc", "Lĩnh vực đề nghị cấp chứng chỉ", T.CHOICE, choices=(
        "Khảo sát xây dựng", "Thiết kế quy hoạch xây dựng", "Thiết kế xây dựng", "Giám sát thi công xây dựng",
        "Định giá xây dựng", "Quản lý dự án đầu tư xây dựng")),
    F("hang", "Hạng", T.CHOICE, choices=("Hạng II", "Hạng III")),
    F("kinh_nghiem", "Số năm kinh nghiệm", T.NUMBER, min=0, max=60),
]
CRIMINAL_RECORD = [
    *person("nguoi_yeu_cau", "người yêu cầu cấp phiếu"),
    F("gioi_tinh", "Giới tính", T.CHOICE, choices=SEX),
    F("noi_sinh", "Nơi sinh"),
    F("quoc_tich", "Quốc tịch"),
    F("noi_thuong_tru", "Nơi thường trú"),
    F("ho_ten_cha", "Họ, chữ đệm, tên người cha", required=False),
    F("ho_ten_me", "Họ, chữ đệm, tên người mẹ", required=False),
    F("loai_phieu", "Loại phiếu yêu cầu cấp", T.CHOICE, choices=("Phiếu lý lịch tư pháp số 1",
                                                                 "Phiếu lý lịch tư pháp số 2")),
    F("muc_dich", "Mục đích sử dụng phiếu"),
    F("so_ban", "Số lượng phiếu yêu cầu cấp", T.NUMBER, min=1, max=10,
      help="Từ phiếu thứ 3 trở đi, mỗi phiếu thu thêm 5.000 đồng."),
    F("mien_giam", "Đối tượng được miễn, giảm phí", T.CHOICE, required=False, choices=(
        "Không", "Sinh viên, người có công với cách mạng (giảm 50%)",
        "Trẻ em, người cao tuổi cô đơn, người khuyết tật, hộ nghèo (miễn)")),
]
COMPANY = [
    F("ten_cong_ty", "Tên công ty viết bằng tiếng Việt", max=200),
    F("ten_nuoc_ngoai", "Tên công ty viết bằng tiếng nước ngoài", required=False),
    F("tru_so", "Địa chỉ trụ sở chính"),
    F("nganh_nghe", "Ngành, nghề kinh doanh (mã ngành cấp 4)", T.LONG_TEXT),
    F("von_dieu_le", "Vốn điều lệ (đồng)", T.NUMBER, min=1),
    F("chu_so_huu", "Chủ sở hữu"),
    *person("dai_dien", "người đại diện theo pháp luật"),
    F("dien_thoai", "Điện thoại công ty", T.PHONE),
    F("email", "Thư điện tử công ty", T.EMAIL, False),
]
PRIVATE_ENTERPRISE = [
    F("ten_doanh_nghiep", "Tên doanh nghiệp tư nhân", max=200),
    F("tru_so", "Địa chỉ trụ sở chính"),
    F("nganh_nghe", "Ngành, nghề kinh doanh (mã ngành cấp 4)", T.LONG_TEXT),
    F("von_dau_tu", "Vốn đầu tư của chủ doanh nghiệp (đồng)", T.NUMBER, min=1),
    *person("chu_doanh_nghiep", "chủ doanh nghiệp"),
    F("dien_thoai", "Điện thoại doanh nghiệp", T.PHONE),
]
INVESTMENT = [
    F("ten_du_an", "Tên dự án", max=255),
    F("nha_dau_tu", "Nhà đầu tư"),
    F("muc_tieu", "Mục tiêu dự án", T.LONG_TEXT),
    F("quy_mo", "Quy mô dự án", T.LONG_TEXT),
    F("dia_diem", "Địa điểm thực hiện dự án"),
    F("tong_von", "Tổng vốn đầu tư (đồng)", T.NUMBER, min=1),
    F("dien_tich_dat", "Diện tích đất sử dụng (m²)", T.NUMBER, False, min=0),
    F("tien_do", "Tiến độ thực hiện", T.LONG_TEXT),
]
WORK_PERMIT = [
    F("ho_ten_nguoi_lao_dong", "Họ và tên người lao động nước ngoài", max=100),
    F("ngay_sinh", "Ngày, tháng, năm sinh", T.DATE),
    F("quoc_tich", "Quốc tịch"),
    F("so_ho_chieu", "Số hộ chiếu"),
    F("vi_tri", "Vị trí công việc", T.CHOICE, choices=("Nhà quản lý", "Giám đốc điều hành", "Chuyên gia",
                                                      "Lao động kỹ thuật")),
    F("chuc_danh", "Chức danh công việc"),
    F("to_chuc", "Tên doanh nghiệp, tổ chức sử dụng lao động"),
    F("tu_ngay", "Thời hạn làm việc từ ngày", T.DATE, future=True),
    F("den_ngay", "Đến ngày", T.DATE, future=True),
    F("dia_diem_lam_viec", "Địa điểm làm việc"),
]
WORK_PERMIT_REISSUE = [*WORK_PERMIT[:4], F("so_giay_phep", "Số giấy phép lao động đã được cấp"),
                       F("ly_do_cap_lai", "Lý do cấp lại", T.CHOICE, choices=(
                           "Giấy phép bị mất", "Giấy phép bị hỏng", "Thay đổi họ tên, quốc tịch, số hộ chiếu",
                           "Thay đổi địa điểm làm việc"))]


# --- Procedures ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class C:
    """A dossier component; ``template`` names its downloadable form, ``pdf`` adds a printable copy."""

    name: str
    originals: int = 1
    copies: int = 0
    required: bool = True
    template: str = ""
    pdf: bool = False


@dataclass(frozen=True)
class P:
    code: str
    name: str
    sector: str
    tier: str  # "xa", "huyen" or "so"
    level: int
    days: int
    components: list
    result: str
    legal: str
    fees: tuple = ()
    fee_note: str = ""
    note: str = ""
    department: str = ""
    declaration: list = field(default_factory=list)
    citizens: bool = True
    organisations: bool = False
    e_result: bool = False
    popularity: int = 0
    conditions: str = ""


LAW_CIVIL = ("Luật Hộ tịch số 60/2014/QH13;\nNghị định số 123/2015/NĐ-CP quy định chi tiết một số điều và biện pháp "
             "thi hành Luật Hộ tịch;\nThông tư số 04/2020/TT-BTP;\nThông tư số 85/2019/TT-BTC hướng dẫn về phí và "
             "lệ phí thuộc thẩm quyền quyết định của Hội đồng nhân dân cấp tỉnh.")
LAW_CERTIFY = ("Nghị định số 23/2015/NĐ-CP về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực "
               "chữ ký và chứng thực hợp đồng, giao dịch;\nThông tư số 01/2020/TT-BTP;\nThông tư số 226/2016/TT-BTC.")
LAW_HOUSEHOLD = ("Luật Doanh nghiệp số 59/2020/QH14;\nNghị định số 01/2021/NĐ-CP về đăng ký doanh nghiệp;\n"
                 "Thông tư số 02/2023/TT-BKHĐT;\nThông tư số 85/2019/TT-BTC.")
LAW_COMPANY = ("Luật Doanh nghiệp số 59/2020/QH14;\nNghị định số 01/2021/NĐ-CP về đăng ký doanh nghiệp;\n"
               "Thông tư số 47/2019/TT-BTC quy định mức thu phí, lệ phí đăng ký doanh nghiệp.")
LAW_BUILD = ("Luật Xây dựng số 50/2014/QH13, sửa đổi bởi Luật số 62/2020/QH14;\nNghị định số 15/2021/NĐ-CP "
             "quy định chi tiết một số nội dung về quản lý dự án đầu tư xây dựng;\nThông tư số 85/2019/TT-BTC.")
LAW_LAND = "Luật Đất đai số 31/2024/QH15;\nNghị định số 102/2024/NĐ-CP quy định chi tiết thi hành Luật Đất đai."
LAW_LABOUR = ("Bộ luật Lao động số 45/2019/QH14;\nNghị định số 152/2020/NĐ-CP, sửa đổi bởi Nghị định số "
              "70/2023/NĐ-CP, về người lao động nước ngoài làm việc tại Việt Nam.")

BIRTH_FORM = "Tờ khai đăng ký khai sinh"
IDENTITY = C("Giấy tờ tùy thân của người yêu cầu (căn cước, hộ chiếu) để đối chiếu", copies=0)
AUTHORISATION = C("Văn bản ủy quyền có chứng thực (trường hợp ủy quyền thực hiện)", required=False)

PROCEDURES = [
    # --- Commune / ward level -------------------------------------------------------------
    P("1.001193", "Đăng ký khai sinh", "ho-tich", "xa", 4, 0,
      [C("Tờ khai đăng ký khai sinh", template=BIRTH_FORM, pdf=True),
       C("Giấy chứng sinh hoặc giấy tờ thay thế giấy chứng sinh"),
       C("Văn bản xác nhận của người làm chứng về việc sinh (trường hợp không có giấy chứng sinh)", required=False),
       AUTHORISATION],
      "Giấy khai sinh (bản chính và bản điện tử); bản sao trích lục khai sinh nếu có yêu cầu.", LAW_CIVIL,
      fee_note="Miễn lệ phí đăng ký khai sinh đúng hạn. Bản sao trích lục: 8.000 đồng/bản.",
      note="Ngay trong ngày tiếp nhận; trường hợp nhận hồ sơ sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo.",
      declaration=BIRTH, e_result=True, popularity=9800,
      conditions="Người đi đăng ký khai sinh là cha, mẹ, ông, bà hoặc người thân thích khác của trẻ; "
                 "đăng ký trong thời hạn 60 ngày kể từ ngày sinh."),
    P("1.000894", "Đăng ký kết hôn", "ho-tich", "xa", 3, 0,
      [C("Tờ khai đăng ký kết hôn", template="Tờ khai đăng ký kết hôn", pdf=True),
       C("Giấy xác nhận tình trạng hôn nhân (trường hợp cư trú ở nơi khác)", required=False), IDENTITY],
      "Giấy chứng nhận kết hôn (hai bản chính, mỗi bên một bản).", LAW_CIVIL,
      fee_note="Miễn lệ phí đăng ký kết hôn theo Nghị quyết của Hội đồng nhân dân Thành phố.",
      note="Ngay trong ngày tiếp nhận; cần xác minh điều kiện kết hôn thì không quá 05 ngày làm việc. "
           "Hai bên nam, nữ phải có mặt khi nhận Giấy chứng nhận kết hôn.",
      declaration=MARRIAGE, popularity=7200,
      conditions="Nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi; tự nguyện; không bị mất năng lực hành vi dân sự; "
                 "không thuộc các trường hợp cấm kết hôn."),
    P("1.000656", "Đăng ký khai tử", "ho-tich", "xa", 4, 0,
      [C("Tờ khai đăng ký khai tử", template="Tờ khai đăng ký khai tử"),
       C("Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử"), AUTHORISATION],
      "Trích lục khai tử (bản chính và bản điện tử).", LAW_CIVIL,
      fee_note="Miễn lệ phí đăng ký khai tử đúng hạn.",
      note="Ngay trong ngày tiếp nhận; cần xác minh thì không quá 03 ngày làm việc.",
      declaration=DEATH, e_result=True, popularity=2100),
    P("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "ho-tich", "xa", 4, 3,
      [C("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", template="Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
         pdf=True),
       C("Bản án, quyết định ly hôn hoặc trích lục khai tử của vợ/chồng (nếu có)", copies=1, required=False)],
      "Giấy xác nhận tình trạng hôn nhân.", LAW_CIVIL, fees=(("Mỗi bản Giấy xác nhận", 3000),),
      declaration=MARITAL_STATUS, e_result=True, popularity=6400),
    P("2.000635", "Cấp bản sao trích lục hộ tịch", "ho-tich", "xa", 4, 0,
      [C("Tờ khai cấp bản sao trích lục hộ tịch", template="Tờ khai cấp bản sao trích lục hộ tịch"), AUTHORISATION],
      "Bản sao trích lục hộ tịch (khai sinh, kết hôn, khai tử …).", LAW_CIVIL,
      fees=(("Một bản sao trích lục", 8000), ("Hai bản sao trích lục", 16000), ("Ba bản sao trích lục", 24000)),
      note="Ngay trong ngày tiếp nhận yêu cầu; trường hợp sau 15 giờ thì trả trong ngày làm việc tiếp theo.",
      declaration=EXTRACT, e_result=True, popularity=5600),
    P("1.004884", "Đăng ký lại khai sinh", "ho-tich", "xa", 3, 5,
      [C("Tờ khai đăng ký lại khai sinh", template="Tờ khai đăng ký lại khai sinh"),
       C("Bản sao giấy tờ có thông tin về khai sinh (hồ sơ học tập, giấy tờ tùy thân …)", originals=0, copies=1)],
      "Giấy khai sinh (có ghi chú “đăng ký lại”).", LAW_CIVIL, fees=(("Lệ phí đăng ký lại khai sinh", 5000),),
      declaration=REREGISTER_BIRTH, popularity=800,
      conditions="Việc khai sinh đã đăng ký tại cơ quan có thẩm quyền của Việt Nam nhưng sổ hộ tịch và bản chính "
                 "giấy tờ hộ tịch đều bị mất."),
    P("1.001022", "Đăng ký nhận cha, mẹ, con", "ho-tich", "xa", 3, 3,
      [C("Tờ khai đăng ký nhận cha, mẹ, con", template="Tờ khai đăng ký nhận cha, mẹ, con"),
       C("Văn bản của cơ quan y tế, giám định xác nhận quan hệ cha, mẹ, con hoặc chứng cứ khác", copies=1)],
      "Trích lục đăng ký nhận cha, mẹ, con.", LAW_CIVIL, fees=(("Lệ phí đăng ký nhận cha, mẹ, con", 15000),),
      declaration=RECOGNITION, popularity=400),
    P("1.004859", "Thay đổi, cải chính, bổ sung thông tin hộ tịch", "ho-tich", "xa", 3, 3,
      [C("Tờ khai thay đổi, cải chính, bổ sung thông tin hộ tịch",
         template="Tờ khai thay đổi, cải chính, bổ sung thông tin hộ tịch"),
       C("Giấy tờ hộ tịch cần thay đổi, cải chính (bản chính)"),
       C("Giấy tờ làm căn cứ cho việc thay đổi, cải chính", copies=1)],
      "Trích lục thay đổi, cải chính, bổ sung thông tin hộ tịch.", LAW_CIVIL,
      fees=(("Lệ phí thay đổi, cải chính hộ tịch", 15000),),
      note="Trường hợp cần xác minh thì không quá 06 ngày làm việc.", declaration=CORRECTION, popularity=1500),
    P("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp "
      "hoặc chứng nhận", "chung-thuc", "xa", 2, 0,
      [C("Phiếu yêu cầu chứng thực", template="Phiếu yêu cầu chứng thực bản sao", pdf=True),
       C("Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao và bản sao cần chứng thực")],
      "Bản sao được chứng thực từ bản chính.", LAW_CERTIFY,
      fees=(("Trang thứ nhất và trang thứ hai (mỗi trang)", 2000), ("Từ trang thứ ba trở lên (mỗi trang)", 1000),
            ("Mức thu tối đa (mỗi bản)", 200000)),
      note="Trong ngày tiếp nhận yêu cầu hoặc ngày làm việc tiếp theo nếu tiếp nhận sau 15 giờ.",
      popularity=9200),
    P("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "chung-thuc", "xa", 2, 0,
      [C("Phiếu yêu cầu chứng thực chữ ký", template="Phiếu yêu cầu chứng thực chữ ký"),
       C("Giấy tờ, văn bản mà mình sẽ ký"), IDENTITY],
      "Giấy tờ, văn bản được chứng thực chữ ký.", LAW_CERTIFY, fees=(("Mỗi trường hợp", 10000),),
      note="Trong ngày tiếp nhận yêu cầu hoặc ngày làm việc tiếp theo nếu tiếp nhận sau 15 giờ.",
      popularity=4300),
    P("2.000927", "Chứng thực di chúc", "chung-thuc", "xa", 1, 2,
      [C("Dự thảo di chúc"), IDENTITY, C("Giấy chứng nhận quyền sở hữu, quyền sử dụng tài sản", copies=1)],
      "Di chúc được chứng thực.", LAW_CERTIFY, fees=(("Mỗi di chúc", 50000),),
      note="Không quá 02 ngày làm việc kể từ ngày nhận đủ hồ sơ.", popularity=300),
    P("1.003554", "Hòa giải tranh chấp đất đai", "dat-dai", "xa", 1, 30,
      [C("Đơn đề nghị hòa giải tranh chấp đất đai"), C("Giấy tờ, tài liệu liên quan đến thửa đất", copies=1)],
      "Biên bản hòa giải thành hoặc hòa giải không thành.", LAW_LAND,
      fee_note="Không thu phí.", popularity=650),
    P("1.001699", "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật", "bao-tro-xa-hoi",
      "xa", 3, 25,
      [C("Đơn đề nghị xác định mức độ khuyết tật", template="Đơn đề nghị xác định, xác định lại mức độ khuyết tật"),
       C("Bản sao kết luận của Hội đồng Giám định y khoa (nếu có)", originals=0, copies=1, required=False)],
      "Giấy xác nhận khuyết tật.",
      "Luật Người khuyết tật số 51/2010/QH12;\nThông tư số 01/2019/TT-BLĐTBXH về xác định mức độ khuyết tật.",
      fee_note="Không thu phí.", declaration=DISABILITY, popularity=500),

    # --- District level (moved to communes in the two-tier profile) --------------------------------
    P("1.001695", "Đăng ký khai sinh có yếu tố nước ngoài", "ho-tich", "huyen", 3, 3,
      [C("Tờ khai đăng ký khai sinh", template=BIRTH_FORM), C("Giấy chứng sinh"),
       C("Văn bản thỏa thuận của cha, mẹ về việc chọn quốc tịch cho con", required=False),
       C("Hộ chiếu của cha, mẹ là người nước ngoài", copies=1)],
      "Giấy khai sinh.", LAW_CIVIL, fees=(("Lệ phí đăng ký khai sinh có yếu tố nước ngoài", 75000),),
      declaration=FOREIGN_BIRTH, popularity=350),
    P("1.000593", "Đăng ký kết hôn có yếu tố nước ngoài", "ho-tich", "huyen", 3, 15,
      [C("Tờ khai đăng ký kết hôn", template="Tờ khai đăng ký kết hôn"),
       C("Giấy xác nhận của tổ chức y tế về việc không mắc bệnh tâm thần"),
       C("Giấy tờ chứng minh tình trạng hôn nhân của người nước ngoài (đã hợp pháp hóa lãnh sự, dịch)"),
       C("Hộ chiếu của người nước ngoài", copies=1)],
      "Giấy chứng nhận kết hôn.", LAW_CIVIL, fees=(("Lệ phí đăng ký kết hôn có yếu tố nước ngoài", 1000000),),
      declaration=FOREIGN_MARRIAGE, popularity=420),
    P("2.000575", "Đăng ký thành lập hộ kinh doanh", "ho-kinh-doanh", "huyen", 4, 3,
      [C("Giấy đề nghị đăng ký hộ kinh doanh", template="Giấy đề nghị đăng ký hộ kinh doanh", pdf=True),
       C("Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh (nếu có)", required=False),
       C("Văn bản ủy quyền cho thành viên làm chủ hộ kinh doanh (nếu có)", required=False)],
      "Giấy chứng nhận đăng ký hộ kinh doanh (bản giấy hoặc bản điện tử).", LAW_HOUSEHOLD,
      fees=(("Nộp hồ sơ trực tiếp", 100000), ("Nộp hồ sơ trực tuyến", 50000)),
      declaration=BUSINESS_HOUSEHOLD, organisations=True, e_result=True, popularity=8100),
    P("2.000720", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "ho-kinh-doanh", "huyen", 4, 3,
      [C("Thông báo thay đổi nội dung đăng ký hộ kinh doanh",
         template="Thông báo thay đổi nội dung đăng ký hộ kinh doanh"),
       C("Bản gốc Giấy chứng nhận đăng ký hộ kinh doanh")],
      "Giấy chứng nhận đăng ký hộ kinh doanh (cấp mới theo nội dung thay đổi).", LAW_HOUSEHOLD,
      fees=(("Nộp hồ sơ trực tiếp", 100000), ("Nộp hồ sơ trực tuyến", 50000)),
      declaration=HOUSEHOLD_CHANGE, organisations=True, e_result=True, popularity=2900),
    P("2.000637", "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh",
      "ho-kinh-doanh", "huyen", 4, 3,
      [C("Thông báo về việc tạm ngừng kinh doanh", template="Thông báo tạm ngừng kinh doanh hộ kinh doanh")],
      "Giấy xác nhận về việc hộ kinh doanh đăng ký tạm ngừng kinh doanh.", LAW_HOUSEHOLD,
      fee_note="Không thu lệ phí.", declaration=HOUSEHOLD_PAUSE, organisations=True, e_result=True,
      popularity=1700),
    P("1.009994", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "xay-dung", "huyen", 3, 15,
      [C("Đơn đề nghị cấp giấy phép xây dựng", template="Đơn đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ", pdf=True),
       C("Giấy tờ hợp pháp về quyền sử dụng đất", copies=1),
       C("Hai bộ bản vẽ thiết kế xây dựng", originals=2),
       C("Bản kê khai năng lực của tổ chức, cá nhân thiết kế (nếu tự thiết kế)", required=False)],
      "Giấy phép xây dựng.", LAW_BUILD,
      fees=(("Cấp giấy phép xây dựng nhà ở riêng lẻ", 75000), ("Gia hạn, điều chỉnh giấy phép", 15000)),
      declaration=HOUSE_PERMIT, popularity=7600),
    P("1.009997", "Cấp giấy phép sửa chữa, cải tạo đối với nhà ở riêng lẻ", "xay-dung", "huyen", 3, 15,
      [C("Đơn đề nghị cấp giấy phép sửa chữa, cải tạo", template="Đơn đề nghị cấp giấy phép sửa chữa, cải tạo"),
       C("Giấy tờ về quyền sở hữu nhà ở", copies=1), C("Bản vẽ hiện trạng và bản vẽ sửa chữa, cải tạo", originals=2)],
      "Giấy phép sửa chữa, cải tạo.", LAW_BUILD, fees=(("Cấp giấy phép sửa chữa, cải tạo nhà ở riêng lẻ", 75000),),
      declaration=HOUSE_REPAIR, popularity=1300),
    P("2.000908", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của nước ngoài cấp "
      "hoặc chứng nhận", "chung-thuc", "huyen", 2, 0,
      [C("Phiếu yêu cầu chứng thực", template="Phiếu yêu cầu chứng thực bản sao"),
       C("Bản chính giấy tờ đã được hợp pháp hóa lãnh sự và bản sao cần chứng thực")],
      "Bản sao được chứng thực từ bản chính.", LAW_CERTIFY,
      fees=(("Trang thứ nhất và trang thứ hai (mỗi trang)", 2000), ("Từ trang thứ ba trở lên (mỗi trang)", 1000),
            ("Mức thu tối đa (mỗi bản)", 200000)),
      note="Trong ngày tiếp nhận yêu cầu hoặc ngày làm việc tiếp theo nếu tiếp nhận sau 15 giờ.", popularity=1100),
    P("2.000620", "Cấp Giấy phép bán lẻ rượu", "luu-thong-hang-hoa", "huyen", 2, 10,
      [C("Đơn đề nghị cấp Giấy phép bán lẻ rượu", template="Đơn đề nghị cấp Giấy phép bán lẻ rượu"),
       C("Giấy chứng nhận đăng ký doanh nghiệp hoặc đăng ký hộ kinh doanh", copies=1),
       C("Hợp đồng nguyên tắc với thương nhân sản xuất, phân phối rượu", copies=1)],
      "Giấy phép bán lẻ rượu.",
      "Nghị định số 105/2017/NĐ-CP về kinh doanh rượu, sửa đổi bởi Nghị định số 17/2020/NĐ-CP;\n"
      "Thông tư số 168/2016/TT-BTC.",
      fees=(("Thẩm định tại các phường", 1200000), ("Thẩm định tại các xã", 600000)),
      citizens=True, organisations=True, popularity=240),
    P("2.001033", "Giải quyết tranh chấp đất đai thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân cấp huyện",
      "dat-dai", "huyen", 1, 45,
      [C("Đơn yêu cầu giải quyết tranh chấp đất đai"), C("Biên bản hòa giải tại cấp xã", copies=1),
       C("Giấy tờ, tài liệu làm chứng cứ", copies=1, required=False)],
      "Quyết định giải quyết tranh chấp đất đai.", LAW_LAND, fee_note="Không thu phí.", popularity=210),

    # --- Provincial departments --------------------------------------------------------------------
    P("2.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
      "ly-lich-tu-phap", "so", 4, 10,
      [C("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", template="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", pdf=True),
       C("Bản chụp căn cước hoặc hộ chiếu", originals=0, copies=1),
       C("Văn bản ủy quyền (trường hợp ủy quyền yêu cầu cấp Phiếu số 1)", required=False)],
      "Phiếu lý lịch tư pháp số 1 hoặc số 2 (bản giấy hoặc bản điện tử).",
      "Luật Lý lịch tư pháp số 28/2009/QH12;\nNghị định số 111/2010/NĐ-CP;\n"
      "Thông tư số 244/2016/TT-BTC quy định phí cung cấp thông tin lý lịch tư pháp.",
      fees=(("Phí cung cấp thông tin lý lịch tư pháp", 200000),
            ("Sinh viên, người có công với cách mạng, thân nhân liệt sĩ", 100000),
            ("Từ phiếu thứ 3 trở đi (mỗi phiếu)", 5000)),
      fee_note="Miễn phí cho trẻ em, người cao tuổi cô đơn, người khuyết tật, người thuộc hộ nghèo.",
      note="Trường hợp phải xác minh thì không quá 15 ngày.", department="tu-phap",
      declaration=CRIMINAL_RECORD, e_result=True, popularity=8900),
    P("2.001474", "Thôi quốc tịch Việt Nam ở trong nước", "quoc-tich", "so", 1, 20,
      [C("Đơn xin thôi quốc tịch Việt Nam"), C("Bản khai lý lịch"), C("Phiếu lý lịch tư pháp"),
       C("Giấy tờ xác nhận sẽ được nhập quốc tịch nước ngoài", copies=1)],
      "Quyết định cho thôi quốc tịch Việt Nam của Chủ tịch nước.",
      "Luật Quốc tịch Việt Nam số 24/2008/QH12;\nNghị định số 16/2020/NĐ-CP;\nThông tư số 281/2016/TT-BTC.",
      fees=(("Lệ phí xin thôi quốc tịch Việt Nam", 2500000),),
      note="Sở Tư pháp xem xét trong 20 ngày; tổng thời gian giải quyết theo quy định của Luật Quốc tịch.",
      department="tu-phap", popularity=60),
    P("2.001003", "Đăng ký hoạt động Văn phòng công chứng", "cong-chung", "so", 2, 10,
      [C("Đơn đề nghị đăng ký hoạt động", template="Đơn đề nghị đăng ký hoạt động Văn phòng công chứng"),
       C("Quyết định cho phép thành lập Văn phòng công chứng", copies=1),
       C("Giấy tờ chứng minh trụ sở của Văn phòng công chứng", copies=1)],
      "Giấy đăng ký hoạt động Văn phòng công chứng.",
      "Luật Công chứng số 46/2024/QH15;\nThông tư số 257/2016/TT-BTC.",
      fees=(("Phí thẩm định điều kiện hoạt động", 1000000),), department="tu-phap",
      citizens=False, organisations=True, popularity=40),
    P("1.009972", "Cấp giấy phép xây dựng mới đối với công trình cấp I, cấp II", "xay-dung", "so", 3, 20,
      [C("Đơn đề nghị cấp giấy phép xây dựng", template="Đơn đề nghị cấp giấy phép xây dựng công trình"),
       C("Giấy tờ hợp pháp về quyền sử dụng đất", copies=1),
       C("Quyết định phê duyệt dự án, văn bản thẩm định thiết kế xây dựng", copies=1),
       C("Hai bộ bản vẽ thiết kế xây dựng", originals=2)],
      "Giấy phép xây dựng công trình.", LAW_BUILD, fees=(("Cấp giấy phép xây dựng công trình", 150000),),
      department="xay-dung", declaration=WORKS_PERMIT, citizens=False, organisations=True, popularity=380),
    P("1.009983", "Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III", "xay-dung", "so", 4, 20,
      [C("Đơn đề nghị cấp chứng chỉ hành nghề", template="Đơn đề nghị cấp chứng chỉ hành nghề hoạt động xây dựng"),
       C("Văn bằng do cơ sở đào tạo hợp pháp cấp", copies=1),
       C("Bản khai kinh nghiệm công tác chuyên môn", template="Bản khai kinh nghiệm công tác chuyên môn"),
       C("Ảnh màu cỡ 4x6 cm chụp trong 6 tháng gần nhất")],
      "Chứng chỉ hành nghề hoạt động xây dựng (bản điện tử).",
      "Luật Xây dựng số 50/2014/QH13, sửa đổi bởi Luật số 62/2020/QH14;\nNghị định số 15/2021/NĐ-CP;\n"
      "Thông tư số 38/2022/TT-BTC quy định lệ phí cấp chứng chỉ hành nghề.",
      fees=(("Cấp chứng chỉ hành nghề lần đầu", 300000), ("Cấp lại, điều chỉnh chứng chỉ", 150000)),
      department="xay-dung", declaration=BUILDER_CERTIFICATE, e_result=True, popularity=1200),
    P("1.008432", "Cung cấp thông tin về quy hoạch xây dựng", "quy-hoach-xay-dung", "so", 1, 15,
      [C("Văn bản đề nghị cung cấp thông tin quy hoạch"), C("Sơ đồ vị trí khu vực đề nghị cung cấp thông tin")],
      "Văn bản cung cấp thông tin về quy hoạch xây dựng.",
      "Luật Quy hoạch đô thị số 30/2009/QH12;\nNghị định số 37/2010/NĐ-CP.",
      fee_note="Không thu phí.", department="xay-dung", organisations=True, popularity=900),
    P("2.001199", "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên", "doanh-nghiep", "so", 4, 3,
      [C("Giấy đề nghị đăng ký doanh nghiệp", template="Giấy đề nghị đăng ký công ty TNHH một thành viên", pdf=True),
       C("Điều lệ công ty"), C("Bản sao giấy tờ pháp lý của chủ sở hữu", originals=0, copies=1),
       C("Bản sao giấy tờ pháp lý của người đại diện theo ủy quyền", originals=0, copies=1, required=False)],
      "Giấy chứng nhận đăng ký doanh nghiệp.", LAW_COMPANY,
      fees=(("Lệ phí đăng ký doanh nghiệp (nộp hồ sơ giấy)", 50000),
            ("Phí công bố nội dung đăng ký doanh nghiệp", 100000)),
      fee_note="Miễn lệ phí đăng ký doanh nghiệp khi nộp hồ sơ trực tuyến.", department="dau-tu",
      declaration=COMPANY, citizens=False, organisations=True, e_result=True, popularity=4700),
    P("2.002041", "Đăng ký thành lập doanh nghiệp tư nhân", "doanh-nghiep", "so", 4, 3,
      [C("Giấy đề nghị đăng ký doanh nghiệp tư nhân", template="Giấy đề nghị đăng ký doanh nghiệp tư nhân"),
       C("Bản sao giấy tờ pháp lý của chủ doanh nghiệp tư nhân", originals=0, copies=1)],
      "Giấy chứng nhận đăng ký doanh nghiệp.", LAW_COMPANY,
      fees=(("Lệ phí đăng ký doanh nghiệp (nộp hồ sơ giấy)", 50000),
            ("Phí công bố nội dung đăng ký doanh nghiệp", 100000)),
      fee_note="Miễn lệ phí đăng ký doanh nghiệp khi nộp hồ sơ trực tuyến.", department="dau-tu",
      declaration=PRIVATE_ENTERPRISE, citizens=True, organisations=True, e_result=True, popularity=1600),
    P("2.001997", "Cấp Giấy chứng nhận đăng ký đầu tư đối với dự án không thuộc diện chấp thuận chủ trương đầu tư",
      "dau-tu", "so", 3, 15,
      [C("Văn bản đề nghị thực hiện dự án đầu tư", template="Văn bản đề nghị cấp Giấy chứng nhận đăng ký đầu tư"),
       C("Đề xuất dự án đầu tư"), C("Tài liệu chứng minh năng lực tài chính của nhà đầu tư", copies=1),
       C("Tài liệu về quyền sử dụng địa điểm thực hiện dự án", copies=1)],
      "Giấy chứng nhận đăng ký đầu tư.",
      "Luật Đầu tư số 61/2020/QH14;\nNghị định số 31/2021/NĐ-CP;\nThông tư số 03/2021/TT-BKHĐT.",
      fee_note="Không thu phí, lệ phí.", department="dau-tu", declaration=INVESTMENT,
      citizens=False, organisations=True, popularity=520),
    P("1.000459", "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam", "viec-lam", "so", 4, 5,
      [C("Văn bản đề nghị cấp giấy phép lao động", template="Văn bản đề nghị cấp giấy phép lao động"),
       C("Giấy chứng nhận sức khỏe", copies=1), C("Phiếu lý lịch tư pháp", copies=1),
       C("Văn bản chứng minh là nhà quản lý, chuyên gia hoặc lao động kỹ thuật", copies=1),
       C("Hai ảnh màu cỡ 4x6 cm", originals=2), C("Bản sao hộ chiếu còn giá trị", originals=0, copies=1)],
      "Giấy phép lao động (bản điện tử và bản giấy).", LAW_LABOUR,
      fees=(("Cấp giấy phép lao động", 400000),), department="lao-dong", declaration=WORK_PERMIT,
      citizens=False, organisations=True, e_result=True, popularity=1900),
    P("1.000479", "Cấp lại giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam", "viec-lam", "so", 4,
      3,
      [C("Văn bản đề nghị cấp lại giấy phép lao động", template="Văn bản đề nghị cấp lại giấy phép lao động"),
       C("Giấy phép lao động còn thời hạn đã được cấp (trừ trường hợp bị mất)", required=False),
       C("Hai ảnh màu cỡ 4x6 cm", originals=2)],
      "Giấy phép lao động được cấp lại.", LAW_LABOUR,
      fees=(("Cấp lại giấy phép lao động", 300000),), department="lao-dong", declaration=WORK_PERMIT_REISSUE,
      citizens=False, organisations=True, e_result=True, popularity=700),
]

GENERIC_FORM_LINES = ["Họ, chữ đệm, tên người yêu cầu", "Số định danh cá nhân", "Nơi cư trú", "Số điện thoại",
                      "Nội dung yêu cầu"]


def _steps(procedure):
    online = {
        3: "Nộp hồ sơ trực tuyến trên Cổng dịch vụ công (bấm “Thực hiện”), hoặc nộp trực tiếp, qua bưu chính tại "
           "Bộ phận một cửa.",
        4: "Nộp hồ sơ và thanh toán phí, lệ phí trực tuyến trên Cổng dịch vụ công (bấm “Thực hiện”), hoặc nộp "
           "trực tiếp, qua bưu chính tại Bộ phận một cửa.",
    }.get(procedure.level, "Nộp hồ sơ trực tiếp hoặc qua dịch vụ bưu chính tại Bộ phận một cửa.")
    result = ("Nhận kết quả trực tuyến, qua bưu chính hoặc tại Bộ phận một cửa."
              if procedure.e_result else "Nhận kết quả tại Bộ phận một cửa hoặc qua dịch vụ bưu chính.")
    return "\n".join([
        "Bước 1: Chuẩn bị hồ sơ theo quy định (tải mẫu đơn, tờ khai tại trang này nếu có).",
        f"Bước 2: {online}",
        "Bước 3: Cán bộ một cửa kiểm tra hồ sơ: hồ sơ đầy đủ thì tiếp nhận và hẹn ngày trả kết quả; chưa đầy đủ "
        "thì hướng dẫn bổ sung một lần, đầy đủ.",
        "Bước 4: Cơ quan có thẩm quyền giải quyết hồ sơ.",
        f"Bước 5: {result}",
    ])


def _methods(procedure):
    methods = ["Trực tiếp tại Bộ phận một cửa của cơ quan tiếp nhận.", "Qua dịch vụ bưu chính công ích."]
    if procedure.level == 3:
        methods.insert(0, "Trực tuyến một phần: khai và nộp hồ sơ trên Cổng dịch vụ công; nộp phí, lệ phí và nhận "
                          "kết quả tại Bộ phận một cửa.")
    elif procedure.level == 4:
        methods.insert(0, "Trực tuyến toàn trình: nộp hồ sơ, thanh toán phí, lệ phí trực tuyến; nhận kết quả trực "
                          "tuyến hoặc qua bưu chính.")
    return "\n".join(methods)


@dataclass
class SeedResult:
    tiers: int = 0
    agencies: int = 0
    sectors: int = 0
    procedures: int = 0
    templates_written: int = 0
    agencies_by_key: dict = field(default_factory=dict)


class ProfileMismatch(Exception):
    """The database already holds a catalogue of another shape (e.g. districts, for the two-tier profile)."""


def template_filename(title, extension):
    return f"{slugify(strip_diacritics(title))}.{extension}"


@transaction.atomic
def load_catalogue(profile=THREE_TIER):
    """Write the demo catalogue of ``profile``; running it again changes nothing.

    Raises ``ProfileMismatch`` when the database has jurisdiction tiers the profile does
    not know: the two profiles are meant for two databases, not to be mixed.
    """
    tiers_data = TIERS[profile]
    foreign = JurisdictionTier.objects.exclude(slug__in=[t.slug for t in tiers_data])
    if foreign.exists():
        raise ProfileMismatch(", ".join(foreign.values_list("name", flat=True)))
    result = SeedResult()
    tiers = {}
    for data in tiers_data:
        tier, _ = JurisdictionTier.objects.update_or_create(
            slug=data.slug, defaults={"name": data.name, "submit_label": data.submit_label, "order": data.order})
        tiers[data.slug] = tier
    result.tiers = len(tiers)

    agencies = {}
    for data in AGENCIES[profile]:
        agency, _ = Agency.objects.update_or_create(identifier_code=data.code, defaults={
            "name": data.name, "tier": tiers[data.tier], "parent": agencies.get(data.parent) if data.parent else None,
            "address": data.address, "phone": data.phone, "email": data.email, "opening_hours": data.hours,
            "is_active": True,
        })
        agencies[data.key] = agency
    result.agencies = len(agencies)
    result.agencies_by_key = agencies

    sectors = {slug: Sector.objects.update_or_create(slug=slug, defaults={"name": name})[0]
               for slug, name in SECTORS.items()}
    result.sectors = len(sectors)

    for data in PROCEDURES:
        result.templates_written += _load_procedure(data, profile, tiers, agencies, sectors)
    result.procedures = len(PROCEDURES)
    return result


def _load_procedure(data, profile, tiers, agencies, sectors):
    tier_slug = TIER_FOR[profile][data.tier]
    procedure, _ = Procedure.objects.update_or_create(code=data.code, defaults={
        "name": data.name, "sector": sectors[data.sector], "tier": tiers[tier_slug],
        "service_level": data.level, "for_citizens": data.citizens, "for_organisations": data.organisations,
        "steps": _steps(data), "submission_methods": _methods(data), "conditions": data.conditions,
        "processing_days": data.days, "processing_note": data.note, "fee_note": data.fee_note,
        "result": data.result, "legal_basis": data.legal, "allows_electronic_result": data.e_result,
        "is_published": True,
    })
    Procedure.objects.filter(pk=procedure.pk).update(popularity=data.popularity)
    if data.department:
        receiving = [agencies[DEPARTMENT_FOR[profile][data.department]]]
    else:
        receiving = [agency for agency in agencies.values() if agency.tier.slug == tier_slug]
    procedure.agencies.set(receiving)

    for order, (name, amount) in enumerate(data.fees):
        Fee.objects.update_or_create(procedure=procedure, name=name, defaults={"amount": amount, "order": order})
    procedure.fees.exclude(name__in=[name for name, _ in data.fees]).delete()

    authority = receiving[0].name if len(receiving) == 1 else f"Ủy ban nhân dân {tiers[tier_slug].name.lower()}"
    lines = [f.label for f in data.declaration] or GENERIC_FORM_LINES
    written = 0
    for order, component_data in enumerate(data.components):
        component = procedure.components.filter(name=component_data.name).first() or DossierComponent(
            procedure=procedure, name=component_data.name)
        component.originals = component_data.originals
        component.copies = component_data.copies
        component.is_required = component_data.required
        component.order = order
        component.save()
        if component_data.template:
            written += _ensure_template(component, component_data.template, "docx",
                                        lambda t=component_data.template: build_docx(title=t, authority=authority,
                                                                                     lines=lines))
            if component_data.pdf:
                written += _ensure_template(component, f"{component_data.template} (bản in PDF)", "pdf",
                                            lambda t=component_data.template: build_pdf(title=t, authority=authority,
                                                                                        lines=lines))
    procedure.components.exclude(name__in=[c.name for c in data.components]).delete()

    for order, f in enumerate(data.declaration):
        DeclarationField.objects.update_or_create(procedure=procedure, key=f.key, defaults={
            "label": f.label, "help_text": f.help, "field_type": f.type, "is_required": f.required,
            "choices": "\n".join(f.choices), "min_value": f.min, "max_value": f.max, "allow_future": f.future,
            "order": order,
        })
    procedure.declaration_fields.exclude(key__in=[f.key for f in data.declaration]).delete()

    problems = procedure_problems(procedure)
    if problems:  # the demo data must satisfy the catalogue's own rules
        raise ValueError(f"{procedure.code}: {'; '.join(str(p) for p in problems)}")
    return written


def _ensure_template(component, title, extension, build):
    """Create the form template file once; an existing row whose file is still on disk is kept."""
    template = component.templates.filter(title=title).first()
    if template is not None and template.file and template.file.storage.exists(template.file.name):
        return 0
    template = template or FormTemplate(component=component, title=title)
    template.file.save(template_filename(title.replace(" (bản in PDF)", ""), extension),
                       ContentFile(build()), save=False)
    template.save()
    return 1
