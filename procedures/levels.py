"""What each service level means for the citizen, in the words the pages use."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import ServiceLevel


@dataclass(frozen=True)
class LevelExplanation:
    level: int
    short_name: str
    decree_name: str
    summary: str
    visits: str
    payment: str
    result: str


EXPLANATIONS = {
    ServiceLevel.INFORMATION: LevelExplanation(
        1, _("Mức độ 1"), _("Cung cấp thông tin"),
        _("Đầy đủ thông tin về thủ tục: trình tự, hồ sơ, thời hạn, phí và căn cứ pháp lý."),
        _("Nộp hồ sơ trực tiếp: thường phải đến cơ quan 2 lần (nộp hồ sơ và nhận kết quả)."),
        _("Nộp phí, lệ phí trực tiếp tại cơ quan tiếp nhận."),
        _("Nhận kết quả trực tiếp tại cơ quan tiếp nhận."),
    ),
    ServiceLevel.FORMS: LevelExplanation(
        2, _("Mức độ 2"), _("Tải mẫu đơn, tờ khai"),
        _("Như mức độ 1, và tải được mẫu đơn, tờ khai để chuẩn bị hồ sơ ở nhà."),
        _("Nộp hồ sơ trực tiếp hoặc qua bưu chính; thường đến cơ quan 2 lần."),
        _("Nộp phí, lệ phí trực tiếp tại cơ quan tiếp nhận."),
        _("Nhận kết quả trực tiếp hoặc qua bưu chính."),
    ),
    ServiceLevel.PARTIAL: LevelExplanation(
        3, _("Mức độ 3"), _("Dịch vụ công trực tuyến một phần"),
        _("Như mức độ 2, và điền, nộp hồ sơ trực tuyến; thanh toán và nhận kết quả trực tiếp."),
        _("Chỉ cần đến cơ quan 1 lần: mang bản chính để đối chiếu, nộp phí và nhận kết quả."),
        _("Nộp phí, lệ phí tại bộ phận một cửa khi nhận kết quả."),
        _("Nhận kết quả trực tiếp tại bộ phận một cửa."),
    ),
    ServiceLevel.FULL: LevelExplanation(
        4, _("Mức độ 4"), _("Dịch vụ công trực tuyến toàn trình"),
        _("Như mức độ 3, và thanh toán trực tuyến; kết quả trả trực tuyến hoặc qua bưu chính."),
        _("Không phải đến cơ quan."),
        _("Thanh toán phí, lệ phí trực tuyến."),
        _("Nhận kết quả trực tuyến hoặc qua bưu chính tại nhà."),
    ),
}
