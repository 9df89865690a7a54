"""The procedure as the confirm step checks a submission against it, kept in the cache per catalogue version.

Submitting re-checks the draft against the procedure as it is now: its documents, its
declaration fields, its fees and the agencies that receive it. Those change rarely and are the
same for every citizen filing the procedure, so the confirm step reads them once per catalogue
*version* (``procedures.pagecache``: one number that changes with every write to the catalogue,
once at the write and again when it commits) and keeps them in the shared cache under that
version, beside the pages (``procedures.pagecache.page_cache``). A procedure changed since it was
stored is read again; one read by a request that did not yet see a change is stored under the
version before it and never used after it.

While the shared cache is unreachable (``portal.cache`` then answers from this process's
memory, which would not hear of a change made through another process) the procedure is read
from the database every time.
"""

import logging

from django.db.models import Prefetch

from procedures.models import Agency, Procedure
from procedures.pagecache import VERSION_KEY, catalogue_version, page_cache, page_cache_unshared

# Long enough to outlive a busy hour; a change makes an entry unused long before that.
STORE_SECONDS = 6 * 3600
# What ``read_procedure`` reads, in the key: entries stored by code that read less are not used.
FORMAT = 2
logger = logging.getLogger(__name__)


def read_procedure(code):
    """The published procedure ``code`` with its sector, tier, components, declaration fields, fees and
    receiving agencies, or None.

    Of the agencies, what a submission needs: whether active (``dossiers.services`` checks the
    chosen one there), the identifier code of the dossier's code and the name its messages say.
    """
    return (Procedure.objects.filter(code=code, is_published=True).select_related("sector", "tier")
            .prefetch_related("components", "declaration_fields", "fees",
                              Prefetch("agencies", queryset=Agency.objects.only("id", "is_active", "identifier_code",
                                                                                "name")))
            .first())


def procedure_to_file(code):
    """``read_procedure(code)`` from the cache when it holds the current version, else read and stored."""
    if page_cache_unshared():
        return read_procedure(code)
    key = f"filing:procedure:{FORMAT}:{code}"
    try:
        found = page_cache.get_many([VERSION_KEY, key])
    except Exception:  # noqa: BLE001 (a cache that is down only costs the reads)
        return read_procedure(code)
    version, stored = found.get(VERSION_KEY), found.get(key)
    if version is not None and stored is not None and stored[0] == version:
        return stored[1]
    if version is None:
        version = catalogue_version()
    # Read after the version: data older than a change is stored under the version before it.
    procedure = read_procedure(code)
    if procedure is not None:
        try:
            page_cache.set(key, (version, procedure), STORE_SECONDS)
        except Exception:  # noqa: BLE001 (as above)
            logger.warning("could not store procedure %s in the cache", code, exc_info=True)
    return procedure
