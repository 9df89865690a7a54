"""What one visitor may store before filing anything (drafts and uploaded bytes), and send (resume links).

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

import hashlib
from datetime import datetime

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


# --- The resume link sent by SMS/email ------------------------------------------------------------
# A hostile visitor must not be able to turn "Lưu và tiếp tục sau" into a way of flooding someone's
# phone or mailbox: one send per draft per ``FILING_RESUME_LINK_MINUTES``, at most
# ``FILING_RESUME_LINKS_PER_ADDRESS`` sends a day per client address, and at most
# ``FILING_RESUME_LINKS_PER_RECIPIENT`` messages a day to one phone number or email address,
# whatever the drafts and addresses they come from.

RESUME_SENT_AT = "resume_link_sent_at"


def resume_link_wait_minutes(draft, now):
    """Whole minutes before this draft's resume link may be sent again (0: it may be sent now)."""
    sent_at = draft.data.get(RESUME_SENT_AT)
    if not sent_at:
        return 0
    left = settings.FILING_RESUME_LINK_MINUTES * 60 - (now - datetime.fromisoformat(sent_at)).total_seconds()
    return max(0, -int(-left // 60))


def mark_resume_link_sent(draft, now):
    draft.data = {**draft.data, RESUME_SENT_AT: now.isoformat()}


def _resume_rate(group, request):
    return settings.FILING_RESUME_LINKS_PER_ADDRESS


def refuse_resume_link(request):
    """The message refusing this client address another resume link today, or "" (and the send is counted)."""
    if is_ratelimited(request, group="filing.resume_links", key="ip", rate=_resume_rate, method=is_ratelimited.ALL,
                      increment=True):
        return _("Từ địa chỉ mạng của bạn đã có quá nhiều yêu cầu gửi đường dẫn tiếp tục khai trong hôm nay. "
                 "Hồ sơ vẫn được lưu; hãy chép đường dẫn dưới đây.")
    return ""


def _recipient_key(recipient):
    return "filing-resume-to:" + hashlib.sha256(recipient.strip().lower().encode()).hexdigest()


def take_recipient_quota(recipient):
    """Count one resume message to ``recipient``; False (nothing counted) when it had its day's share."""
    key = _recipient_key(recipient)
    if cache.add(key, 1, timeout=DAY_SECONDS):
        return True
    try:
        if cache.incr(key) <= _recipient_limit():
            return True
        cache.decr(key)
        return False
    except ValueError:  # expired in between
        cache.add(key, 1, timeout=DAY_SECONDS)
        return True


def _recipient_limit():
    # "5/d": so many a day (the window starts at the first message to that recipient).
    return int(str(settings.FILING_RESUME_LINKS_PER_RECIPIENT).split("/", 1)[0])
