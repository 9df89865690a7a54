"""The procedure filter of the dossier list for someone who sees the whole catalogue (more procedures
than the filter lists): a search by code or name that offers the matching procedures."""

import re

import pytest

from backoffice.changelist import CatalogueChoicesFilter
from tests.backoffice.helpers import clerk, filed
from tests.factories import AgencyFactory, ProcedureFactory, SectorFactory, TierFactory, UserFactory

pytestmark = pytest.mark.django_db
BASE = "/quan-tri/dossiers/dossier"


@pytest.fixture
def catalogue():
    agency, tier, sector = AgencyFactory(), TierFactory(), SectorFactory()
    procedures = [ProcedureFactory(agencies=[agency], tier=tier, sector=sector)
                  for _ in range(CatalogueChoicesFilter.MAX_CHOICES + 1)]
    target = ProcedureFactory(agencies=[agency], tier=tier, sector=sector, code="1.001193",
                              name="Đăng ký kết hôn có yếu tố nước ngoài")
    return {"agency": agency, "procedures": procedures, "target": target}


def _procedure_links(page):
    return re.findall(r'href="\?[^"]*procedure__id__exact=(\d+)', page)


def test_a_superuser_finds_any_procedure_by_code_or_name_and_filters_by_it(client, catalogue):
    target, agency = catalogue["target"], catalogue["agency"]
    mine = [filed(target, agency, applicant_name=f"Trần Văn {n}") for n in range(2)]
    filed(catalogue["procedures"][0], agency)
    client.force_login(UserFactory(is_superuser=True))

    page = client.get(f"{BASE}/", {"viec": "tat-ca"}).content.decode()
    assert 'name="thu_tuc"' in page and "Mã hoặc tên thủ tục" in page   # the search instead of 152 links
    assert _procedure_links(page) == []

    for term in ("1.0011", "kết hôn có yếu tố", "  KẾT   HÔN  "):
        found = client.get(f"{BASE}/", {"viec": "tat-ca", "thu_tuc": term})
        assert found.status_code == 200
        html = found.content.decode()
        assert _procedure_links(html) == [str(target.pk)], term
        assert "1.001193 – Đăng ký kết hôn có yếu tố nước ngoài" in html
        assert found.context["cl"].result_count == 3                     # the term alone filters no dossier

    chosen = client.get(f"{BASE}/", {"viec": "tat-ca", "thu_tuc": "1.0011", "procedure__id__exact": target.pk})
    assert sorted(d.code for d in chosen.context["cl"].result_list) == sorted(d.code for d in mine)
    assert "Đang lọc theo: 1.001193 – Đăng ký kết hôn có yếu tố nước ngoài" in chosen.content.decode()
    # The other filters survive the search form.
    assert 'type="hidden" name="viec" value="tat-ca"' in chosen.content.decode()

    nothing = client.get(f"{BASE}/", {"viec": "tat-ca", "thu_tuc": "không có thủ tục này"}).content.decode()
    assert "Không có thủ tục nào khớp." in nothing and _procedure_links(nothing) == []


def test_a_clerk_with_few_procedures_keeps_the_plain_list(client, catalogue):
    small_agency = AgencyFactory()
    procedures = [ProcedureFactory(agencies=[small_agency], name=name)
                  for name in ("Chứng thực bản sao", "Đăng ký khai tử")]
    client.force_login(clerk(small_agency))
    page = client.get(f"{BASE}/", {"viec": "tat-ca"}).content.decode()
    assert _procedure_links(page) == [str(procedure.pk) for procedure in procedures]
    assert 'name="thu_tuc"' not in page
