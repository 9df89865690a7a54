"""The demo catalogue, loaded once per test module (it renders real DOCX and PDF files)."""

import pytest
from django.conf import settings
from django.test.utils import override_settings

from procedures.demo import THREE_TIER, load_catalogue
from procedures.models import (
    Agency,
    DeclarationField,
    DossierComponent,
    Fee,
    FormTemplate,
    JurisdictionTier,
    Procedure,
    Sector,
)


def private_storage(location):
    return {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                              "OPTIONS": {"location": str(location), "base_url": None}}}


def wipe_catalogue():
    for model in (FormTemplate, DossierComponent, Fee, DeclarationField, Procedure):
        model.objects.all().delete()
    while Agency.objects.exists():  # parents are protected: remove the leaves first
        Agency.objects.filter(children__isnull=True).delete()
    Sector.objects.all().delete()
    JurisdictionTier.objects.all().delete()


@pytest.fixture(scope="module")
def demo_catalogue(django_db_setup, django_db_blocker, tmp_path_factory):
    """The three-tier demo catalogue, committed for the whole module and removed afterwards.

    Tests using it must not use ``transactional_db`` (which would flush it).
    """
    with override_settings(STORAGES=private_storage(tmp_path_factory.mktemp("files"))):
        with django_db_blocker.unblock():
            wipe_catalogue()
            result = load_catalogue(THREE_TIER)
        yield result
        with django_db_blocker.unblock():
            wipe_catalogue()


@pytest.fixture
def files_dir(settings, tmp_path):
    """Private file storage in a temporary directory, for tests that upload or generate files."""
    settings.STORAGES = private_storage(tmp_path)
    return tmp_path
