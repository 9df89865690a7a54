"""A generated export of the national procedure database (CSV or XLSX), with bad rows mixed in where asked."""

import csv
import io

HEADING = ["STT", "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Cơ quan thực hiện", "Mức độ",
           "Thời hạn giải quyết", "Phí, lệ phí", "Thành phần hồ sơ", "Căn cứ pháp lý", "Đối tượng thực hiện"]
SECTORS = ["Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Giáo dục và Đào tạo", "Lao động - Tiền lương"]
LEVELS = ["Mức độ 2", "3", "Toàn trình", "Một phần", "4", "1"]


def good_row(number, *, tier="Cấp xã", agency="UBND phường Cửa Nam"):
    return [str(number), f"2.{number:06d}", f"Thủ tục thử nghiệm số {number}", SECTORS[number % len(SECTORS)],
            tier, agency, LEVELS[number % len(LEVELS)], f"{number % 15 + 1} ngày làm việc",
            "Lệ phí: 50.000 đồng\nPhí bản sao: 8.000 đồng" if number % 3 == 0 else "Không",
            "- Tờ khai theo mẫu\n- Bản sao giấy tờ tùy thân", "Luật Hộ tịch 2014", "Công dân Việt Nam"]


# Each bad row and the reason the report must give (a fragment of it).
BAD_ROWS = {
    7: (lambda row: row.__setitem__(1, ""), "thiếu “Mã thủ tục”"),
    50: (lambda row: row.__setitem__(6, "Mức độ 7"), "mức độ “Mức độ 7” không hợp lệ"),
    123: (lambda row: row.__setitem__(4, "Cấp vũ trụ"), "không có cấp thực hiện “Cấp vũ trụ”"),
    260: (lambda row: row.__setitem__(1, "1.000 123!"), "mã thủ tục chỉ gồm chữ, số"),
    333: (lambda row: row.__setitem__(2, ""), "thiếu “Tên thủ tục”"),
    401: (lambda row: row.__setitem__(5, "UBND phường Không Có"), "không có cơ quan “UBND phường Không Có”"),
    499: (lambda row: row.__setitem__(1, "2.000010"), "mã thủ tục trùng với dòng"),
}


def export_rows(count=500, bad=True):
    rows = []
    for number in range(1, count + 1):
        row = good_row(number)
        if bad and number in BAD_ROWS:
            BAD_ROWS[number][0](row)
        rows.append(row)
    return rows


def as_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADING)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADING)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def line_of(number):
    """The file line of data row ``number`` (the heading is line 1)."""
    return number + 1
