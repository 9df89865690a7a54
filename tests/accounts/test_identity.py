"""The claims → identity mapping, and what a signed-in session changes in the wizard (without a provider)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.identity import SESSION_KEY
from accounts.oidc import CitizenIdentity, identity_from_claims
from dossiers.models import Dossier, FilingDraft
from filing import wizard
from tests.filing.support import APPLICANT, fileable_procedure, fresh_rate_limits, private_storage  # noqa: F401

CITIZEN = CitizenIdentity(subject="tech-7", id_number="001190012345", full_name="Nguyễn Thị Bình",
                          birth_date="1990-05-17")


def test_vneid_claims_are_mapped_with_their_default_names():
    identity = identity_from_claims({"sub": "x", "TechID": "tech-1", "SoDinhDanh": "001080099999",
                                     "HoVaTen": "  Trần   Văn Đức ", "NgayThangNamSinh": "02/09/1980",
                                     "LoaiTaiKhoan": 2, "MaSoThue": "0101234567"})
    assert identity == CitizenIdentity(subject="tech-1", id_number="001080099999", full_name="Trần Văn Đức",
                                       birth_date="1980-09-02", account_type="2", tax_code="0101234567")
    assert identity.is_organisation


def test_other_claim_names_come_from_the_settings(settings):
    settings.OIDC_CLAIMS = {**settings.OIDC_CLAIMS, "id_number": "cccd", "birth_date": "birthdate"}
    identity = identity_from_claims({"sub": "abc", "cccd": "001190012345", "birthdate": "1990-05-17"})
    assert (identity.subject, identity.id_number, identity.birth_date) == ("abc", "001190012345", "1990-05-17")
    assert identity_from_claims({"sub": "abc", "birthdate": "17th May"}).birth_date == ""


def _signed_in(client, identity=CITIZEN):
    session = client.session
    session[SESSION_KEY] = identity.as_session_data()
    session.save()
    return client


@pytest.mark.django_db
@pytest.mark.usefixtures("private_storage", "fresh_rate_limits")
def test_posted_identity_fields_are_ignored_for_a_signed_in_citizen(client):
    procedure = fileable_procedure(components=0)
    _signed_in(client)
    client.post(reverse("filing:start", args=[procedure.code]))
    forged = {**APPLICANT, "nd-full_name": "Kẻ Mạo Danh", "nd-id_number": "009999999999", "nd-birth_date": ""}
    assert client.post(reverse("filing:declaration", args=[procedure.code]), forged).status_code == 302
    response = client.get(reverse("filing:confirm", args=[procedure.code]))
    token = response.context["form"]["submission_token"].value()
    client.post(reverse("filing:confirm", args=[procedure.code]), {
        "submission_token": token, "captcha_0": "abc", "captcha_1": "PASSED", "consent": "on"})
    dossier = Dossier.objects.get()
    assert (dossier.applicant_name, dossier.applicant_id_number) == ("Nguyễn Thị Bình", "001190012345")
    assert dossier.filed_by_account.subject == "tech-7"


@pytest.mark.django_db
@pytest.mark.usefixtures("private_storage", "fresh_rate_limits")
def test_a_vneid_draft_resumes_only_for_the_same_account(client, settings):
    settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID = "http://127.0.0.1:9/o", "cong"
    procedure = fileable_procedure(components=0)
    _signed_in(client)
    client.post(reverse("filing:start", args=[procedure.code]))
    link = reverse("filing:resume", args=[wizard.resume_token(FilingDraft.objects.get())])
    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("accounts:sign_in"))
    someone_else = _signed_in(Client(), CitizenIdentity(subject="tech-8", id_number="001190099999"))
    assert someone_else.get(link).url.startswith(reverse("accounts:sign_in"))
    same = _signed_in(Client())
    assert same.get(link).url == reverse("filing:declaration", args=[procedure.code])
