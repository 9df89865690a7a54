"""Two clerks act on the same dossier at the same moment: only one transition applies (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection

from dossiers import services
from dossiers.models import Dossier
from dossiers.workflow import DossierStatus, TransitionNotAllowed
from tests.backoffice.helpers import agency_with_procedure, clerk, filed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    """Run ``calls`` in parallel threads, started together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test looks at
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_clerks_with_the_same_page_only_one_applies(postgres):
    agency, procedure = agency_with_procedure()
    dossier = filed(procedure, agency)
    first, second = clerk(agency), clerk(agency)
    version = dossier.version
    outcomes = _race(
        lambda: services.receive_dossier(dossier=Dossier.objects.get(pk=dossier.pk), actor=first,
                                         expected_version=version),
        lambda: services.refuse_dossier(dossier=Dossier.objects.get(pk=dossier.pk), actor=second,
                                        expected_version=version, reason="Không đủ điều kiện"),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], services.DossierChanged), outcomes
    dossier.refresh_from_db()
    assert dossier.status in (DossierStatus.RECEIVED, DossierStatus.REFUSED)
    assert dossier.version == version + 1
    assert [e.action for e in dossier.events.all()][1:] in (["receive"], ["refuse"])


def test_two_receptions_without_a_version_only_one_applies(postgres):
    agency, procedure = agency_with_procedure()
    dossier = filed(procedure, agency)
    users = [clerk(agency), clerk(agency)]
    outcomes = _race(*[
        (lambda user=user: services.receive_dossier(dossier=Dossier.objects.get(pk=dossier.pk), actor=user))
        for user in users
    ])
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], TransitionNotAllowed), outcomes
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.events.filter(action="receive").count() == 1
