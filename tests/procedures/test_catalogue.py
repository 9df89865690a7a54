"""The public catalogue, page by page, on the demo data: what a citizen sees and downloads."""

import io
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procedures.demo import PROCEDURES
from procedures.models import Agency, FormTemplate, JurisdictionTier, Procedure, Sector

pytestmark = pytest.mark.django_db
CATALOGUE = "/thu-tuc/"
CODES = [p.code for p in PROCEDURES]


def names_listed(response):
    return re.findall(r'<a href="/thu-tuc/[^"]+/"><strong>([^<]+)</strong></a>', response.content.decode())


def result_count(response):
    return int(re.search(r"Tìm thấy (\d+) thủ tục", response.content.decode()).group(1))


@pytest.mark.parametrize("code", CODES)
def test_every_seeded_procedure_has_a_complete_page(client, demo_catalogue, code):
    procedure = Procedure.objects.get(code=code)
    response = client.get(f"/thu-tuc/{code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{procedure.name}</h1>" in html
    assert f"Mã thủ tục: <strong>{code}</strong>" in html
    assert procedure.sector.name in html
    for component in procedure.components.all():
        assert component.name in html
    for fee in procedure.fees.all():
        assert fee.name in html
    for agency in procedure.agencies.all():
        assert agency.name in html and agency.identifier_code in html
    assert "Trình tự thực hiện" in html and "Căn cứ pháp lý" in html
    file_url = reverse("filing:start", args=[code])
    if procedure.service_level >= 3:
        assert f'href="{file_url}"' in html and ">Thực hiện</a>" in html
    else:
        assert file_url not in html and "chưa nhận hồ sơ trực tuyến" in html
    for template in FormTemplate.objects.filter(component__procedure=procedure):
        assert f'href="{template.get_absolute_url()}"' in html


def test_fees_are_shown_in_dong_with_thousands_separators(client, demo_catalogue):
    html = client.get("/thu-tuc/2.000488/").content.decode()
    assert "200.000 đồng" in html and "5.000 đồng" in html
    assert "Miễn phí cho trẻ em" in html


def test_every_form_template_downloads_with_its_name_and_content_type(client, demo_catalogue):
    templates = FormTemplate.objects.select_related("component__procedure")
    assert templates.count() >= 30
    kinds = set()
    for template in templates:
        response = client.get(template.get_absolute_url())
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        filename = template.file.name.rsplit("/", 1)[-1]
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        if filename.endswith(".docx"):
            assert response["Content-Type"] == (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            document = zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml").decode()
            assert template.title.upper() in document  # the form's title, printed in capitals
        else:
            assert filename.endswith(".pdf")
            assert response["Content-Type"] == "application/pdf"
            assert body.startswith(b"%PDF-")
        kinds.add(filename.rsplit(".", 1)[1])
    assert kinds == {"docx", "pdf"}


def test_a_template_is_only_served_under_its_own_procedure(client, demo_catalogue):
    template = FormTemplate.objects.filter(component__procedure__code="1.001193").first()
    assert client.get(f"/thu-tuc/2.000635/mau/{template.pk}/").status_code == 404
    assert client.get("/thu-tuc/1.001193/mau/999999/").status_code == 404
    assert client.get("/thu-tuc/1.001193/mau/99999999999999999999999/").status_code == 404


def test_unpublished_procedures_are_hidden_everywhere(client, demo_catalogue):
    procedure = Procedure.objects.get(code="2.000635")
    template = FormTemplate.objects.filter(component__procedure=procedure).first()
    Procedure.objects.filter(pk=procedure.pk).update(is_published=False)
    try:
        assert client.get("/thu-tuc/2.000635/").status_code == 404
        assert client.get(template.get_absolute_url()).status_code == 404
        assert "Cấp bản sao trích lục hộ tịch" not in names_listed(client.get(CATALOGUE, {"q": "trich luc"}))
        assert "Cấp bản sao trích lục hộ tịch" not in client.get("/").content.decode()
    finally:
        Procedure.objects.filter(pk=procedure.pk).update(is_published=True)


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh", "Đăng ký khai sinh",
                                   "  KHAI   sinh ", "1.001193", "dăng ky khai sính"])
def test_search_ignores_diacritics_case_and_spacing(client, demo_catalogue, query):
    response = client.get(CATALOGUE, {"q": query})
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in names_listed(response)


def test_search_needs_every_word(client, demo_catalogue):
    names = names_listed(client.get(CATALOGUE, {"q": "khai sinh nuoc ngoai"}))
    assert names == ["Đăng ký khai sinh có yếu tố nước ngoài"]


