"""What one visitor may store before filing anything: drafts and uploaded bytes.

A draft costs a row, its declaration text and up to ``UPLOAD_MAX_DOSSIER_BYTES`` of files, kept for
``WIZARD_DRAFT_HOURS`` even if nobody ever files it. So:

* a browser session holds at most ``FILING_DRAFTS_PER_SESSION`` drafts in progress;
* one client address starts at most ``FILING_DRAFTS_PER_ADDRESS`` drafts (django-ratelimit's
  rate syntax, e.g. ``50/d``: generous, since a carrier's NAT puts many citizens behind one address);
* one client address uploads at most ``FILING_UPLOAD_BYTES_PER_ADDRESS`` bytes a day;
* before the first upload of a draft the visitor answers a captcha once (``FILING_UPLOAD_CAPTCHA``),
  so a script cannot fill the disk without solving one per draft.

Every refusal comes with a message saying what to do; nothing already typed or uploaded is lost.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from portal.security import client_ip

HUMAN_CHECKED = "upload_captcha_passed"
DAY_SECONDS = 24 * 3600


def _drafts_rate(group, request):
    return settings.FILING_DRAFTS_PER_ADDRESS


def refuse_new_draft(request, drafts_in_session):
    """The message refusing a new draft to this visitor, or "" (and the start is counted) when allowed."""
    if drafts_in_session >= settings.FILING_DRAFTS_PER_SESSION:
        return _("Bạn đang khai dở %(count)s hồ sơ. Vui lòng hoàn thành hoặc chờ các hồ sơ đang khai hết hạn "
                 "trước khi bắt đầu hồ sơ mới.") % {"count": drafts_in_session}
    if is_ratelimited(request, group="filing.drafts", key="ip", rate=_drafts_rate, method=is_ratelimited.ALL,
                      increment=True):
        return _("Từ địa chỉ mạng của bạn đã có quá nhiều hồ sơ được bắt đầu khai trong hôm nay. "
                 "Vui lòng thử lại sau, hoặc nộp hồ sơ trực tiếp tại bộ phận một cửa.")
    return ""


def _bytes_key(request):
    return f"filing-bytes:{client_ip(request)}"


def upload_bytes_left(request):
    """How many more bytes this client address may upload today."""
    return max(0, settings.FILING_UPLOAD_BYTES_PER_ADDRESS - (cache.get(_bytes_key(request)) or 0))


def count_uploaded(request, size):
    """Add ``size`` bytes to this address's uploads of the day (the window starts at its first upload)."""
    key = _bytes_key(request)
    if not cache.add(key, size, timeout=DAY_SECONDS):
        try:
            cache.incr(key, size)
        except ValueError:  # expired in between
            cache.add(key, size, timeout=DAY_SECONDS)


def daily_bytes_message():
    return _("Địa chỉ mạng của bạn đã tải lên quá nhiều dữ liệu trong hôm nay. Các tệp đã tải lên và tờ khai "
             "vẫn được giữ; vui lòng tiếp tục sau, hoặc nộp hồ sơ trực tiếp tại bộ phận một cửa.")


def needs_upload_captcha(draft):
    return settings.FILING_UPLOAD_CAPTCHA and not draft.data.get(HUMAN_CHECKED)


def mark_upload_captcha_passed(draft):
    """Remember on the draft that its visitor answered the captcha: it is asked once per draft."""
    draft.data = {**draft.data, HUMAN_CHECKED: True}
