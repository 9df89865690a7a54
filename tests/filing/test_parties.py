""""Người nộp là một bên": the marriage declaration takes the applicant's party from the applicant's answers."""

import pytest
from django.urls import reverse

from dossiers.models import Dossier
from tests.filing.support import (  # noqa: F401
    APPLICANT,
    PASSED,
    fileable_procedure,
    fresh_rate_limits,
    marriage_procedure,
    private_storage,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]

HUSBAND = {"tk-ho_ten_chong": "Trần Văn Nam", "tk-ngay_sinh_chong": "12/03/1988",
           "tk-so_dinh_danh_chong": "001088012345"}


def marriage():
    return marriage_procedure()


def _declare(client, procedure, data):
    client.post(reverse("filing:start", args=[procedure.code]))
    return client.post(reverse("filing:declaration", args=[procedure.code]), data)


def _file(client, procedure):
    confirm = reverse("filing:confirm", args=[procedure.code])
    token = client.get(confirm).context["form"]["submission_token"].value()
    return client.post(confirm, {"submission_token": token, "captcha_0": "x", "captcha_1": PASSED, "consent": "on"})


def test_the_applicant_who_is_the_bride_types_only_the_groom(client):
    procedure = marriage()
    response = _declare(client, procedure, {**APPLICANT, **HUSBAND, "nd-party": "vo"})
    assert response.status_code == 302, response.context["forms"].declaration.errors
    review = client.get(reverse("filing:review", args=[procedure.code])).content.decode()
    assert "Họ, chữ đệm, tên bên nữ" in review and review.count("Nguyễn Thị Bình") >= 2
    assert _file(client, procedure).status_code == 302
    declaration = Dossier.objects.get().declaration
    assert declaration["ho_ten_vo"] == "Nguyễn Thị Bình"
    assert declaration["ngay_sinh_vo"] == "1990-05-17"
    assert declaration["so_dinh_danh_vo"] == "001190012345"
    assert declaration["ho_ten_chong"] == "Trần Văn Nam" and declaration["ngay_sinh_chong"] == "1988-03-12"


def test_the_choice_hides_the_party_fields_and_what_was_typed_there_is_ignored(client):
    procedure = marriage()
    response = _declare(client, procedure, {**APPLICANT, "nd-party": "chong", "tk-ho_ten_chong": "Người Khác",
                                            "tk-ho_ten_vo": ""})
    assert response.status_code == 200  # the bride's fields are still required
    page = response.content.decode()
    assert 'name="tk-ho_ten_chong"' not in page and 'name="tk-ho_ten_vo"' in page
    assert "lấy từ thông tin người nộp hồ sơ ở trên" in page
    forms = response.context["forms"]
    assert set(forms.declaration.errors) == {"ho_ten_vo", "ngay_sinh_vo", "so_dinh_danh_vo"}
    # The applicant's own answers are checked once, in the applicant form.
    response = _declare(client, procedure, {**APPLICANT, "nd-id_number": "12", "nd-party": "chong",
                                            "tk-ho_ten_vo": "Lê Thị Hoa", "tk-ngay_sinh_vo": "01/02/1992",
                                            "tk-so_dinh_danh_vo": "001192054321"})
    forms = response.context["forms"]
    assert "id_number" in forms.applicant.errors and not forms.declaration.errors


def test_without_the_choice_both_parties_are_typed_and_a_bad_choice_is_refused(client):
    procedure = marriage()
    response = _declare(client, procedure, {**APPLICANT, **HUSBAND})
    assert set(response.context["forms"].declaration.errors) == {"ho_ten_vo", "ngay_sinh_vo", "so_dinh_danh_vo"}
    assert 'name="nd-party"' in response.content.decode()
    response = _declare(client, procedure, {**APPLICANT, **HUSBAND, "nd-party": "ca-hai"})
    assert response.status_code == 200
    assert "Vui lòng chọn bên nam, bên nữ hoặc khai riêng thông tin từng bên." in response.content.decode()
    assert 'value="Trần Văn Nam"' in response.content.decode()  # what was typed stays


def test_a_procedure_about_one_person_offers_no_such_choice(client):
    procedure = fileable_procedure(components=0, fields=[{"key": "ho_ten_con", "label": "Họ tên con",
                                                          "is_required": True}])
    client.post(reverse("filing:start", args=[procedure.code]))
    page = client.get(reverse("filing:declaration", args=[procedure.code])).content.decode()
    assert 'name="nd-party"' not in page and "filing-party.js" not in page