def test_no_result_keeps_the_query_and_says_so(client, demo_catalogue):
    response = client.get(CATALOGUE, {"q": "giấy phép lái tàu vũ trụ"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Không tìm thấy thủ tục nào phù hợp với “giấy phép lái tàu vũ trụ”" in html
    assert 'value="giấy phép lái tàu vũ trụ"' in html  # the search box keeps what was typed


def test_filters_combine(client, demo_catalogue):
    ward = JurisdictionTier.objects.get(slug="cap-xa")
    civil = Sector.objects.get(slug="ho-tich")
    response = client.get(CATALOGUE, {"cap": "cap-xa", "linh_vuc": "ho-tich", "muc_do": "4"})
    expected = Procedure.objects.filter(tier=ward, sector=civil, service_level=4)
    assert expected.count() >= 3
    assert sorted(names_listed(response)) == sorted(expected.values_list("name", flat=True))

    department = Agency.objects.get(identifier_code="000.00.13.H26")  # Sở Tư pháp
    response = client.get(CATALOGUE, {"co_quan": department.pk, "muc_do": "4"})
    assert names_listed(response) == [
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"]
    response = client.get(CATALOGUE, {"co_quan": department.pk, "q": "quoc tich"})
    assert names_listed(response) == ["Thôi quốc tịch Việt Nam ở trong nước"]


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_level_filter(client, demo_catalogue, level):
    response = client.get(CATALOGUE, {"muc_do": level})
    assert result_count(response) == Procedure.objects.filter(service_level=level).count() > 0
    assert f"level-{level}" in response.content.decode()


def test_pagination_keeps_the_filters(client, demo_catalogue):
    total = Procedure.objects.count()
    assert total > 20
    first = client.get(CATALOGUE, {"q": ""})
    assert len(names_listed(first)) == 20
    assert 'href="?q=&amp;trang=2"' in first.content.decode()
    second = client.get(CATALOGUE, {"q": "", "trang": 2})
    assert len(names_listed(second)) == total - 20
    assert set(names_listed(first)).isdisjoint(names_listed(second))


@pytest.mark.parametrize("params", [
    {"cap": "cap-khong-co"},
    {"muc_do": "9"},
    {"muc_do": "abc"},
    {"trang": "99999"},
    {"trang": "-1"},
    {"trang": "abc"},
    {"co_quan": "abc"},
    {"co_quan": "99999999999999999999999"},
    {"linh_vuc": "<b>x</b>"},
    {"q": "khai sinh" * 250},
    {"q": "\x00"},
    {"q": "%' OR 1=1 --"},
])
def test_bad_parameters_answer_a_normal_page(client, demo_catalogue, params):
    response = client.get(CATALOGUE, params)
    assert response.status_code == 200
    assert "<h1>Thủ tục hành chính</h1>" in response.content.decode()


def test_unknown_filters_are_ignored_and_reported(client, demo_catalogue):
    response = client.get(CATALOGUE, {"cap": "cap-khong-co", "muc_do": "9", "q": "khai sinh"})
    html = response.content.decode()
    assert "đã được bỏ qua" in html
    assert "Đăng ký khai sinh" in names_listed(response)  # the valid part (the query) still applies


def test_a_page_past_the_end_shows_the_last_page(client, demo_catalogue):
    response = client.get(CATALOGUE, {"trang": "99999"})
    assert 'aria-current="page">2<' in response.content.decode()


def test_a_long_query_is_cut_not_refused(client, demo_catalogue):
    response = client.get(CATALOGUE, {"q": "x" * 2000})
    value = re.search(r'name="q" value="(x*)"', response.content.decode()).group(1)
    assert value == "x" * 200


def test_html_in_the_query_is_never_reflected_unescaped(client, demo_catalogue):
    attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    response = client.get(CATALOGUE, {"q": attack})
    html = response.content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("path", ["/thu-tuc/%3Cscript%3E/", "/thu-tuc/9.999999/", "/thu-tuc/" + "1" * 200 + "/"])
def test_unknown_or_malformed_codes_are_404(client, demo_catalogue, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/thu-tuc/%00/", "/thu-tuc/1.001193/mau/1%00/"])
def test_a_nul_byte_in_the_address_gets_the_400_page(client, demo_catalogue, path):
    # portal.security.MalformedRequestMiddleware, before any query (issue 17).
    assert client.get(path).status_code == 400


def count_queries(client, path, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params or {}).status_code == 200
    return len(queries)


def test_catalogue_query_count_does_not_grow_with_the_results(client, demo_catalogue):
    one = count_queries(client, CATALOGUE, {"q": "1.001193"})
    page = count_queries(client, CATALOGUE, {"q": ""})  # a full page of 20
    assert one == page <= 5
    # A filter costs one lookup of its own, whatever the number of results.
    few = count_queries(client, CATALOGUE, {"cap": "cap-so", "muc_do": "1"})
    many = count_queries(client, CATALOGUE, {"cap": "cap-xa", "trang": "1"})
    assert few == many <= 6


def test_detail_query_count_does_not_grow_with_components_and_fees(client, demo_catalogue):
    small = count_queries(client, "/thu-tuc/2.000635/")   # one component
    large = count_queries(client, "/thu-tuc/1.000459/")   # six components
    many_agencies = count_queries(client, "/thu-tuc/1.001193/")  # every ward receives it
    assert small == large == many_agencies <= 6
