"""The catalogue admin: the service-level rules on what an administrator submits, uploads, search."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.management.commands.seed_demo import ensure_catalogue_admin_group
from procedures.documents import build_docx
from procedures.models import FormTemplate, Procedure
from procedures.rules import AGENCIES, TEMPLATES, procedure_problems, service_level_problems
from tests.factories import AgencyFactory, ComponentFactory, ProcedureFactory, SectorFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("level, agencies, templates, broken", [
    (1, 0, 0, set()),
    (2, 0, 0, {TEMPLATES}),
    (2, 0, 1, set()),
    (3, 0, 1, {AGENCIES}),
    (3, 1, 0, {TEMPLATES}),
    (4, 0, 0, {AGENCIES, TEMPLATES}),
    (4, 2, 3, set()),
])
def test_service_level_rules(level, agencies, templates, broken):
    problems = service_level_problems(service_level=level, agency_count=agencies, template_count=templates)
    assert set(problems) == broken


def test_a_part_not_given_is_not_checked():
    assert service_level_problems(service_level=4, agency_count=1) == {}
    assert service_level_problems(service_level=4, template_count=1) == {}
    assert service_level_problems(service_level="x", agency_count=0, template_count=0) == {}


def test_procedure_problems_reads_the_database(files_dir):
    procedure = ProcedureFactory(service_level=3, agencies=[])
    assert len(procedure_problems(procedure)) == 2
    procedure.agencies.add(AgencyFactory(tier=procedure.tier))
    component = ComponentFactory(procedure=procedure)
    FormTemplate.objects.create(component=component, title="Tờ khai",
                                file=SimpleUploadedFile("to-khai.docx", b"PK"))
    assert procedure_problems(procedure) == []


@pytest.fixture
def catalogue_admin(client):
    user = get_user_model().objects.create_user("quantri.danhmuc", password="mat-khau-quan-tri-2026", is_staff=True)
    user.groups.add(ensure_catalogue_admin_group())
    client.force_login(user)
    return user


def procedure_form(**overrides):
    tier, sector = TierFactory(), SectorFactory()
    data = {
        "code": "1.999001", "name": "Đăng ký thử nghiệm", "sector": sector.pk, "tier": tier.pk,
        "service_level": "1", "is_published": "on", "for_citizens": "on", "processing_days": "3",
        "steps": "Bước 1", "submission_methods": "Trực tiếp", "conditions": "", "processing_note": "",
        "fee_note": "", "result": "Giấy xác nhận", "legal_basis": "Luật",
        "fees-TOTAL_FORMS": "0", "fees-INITIAL_FORMS": "0",
        "components-TOTAL_FORMS": "0", "components-INITIAL_FORMS": "0",
        "declaration_fields-TOTAL_FORMS": "0", "declaration_fields-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


ADD_URL = "/quan-tri/procedures/procedure/add/"


def test_level_3_without_a_receiving_agency_is_refused(client, catalogue_admin):
    response = client.post(ADD_URL, procedure_form(service_level="3"))
    assert response.status_code == 200
    assert "phải có ít nhất một cơ quan tiếp nhận" in response.content.decode()
    assert not Procedure.objects.exists()


def test_level_2_without_a_form_template_is_refused(client, catalogue_admin):
    response = client.post(ADD_URL, procedure_form(service_level="2", **{
        "components-TOTAL_FORMS": "1", "components-0-order": "0", "components-0-name": "Tờ khai",
        "components-0-originals": "1", "components-0-copies": "0", "components-0-is_required": "on"}))
    assert response.status_code == 200
    assert "phải có ít nhất một mẫu đơn, tờ khai" in response.content.decode()
    assert not Procedure.objects.exists()


def test_a_level_2_procedure_is_created_with_its_template_in_one_go(client, catalogue_admin, files_dir):
    upload = SimpleUploadedFile("to-khai.docx", build_docx(title="Tờ khai thử nghiệm"))
    response = client.post(ADD_URL, procedure_form(service_level="2", **{
        "fees-TOTAL_FORMS": "1", "fees-0-order": "0", "fees-0-name": "Lệ phí", "fees-0-amount": "50000",
        "components-TOTAL_FORMS": "1", "components-0-order": "0", "components-0-name": "Tờ khai",
        "components-0-originals": "1", "components-0-copies": "0", "components-0-is_required": "on",
        "components-0-template_file": upload, "components-0-template_title": "Tờ khai thử nghiệm"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    procedure = Procedure.objects.get(code="1.999001")
    template = FormTemplate.objects.get(component__procedure=procedure)
    assert template.title == "Tờ khai thử nghiệm"
    assert procedure.fees.get().amount == 50000
    assert client.get(template.get_absolute_url()).status_code == 200


def test_an_executable_is_not_accepted_as_a_template(client, catalogue_admin, files_dir):
    response = client.post(ADD_URL, procedure_form(service_level="2", **{
        "components-TOTAL_FORMS": "1", "components-0-order": "0", "components-0-name": "Tờ khai",
        "components-0-originals": "1", "components-0-copies": "0",
        "components-0-template_file": SimpleUploadedFile("to-khai.exe", b"MZ")}))
    assert response.status_code == 200
    assert not Procedure.objects.exists()


def test_removing_the_last_template_of_a_level_2_procedure_is_refused(client, catalogue_admin, files_dir):
    procedure = ProcedureFactory(service_level=2)
    component = ComponentFactory(procedure=procedure)
    template = FormTemplate.objects.create(component=component, title="Tờ khai",
                                           file=SimpleUploadedFile("to-khai.docx", b"PK"))
    response = client.post(f"/quan-tri/procedures/dossiercomponent/{component.pk}/change/", {
        "procedure": procedure.pk, "name": component.name, "originals": "1", "copies": "0", "order": "0",
        "is_required": "on",
        "templates-TOTAL_FORMS": "1", "templates-INITIAL_FORMS": "1",
        "templates-0-id": template.pk, "templates-0-component": component.pk, "templates-0-title": "Tờ khai",
        "templates-0-DELETE": "on",
    })
    assert response.status_code == 200
    assert "phải có ít nhất một mẫu đơn, tờ khai" in response.content.decode()
    assert FormTemplate.objects.filter(pk=template.pk).exists()


def test_admin_search_ignores_diacritics(client, catalogue_admin):
    ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    ProcedureFactory(code="1.000894", name="Đăng ký kết hôn")
    html = client.get("/quan-tri/procedures/procedure/", {"q": "DANG KY KHAI SINH"}).content.decode()
    assert "Đăng ký khai sinh" in html and "Đăng ký kết hôn" not in html


def test_publish_action_refuses_procedures_that_break_the_rules(client, catalogue_admin):
    broken = ProcedureFactory(service_level=3, agencies=[], is_published=False)
    fine = ProcedureFactory(service_level=1, is_published=False)
    response = client.post("/quan-tri/procedures/procedure/", {
        "action": "publish", "_selected_action": [broken.pk, fine.pk]}, follow=True)
    assert "Chưa công bố" in response.content.decode()
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert not broken.is_published and fine.is_published


def test_every_catalogue_admin_page_opens(client, catalogue_admin):
    procedure = ProcedureFactory()
    component = ComponentFactory(procedure=procedure)
    for url in ["/quan-tri/procedures/procedure/", "/quan-tri/procedures/procedure/add/",
                f"/quan-tri/procedures/procedure/{procedure.pk}/change/", "/quan-tri/procedures/agency/",
                f"/quan-tri/procedures/agency/{procedure.agencies.first().pk}/change/",
                "/quan-tri/procedures/sector/", "/quan-tri/procedures/jurisdictiontier/",
                f"/quan-tri/procedures/dossiercomponent/{component.pk}/change/"]:
        assert client.get(url).status_code == 200, url
