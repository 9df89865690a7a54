"""A clerk of one ward cannot reach another ward's dossier in any way: list, search, pages, files, actions, slips."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile

from dossiers import services
from dossiers.models import DossierFile, DossierFileKind
from dossiers.workflow import DossierStatus
from tests.backoffice.helpers import PDF, agency_with_procedure, clerk, filed, leader
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BASE = "/quan-tri/dossiers/dossier"


@pytest.fixture
def wards():
    """Two wards, each with a clerk and a dossier that went through reception, supplement and refusal."""
    result = {}
    for name in ("a", "b"):
        agency, procedure = agency_with_procedure()
        user = clerk(agency, username=f"canbo.{name}")
        dossier = filed(procedure, agency, applicant_name=f"Người nộp {name.upper()}",
                        applicant_phone=f"+8491234567{'1' if name == 'a' else '2'}")
        services.receive_dossier(dossier=dossier, actor=user)
        dossier.refresh_from_db()
        attachment = DossierFile(dossier=dossier, kind=DossierFileKind.APPLICATION, original_name="to-khai.pdf",
                                 content_type="application/pdf", size=len(PDF))
        attachment.file.save("to-khai.pdf", ContentFile(PDF), save=True)
        result[name] = {"agency": agency, "clerk": user, "dossier": dossier, "file": attachment}
    return result


def other_agency_urls(dossier, attachment):
    pk = dossier.pk
    return [
        f"{BASE}/{pk}/change/",
        f"{BASE}/{pk}/",
        f"{BASE}/{pk}/history/",
        f"{BASE}/{pk}/tep/{attachment.pk}/",
        f"{BASE}/{pk}/phieu/tiep-nhan/",
        f"{BASE}/{pk}/phieu/kiem-soat/",
        f"{BASE}/{pk}/thao-tac/assign/",
        f"{BASE}/{pk}/thao-tac/request_supplement/",
    ]


def test_own_agency_pages_work(client, wards):
    own = wards["a"]
    client.force_login(own["clerk"])
    for url in other_agency_urls(own["dossier"], own["file"]):
        response = client.get(url, follow=url.endswith(f"/{own['dossier'].pk}/"))
        assert response.status_code == 200, url


def test_every_admin_url_of_another_agency_is_404(client, wards):
    client.force_login(wards["a"]["clerk"])
    other = wards["b"]
    for url in other_agency_urls(other["dossier"], other["file"]):
        response = client.get(url, follow=True)  # "<id>/" is Django's redirect to "<id>/change/"
        assert response.status_code == 404, url
        assert other["dossier"].applicant_name.encode() not in response.content
    # Another agency's file id through one's own dossier is no way round it either.
    own = wards["a"]["dossier"]
    assert client.get(f"{BASE}/{own.pk}/tep/{other['file'].pk}/").status_code == 404


def test_delete_is_refused(client, wards):
    client.force_login(wards["a"]["clerk"])
    assert client.get(f"{BASE}/{wards['b']['dossier'].pk}/delete/").status_code in (403, 404)
    assert client.get(f"{BASE}/{wards['a']['dossier'].pk}/delete/").status_code == 403


@pytest.mark.parametrize("action", ["assign", "refuse", "stop", "request_supplement", "apologise"])
def test_posting_a_transition_on_another_agency_changes_nothing(client, wards, action):
    leader_user = leader(wards["a"]["agency"])  # holds every back-office permission
    client.force_login(leader_user)
    other = wards["b"]["dossier"]
    response = client.post(f"{BASE}/{other.pk}/thao-tac/{action}/", {
        f"{action}-version": other.version, f"{action}-reason": "x", f"{action}-missing_items": "x",
        f"{action}-specialist": leader_user.pk, f"{action}-new_appointment_date": "2099-01-05",
    })
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == DossierStatus.RECEIVED and other.version == wards["b"]["dossier"].version


def test_changelist_and_search_show_only_own_agency(client, wards):
    client.force_login(wards["a"]["clerk"])
    response = client.get(f"{BASE}/", {"viec": "tat-ca"})
    assert wards["a"]["dossier"].code.encode() in response.content
    assert wards["b"]["dossier"].code.encode() not in response.content
    for term in (wards["b"]["dossier"].code, "Người nộp B", "0912345672", wards["b"]["dossier"].applicant_id_number):
        response = client.get(f"{BASE}/", {"q": term})  # the term itself is echoed in the search box
        assert f"{BASE}/{wards['b']['dossier'].pk}/change/".encode() not in response.content, term
        assert wards["b"]["dossier"] not in list(response.context["cl"].result_list), term


def test_the_list_has_no_bulk_reception(client, wards):
    """Reception needs its checklist of originals, one dossier at a time: no bulk action receives anything."""
    agency, procedure = wards["a"]["agency"], wards["a"]["dossier"].procedure
    waiting = filed(procedure, agency)
    client.force_login(wards["a"]["clerk"])
    response = client.post(f"{BASE}/", {"action": "receive_selected", "_selected_action": [waiting.pk]})
    assert response.status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == DossierStatus.REGISTERED


def test_history_and_supplement_admins_are_scoped(client, wards):
    services.request_supplement(dossier=wards["b"]["dossier"], actor=wards["b"]["clerk"], reason="Thiếu",
                                missing_items=["Ảnh"])
    client.force_login(wards["a"]["clerk"])
    events = client.get("/quan-tri/dossiers/dossierevent/")
    assert events.status_code == 200
    assert wards["a"]["dossier"].code.encode() in events.content
    assert wards["b"]["dossier"].code.encode() not in events.content
    other_event = wards["b"]["dossier"].events.first()
    assert client.get(f"/quan-tri/dossiers/dossierevent/{other_event.pk}/change/").status_code == 404
    requests = client.get("/quan-tri/dossiers/supplementrequest/")
    assert requests.status_code == 200 and wards["b"]["dossier"].code.encode() not in requests.content
    other_request = wards["b"]["dossier"].supplement_requests.get()
    assert client.get(f"/quan-tri/dossiers/supplementrequest/{other_request.pk}/change/").status_code == 404


def test_tracking_log_is_scoped(client, wards):
    client.force_login(wards["a"]["clerk"])
    response = client.get(f"{BASE}/so-theo-doi/")
    assert response.status_code == 200
    assert wards["a"]["dossier"].code.encode() in response.content
    assert wards["b"]["dossier"].code.encode() not in response.content
    response = client.get(f"{BASE}/so-theo-doi/", {"co_quan": wards["b"]["agency"].pk})
    assert wards["b"]["dossier"].code.encode() not in response.content


def test_staff_of_no_agency_sees_nothing(client, wards):
    nobody = UserFactory()
    nobody.user_permissions.add(Permission.objects.get(codename="view_dossier"))
    client.force_login(nobody)
    response = client.get(f"{BASE}/")
    assert response.status_code == 200
    assert wards["a"]["dossier"].code.encode() not in response.content
    assert client.get(f"{BASE}/{wards['a']['dossier'].pk}/change/").status_code == 404


def test_superuser_and_view_all_agencies_see_everything(client, wards):
    inspector = UserFactory()
    inspector.user_permissions.add(Permission.objects.get(codename="view_dossier"),
                                   Permission.objects.get(codename="view_all_agencies"))
    admin = UserFactory(is_superuser=True)
    for user in (inspector, admin):
        client.force_login(user)
        response = client.get(f"{BASE}/", {"viec": "tat-ca"})
        for ward in wards.values():
            assert ward["dossier"].code.encode() in response.content
        assert client.get(f"{BASE}/{wards['b']['dossier'].pk}/change/").status_code == 200
        assert client.get(f"{BASE}/{wards['b']['dossier'].pk}/tep/{wards['b']['file'].pk}/").status_code == 200


def test_anonymous_is_sent_to_login(client, wards):
    response = client.get(f"{BASE}/{wards['a']['dossier'].pk}/tep/{wards['a']['file'].pk}/")
    assert response.status_code == 302 and "/quan-tri/login/" in response["Location"]


def test_a_clerk_reads_only_their_own_agencys_staff_list(client, wards):
    own, other = wards["a"], wards["b"]
    client.force_login(own["clerk"])
    page = client.get(f"/quan-tri/procedures/agency/{own['agency'].pk}/change/").content.decode()
    assert own["clerk"].username in page
    response = client.get(f"/quan-tri/procedures/agency/{other['agency'].pk}/change/")
    assert response.status_code == 200                      # the agency itself is public catalogue data
    assert other["clerk"].username not in response.content.decode()
    client.force_login(UserFactory(is_superuser=True))
    assert other["clerk"].username in client.get(
        f"/quan-tri/procedures/agency/{other['agency'].pk}/change/").content.decode()
