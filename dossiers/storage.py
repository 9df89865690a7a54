"""Where private files are kept: the local disk (the default) or an S3-compatible object store.

Every private file (dossier attachments, draft uploads, results, form templates) goes
through Django's default storage, so the code only ever calls the Storage API.
``portal/settings.py`` chooses ``PrivateS3Storage`` when ``S3_BUCKET`` is set, which is what
several web nodes need: none of them keeps a file on its own disk.

Files never get a bucket URL: they are read back through the portal's access-checked
views, which stream the object from the store to the client. A store that cannot be
reached raises ``StorageUnavailable`` (a clear page, never a 500: see
``portal.middleware.StorageUnavailableMiddleware``; the upload forms catch it themselves
so what the citizen typed stays on the page).
"""

import logging
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import File
from django.utils.translation import gettext_lazy as _
from storages.backends.s3 import S3Storage, _filter_download_params
from storages.utils import clean_name

logger = logging.getLogger(__name__)

# What a citizen is told next to the upload that could not be stored.
STORAGE_UNAVAILABLE = _("Chưa lưu được tệp do kho lưu trữ tạm thời gián đoạn. Vui lòng chọn lại tệp và thử lại "
                        "sau ít phút; các thông tin khác bạn đã khai vẫn được giữ.")


class StorageUnavailable(Exception):
    """The file store cannot be reached or refused the request; the failed call stored nothing."""


def _not_found(error):
    return isinstance(error, ClientError) and error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404


@contextmanager
def _store_call(action, name, *, reading=False):
    try:
        yield
    except (BotoCoreError, ClientError) as error:
        # A missing object is the caller's 404; a missing bucket on a write is the store's fault.
        if reading and _not_found(error):
            raise FileNotFoundError(f"File does not exist: {name}") from error
        logger.error("object store unavailable (%s %s): %s", action, name, error)
        raise StorageUnavailable(f"{action} {name}: {error}") from error


class StreamedS3File(File):
    """An object being read from the store: ``read()`` pulls from the open HTTP response.

    django-storages' own ``S3File`` downloads the whole object before the first byte is
    served; this one lets ``FileResponse`` send each block as it arrives.
    """

    def __init__(self, body, name, size):
        super().__init__(body, name)
        self.size = size

    def seekable(self):
        return False


class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend for private files.

    Guarantees: objects are written with the configured ACL (``private``) and
    server-side encryption parameters; names are never overwritten (a clash gets a new
    name); ``url()`` refuses, so no template can link a bucket URL; reads stream; every
    failure to reach the store is ``StorageUnavailable`` and a missing object is
    ``FileNotFoundError``, as on the local disk.
    """

    def url(self, name, *args, **kwargs):
        raise NotImplementedError("private files are served only through the portal's access-checked views")

    def _open(self, name, mode="rb"):
        if "w" in mode or "b" not in mode:
            with _store_call("open", name, reading=True):
                return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        params = _filter_download_params(self.get_object_parameters(name))
        with _store_call("read", name, reading=True):
            response = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key, **params)
        return StreamedS3File(response["Body"], name=name, size=response["ContentLength"])

    def _save(self, name, content):
        with _store_call("save", name):
            return super()._save(name, content)

    def delete(self, name):
        with _store_call("delete", name):
            return super().delete(name)

    def exists(self, name):
        with _store_call("exists", name):
            return super().exists(name)

    def size(self, name):
        with _store_call("size", name, reading=True):
            return super().size(name)

    def listdir(self, name):
        with _store_call("list", name):
            return super().listdir(name)

    def get_modified_time(self, name):
        with _store_call("stat", name, reading=True):
            return super().get_modified_time(name)
