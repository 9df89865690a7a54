"""The filing wizard's pages: thin views that read the draft, call ``filing.wizard`` and render.

Every step page works without JavaScript. The browser's session only holds which draft
it is filling (``filing_drafts``: procedure code → draft token; a filed draft's token stays
until a new draft of the procedure replaces it) and the dossiers of the filed drafts it
replaced (``filed_dossiers``): what lets it, and nobody else, see a success page.
"""

import uuid
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from accounts.identity import signed_in_citizen
from dossiers import guidance, links, printing
from dossiers.declaration import describe
from dossiers.models import DeliveryMethod, Dossier, FilingDraft
from dossiers.services import AGENCY, DECLARATION, DOCUMENTS, FilingError, filing_agencies
from dossiers.storage import STORAGE_UNAVAILABLE, StorageUnavailable
from dossiers.uploads import ACCEPT_ATTRIBUTE, UploadRejected, check_dossier_total, validate_upload
from dossiers.workflow import DossierStatus
from portal.security import bad_request
from procedures.levels import EXPLANATIONS
from procedures.models import Procedure
from procedures.text import search_key

from . import catalogue, quotas, resume, wizard
from .forms import AgencyForm, ConfirmForm, UploadCaptchaForm
from .wizard import CONFIRM, REVIEW, STEPS

SESSION_DRAFTS = "filing_drafts"
SESSION_FILED = "filed_dossiers"
# What became of the last request to send a draft's resume link, for the "saved" page to tell.
SESSION_RESUME_NOTICE = "filing_resume_notice"
# Above this many agencies the agency step shows a search box.
AGENCY_SEARCH_THRESHOLD = 8
MAX_FILED_IN_SESSION = 20


# --- Helpers ----------------------------------------------------------------------------------------

def _step_url(procedure, step):
    names = {AGENCY: "agency", DECLARATION: "declaration", DOCUMENTS: "documents", REVIEW: "review",
             CONFIRM: "confirm"}
    return reverse(f"filing:{names[step]}", args=[procedure.code])


def _success_url(dossier):
    return reverse("filing:success", args=[dossier.procedure.code, dossier.code])


def _find_procedure(request, code, read=None):
    """The procedure (``read(code)``'s, when given), or the friendly page that explains why it cannot be filed online."""
    procedure = (read(code) if read is not None else
                 Procedure.objects.filter(code=code, is_published=True).select_related("sector", "tier").first())
    if procedure is None:
        return None, render(request, "filing/not_available.html", {
            "title": _("Không tìm thấy thủ tục"),
            "message": _("Không tìm thấy thủ tục hành chính có mã này, hoặc thủ tục đã ngừng công bố."),
        }, status=404)
    if not procedure.can_file_online:
        return None, render(request, "filing/not_available.html", {
            "procedure": procedure,
            "title": _("Thủ tục chưa hỗ trợ nộp hồ sơ trực tuyến"),
            "message": _("Thủ tục này là dịch vụ công %(level)s: chỉ nộp hồ sơ trực tuyến được với thủ tục "
                         "mức độ 3 và 4. Vui lòng xem hướng dẫn và nộp hồ sơ trực tiếp hoặc qua bưu chính "
                         "tại cơ quan tiếp nhận.") % {"level": procedure.get_service_level_display()},
            "level": EXPLANATIONS[procedure.service_level],
        })
    return procedure, None


def _session_draft(request, procedure):
    token = request.session.get(SESSION_DRAFTS, {}).get(procedure.code)
    if not token:
        return None
    return (FilingDraft.objects.filter(token=token, procedure=procedure, expires_at__gt=timezone.now())
            .select_related("agency", "procedure", "dossier").first())


def _remember_draft(request, draft):
    """Make ``draft`` this browser's draft of its procedure; a filed draft it replaces leaves its dossier in ``filed_dossiers``."""
    drafts = dict(request.session.get(SESSION_DRAFTS, {}))
    previous = drafts.get(draft.procedure.code)
    if previous and previous != str(draft.token):
        _remember_filed(request, FilingDraft.objects.filter(token=previous, dossier__isnull=False)
                        .values_list("dossier_id", flat=True).first())
    drafts[draft.procedure.code] = str(draft.token)
    request.session[SESSION_DRAFTS] = drafts


def _remember_filed(request, dossier_id):
    if dossier_id is None:
        return
    filed = [pk for pk in request.session.get(SESSION_FILED, []) if pk != dossier_id]
    request.session[SESSION_FILED] = [*filed, dossier_id][-MAX_FILED_IN_SESSION:]


def wizard_step(view):
    """Resolve the procedure and this browser's draft; send the citizen back to the start when there is none."""

    @wraps(view)
    def wrapped(request, code):
        procedure, answer = _find_procedure(request, code)
        if answer is not None:
            return answer
        draft = _session_draft(request, procedure)
        if draft is None:
            messages.warning(request, _("Phiên khai hồ sơ đã hết hạn hoặc chưa bắt đầu. Vui lòng bắt đầu lại."))
            return redirect("filing:start", procedure.code)
        if draft.dossier_id:
            return redirect(_success_url(draft.dossier))
        draft.procedure = procedure
        return view(request, procedure, draft)

    return wrapped


def _context(procedure, draft, current, **extra):
    order = [slug for slug, _label in STEPS]
    position = order.index(current)
    steps = [{"slug": slug, "label": label, "current": slug == current, "done": index < position,
              "number": index + 1} for index, (slug, label) in enumerate(STEPS)]
    return {"procedure": procedure, "draft": draft, "steps": steps, "current_step": current,
            "single_agency": filing_agencies(procedure).count() == 1, **extra}


def _next_after(request, procedure, draft, default_step):
    """After a change made from the review page, go back to it when everything is complete."""
    if request.POST.get("tro-ve") == REVIEW and wizard.first_incomplete_step(draft) is None:
        return redirect(_step_url(procedure, REVIEW))
    return redirect(_step_url(procedure, default_step))


# --- The steps ----------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def file_start(request, code):
    """The wizard's entry: what the citizen needs, then "Bắt đầu" (POST) creates the draft."""
    procedure, answer = _find_procedure(request, code)
    if answer is not None:
        return answer
    draft = _session_draft(request, procedure)
    quota_message = ""
    if request.method == "POST" and (draft is None or draft.dossier_id or request.POST.get("bat-dau-lai")):
        # A new draft, unless this visitor has too many (filing/quotas.py): then the page says why.
        quota_message = quotas.refuse_new_draft(request, _drafts_in_session(request, procedure))
    if request.method == "POST" and not quota_message:
        if draft is None or draft.dossier_id or request.POST.get("bat-dau-lai"):
            draft = wizard.start_draft(procedure, account=signed_in_citizen(request))
            _remember_draft(request, draft)
            return redirect(_step_url(procedure, DECLARATION if draft.agency_id else AGENCY))
        step = wizard.first_incomplete_step(draft) or REVIEW
        return redirect(_step_url(procedure, step))
    return render(request, "filing/start.html", {
        "procedure": procedure,
        "draft": draft if draft is not None and not draft.dossier_id else None,
        "level": EXPLANATIONS[procedure.service_level],
        "components": procedure.components.all(),
        "fees": procedure.fees.all(),
        "quota_message": quota_message,
    }, status=429 if quota_message else 200)


def _drafts_in_session(request, procedure):
    """This browser's drafts still in progress, the one of ``procedure`` (about to be replaced) aside."""
    tokens = [token for code, token in request.session.get(SESSION_DRAFTS, {}).items() if code != procedure.code]
    return FilingDraft.objects.filter(token__in=tokens, dossier__isnull=True, expires_at__gt=timezone.now()).count()


@require_http_methods(["GET", "POST"])
@wizard_step
def file_agency(request, procedure, draft):
    agencies = list(filing_agencies(procedure))
    if not agencies:
        return render(request, "filing/not_available.html", {
            "procedure": procedure,
            "title": _("Chưa có cơ quan tiếp nhận trực tuyến"),
            "message": _("Thủ tục này hiện chưa có cơ quan tiếp nhận hồ sơ trực tuyến. Vui lòng liên hệ cơ quan "
                         "có thẩm quyền hoặc thử lại sau."),
        })
    if len(agencies) == 1:
        if draft.agency_id != agencies[0].pk:
            draft.agency = agencies[0]
            wizard.touch(draft, update_fields=["agency"])
        return redirect(_step_url(procedure, DECLARATION))
    if request.method == "POST":
        form = AgencyForm(request.POST, agencies=agencies)
        if form.is_valid():
            draft.agency = next(agency for agency in agencies if agency.pk == form.cleaned_data["agency"])
            wizard.touch(draft, update_fields=["agency"])
            return _next_after(request, procedure, draft, DECLARATION)
    else:
        form = AgencyForm(initial={"agency": draft.agency_id}, agencies=agencies)
    query = (request.GET.get("q") or "")[:100].strip()
    shown = agencies
    if query:
        words = search_key(query).split()
        shown = [agency for agency in agencies
                 if all(word in search_key(f"{agency.name} {agency.parent or ''} {agency.address}") for word in words)]
    groups = {}
    for agency in shown:
        groups.setdefault(agency.parent.name if agency.parent_id else str(agency.tier), []).append(agency)
    selected = form["agency"].value()
    return render(request, "filing/agency.html", _context(
        procedure, draft, AGENCY, form=form, groups=list(groups.items()), query=query,
        searchable=len(agencies) > AGENCY_SEARCH_THRESHOLD, shown_count=len(shown), total_count=len(agencies),
        selected=str(selected) if selected else "", back_to=request.GET.get("tro-ve", ""),
    ), status=200)


@require_http_methods(["GET", "POST"])
@wizard_step
def file_declaration(request, procedure, draft):
    if draft.agency_id is None:
        return redirect(_step_url(procedure, AGENCY))
    if request.method == "POST":
        wizard.store_declaration_data(draft, request.POST)
        if request.POST.get("hanh-dong") == "luu-tiep-tuc-sau":
            # Kept as typed, valid or not: the citizen finishes it later, on this or another device,
            # from the link sent to the phone and email typed (filing/resume.py).
            _send_resume_link(request, draft)
            return redirect("filing:saved", procedure.code)
        forms = wizard.declaration_forms(draft, request.POST)
        if forms.is_valid():
            return _next_after(request, procedure, draft, DOCUMENTS if procedure.components.exists() else REVIEW)
    else:
        forms = wizard.declaration_forms(draft)
    return render(request, "filing/declaration.html", _context(
        procedure, draft, DECLARATION, forms=forms, back_to=request.GET.get("tro-ve", ""),
        has_errors=any(form.is_bound and form.errors for form in forms.forms),
    ))


@require_http_methods(["GET", "POST"])
@wizard_step
def file_documents(request, procedure, draft):
    if wizard.first_incomplete_step(draft) in (AGENCY, DECLARATION):
        return redirect(_step_url(procedure, wizard.first_incomplete_step(draft)))
    components = list(procedure.components.all())
    errors = {}
    if request.method == "POST":
        remove = request.POST.get("xoa")
        if remove and remove.isdigit():
            if wizard.remove_from_draft(draft, int(remove)):
                messages.success(request, _("Đã xóa tệp."))
            wizard.touch(draft)
            return redirect(_step_url(procedure, DOCUMENTS))
        stored = wizard.draft_total_bytes(draft)
        uploaded = 0
        has_files = any(request.FILES.getlist(f"tp-{component.pk}") for component in components)
        if has_files and quotas.needs_upload_captcha(draft):
            # Once per draft, before its first file is stored (filing/quotas.py).
            captcha_form = UploadCaptchaForm(request.POST)
            if not captcha_form.is_valid():
                return _documents_page(request, procedure, draft, components, errors, captcha_form=captcha_form,
                                       status=400)
            quotas.mark_upload_captcha_passed(draft)
            wizard.touch(draft, update_fields=["data"])
        for component in components:
            for upload in request.FILES.getlist(f"tp-{component.pk}"):
                try:
                    checked = validate_upload(upload)
                    stored = check_dossier_total([checked], already_stored_bytes=stored)
                except UploadRejected as error:
                    errors.setdefault(component.pk, []).extend(error.messages)
                    continue
                if checked.size > quotas.upload_bytes_left(request):
                    errors.setdefault(component.pk, []).append(quotas.daily_bytes_message())
                    stored -= checked.size
                    continue
                # Stored at once: an error on another file never loses this one.
                try:
                    wizard.attach_to_draft(draft, component, checked)
                except StorageUnavailable:
                    # Nothing of this file was recorded; the draft keeps everything else.
                    errors.setdefault(component.pk, []).append(STORAGE_UNAVAILABLE)
                    continue
                quotas.count_uploaded(request, checked.size)
                uploaded += 1
        if uploaded:
            messages.success(request, _("Đã tải lên %(count)s tệp.") % {"count": uploaded})
        if not errors and request.POST.get("hanh-dong") == "tiep-tuc":
            missing = wizard.missing_components(draft)
            if not missing:
                draft.data = {**draft.data, wizard.DOCUMENTS_SEEN: True}
                wizard.touch(draft, update_fields=["data"])
                return redirect(_step_url(procedure, REVIEW))
            for component in missing:
                errors.setdefault(component.pk, []).append(_("Vui lòng tải lên giấy tờ bắt buộc này."))
        wizard.touch(draft)
        if not errors:
            return redirect(_step_url(procedure, DOCUMENTS))
    return _documents_page(request, procedure, draft, components, errors)


def _documents_page(request, procedure, draft, components, errors, *, captcha_form=None, status=200):
    if captcha_form is None and quotas.needs_upload_captcha(draft):
        captcha_form = UploadCaptchaForm()
    files = list(draft.files.all())
    slots = [{
        "component": component,
        "field_name": f"tp-{component.pk}",
        "files": [item for item in files if item.component_id == component.pk],
        "errors": errors.get(component.pk, []),
    } for component in components]
    return render(request, "filing/documents.html", _context(
        procedure, draft, DOCUMENTS, slots=slots, has_errors=bool(errors), accept=ACCEPT_ATTRIBUTE,
        max_file_bytes=settings.UPLOAD_MAX_FILE_BYTES, max_dossier_bytes=settings.UPLOAD_MAX_DOSSIER_BYTES,
        total_bytes=sum(item.size for item in files), captcha_form=captcha_form,
        captcha_refresh_url=request.path,
    ), status=status)


def _summary(procedure, draft, forms):
    """What the review page and the confirm page show, grouped by step."""
    applicant = forms.applicant
    applicant_rows = [(applicant[name].label, value) for name, value in (
        ("applicant_type", dict(applicant.fields["applicant_type"].choices).get(
            applicant.cleaned_data.get("applicant_type")) if "applicant_type" in applicant.fields else None),
        ("full_name", applicant.cleaned_data.get("full_name")),
        ("birth_date", applicant.cleaned_data.get("birth_date") and
         applicant.cleaned_data["birth_date"].strftime("%d/%m/%Y")),
        ("id_number", applicant.cleaned_data.get("id_number")),
        ("phone", applicant.cleaned_data.get("phone")),
        ("email", applicant.cleaned_data.get("email")),
        ("address", applicant.cleaned_data.get("address")),
        ("organisation_name", applicant.cleaned_data.get("organisation_name")),
        ("tax_code", applicant.cleaned_data.get("tax_code")),
    ) if name in applicant.fields and value]
    options = forms.options
    fee = options.chosen_fee()
    method = options.cleaned_data.get("delivery_method")
    option_rows = []
    if fee is not None:
        option_rows.append((_("Phí, lệ phí"), str(fee)))
    if method:
        option_rows.append((_("Hình thức nhận kết quả"), DeliveryMethod(method).label))
        if method == DeliveryMethod.POST:
            option_rows.append((_("Địa chỉ nhận kết quả"), options.cleaned_data.get("delivery_address")))
    files = list(draft.files.all())
    documents = [(component, [item for item in files if item.component_id == component.pk])
                 for component in procedure.components.all()]
    return {
        "agency": draft.agency,
        "applicant_rows": applicant_rows,
        "declaration_rows": describe(forms.schema, forms.declaration_values()),
        "option_rows": option_rows,
        "documents": documents,
    }


@require_http_methods(["GET"])
@wizard_step
def file_review(request, procedure, draft):
    forms = wizard.declaration_forms(draft)
    step = wizard.first_incomplete_step(draft, forms)
    if step is not None:
        messages.warning(request, _("Vui lòng hoàn thành bước này trước khi xem lại hồ sơ."))
        return redirect(_step_url(procedure, step))
    return render(request, "filing/review.html", _context(
        procedure, draft, REVIEW, summary=_summary(procedure, draft, forms),
    ))


def _confirm_page(request, procedure, draft, form, status=200):
    return render(request, "filing/confirm.html", _context(
        procedure, draft, CONFIRM, form=form,
    ), status=status)


def _owned_draft(request, procedure, token):
    """The draft of this browser with ``token``, locked: in progress in its session, or already filed by it.

    Read once and locked until the caller's transaction ends, so a parallel submission of the
    same draft (a double click) waits for the first to finish.
    """
    try:
        draft = FilingDraft.objects.select_for_update().get(submission_token=token, procedure=procedure)
    except (FilingDraft.DoesNotExist, ValueError, TypeError, ValidationError):
        return None
    in_progress = request.session.get(SESSION_DRAFTS, {}).get(procedure.code) == str(draft.token)
    filed = draft.dossier_id is not None and draft.dossier_id in request.session.get(SESSION_FILED, [])
    return draft if in_progress or filed else None


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def submit_rate(group, request):
    """Read on each request, so a changed setting (tests, operators) applies at once."""
    return settings.SUBMIT_RATE


@require_http_methods(["GET", "POST"])
@ratelimit(group="dossiers.submit", key="ip", rate=submit_rate, method="POST", block=True)
def file_confirm(request, code):
    # With what a submission is checked against, from the cache (the GET stores it for the POST).
    procedure, answer = _find_procedure(request, code, read=catalogue.procedure_to_file)
    if answer is not None:
        return answer
    if request.method == "GET":
        return _confirm_get(request, procedure.code)
    if not _is_uuid(request.POST.get("submission_token")):
        return bad_request(request)  # no page of the wizard sends that: the 400 page, not a 500
    with transaction.atomic():
        draft = _owned_draft(request, procedure, request.POST.get("submission_token"))
        if draft is None:
            messages.warning(request, _("Phiên khai hồ sơ đã hết hạn hoặc chưa bắt đầu. Vui lòng bắt đầu lại."))
            return redirect("filing:start", procedure.code)
        if draft.dossier_id:
            # A resubmitted form, a refresh after success or the second click of a double click
            # (which waited for the first): the same dossier, never a second one.
            dossier = Dossier.objects.select_related("procedure").get(pk=draft.dossier_id)
            return redirect(_success_url(dossier))
        wizard.use_catalogue(draft, procedure)
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            return _confirm_page(request, procedure, draft, form)
        try:
            dossier = wizard.submit_draft(draft, language=translation.get_language() or settings.LANGUAGE_CODE,
                                          locked=True)
        except FilingError as error:
            messages.warning(request, error.message)
            return redirect(_step_url(procedure, error.step or REVIEW))
    # The session is not written: its draft's token, now the draft of a dossier, is what shows
    # this browser the success page (``_filed_dossier``), and a new "Thực hiện" starts a new draft.
    return redirect(_success_url(dossier))


@wizard_step
def _confirm_get(request, procedure, draft):
    step = wizard.first_incomplete_step(draft)
    if step is not None:
        messages.warning(request, _("Vui lòng hoàn thành bước này trước khi nộp hồ sơ."))
        return redirect(_step_url(procedure, step))
    form = ConfirmForm(initial={"submission_token": draft.submission_token})
    return _confirm_page(request, procedure, draft, form)


# --- After filing -------------------------------------------------------------------------------------

def _filed_dossier(request, code, dossier_code):
    """The dossier this browser filed, else 404: a success page is never found by guessing a code.

    This browser filed the dossier of its draft of the procedure (the draft's token in the
    session), and those of the drafts that draft replaced (``filed_dossiers``).
    """
    mine = Q(pk__in=request.session.get(SESSION_FILED, []))
    token = request.session.get(SESSION_DRAFTS, {}).get(code)
    if _is_uuid(token):
        mine |= Q(pk__in=FilingDraft.objects.filter(token=token, dossier__isnull=False).values("dossier_id"))
    dossier = (Dossier.objects.filter(mine, code=dossier_code, procedure__code=code)
               .select_related("procedure", "agency", "procedure__sector").first())
    if dossier is None:
        raise Http404
    return dossier


def _after_filing_context(dossier):
    procedure = dossier.procedure
    return {
        "dossier": dossier,
        "procedure": procedure,
        "level": EXPLANATIONS[procedure.service_level],
        "components": procedure.components.all(),
        "files": dossier.files.all(),
        "awaiting_payment": dossier.status == DossierStatus.AWAITING_PAYMENT,
        "payment_url": links.payment_path(dossier) if dossier.status == DossierStatus.AWAITING_PAYMENT else "",
        "fee_sentence": guidance.fee_sentence(dossier),
        "visit_sentence": guidance.visit_sentence(dossier),
        "needs_visit": guidance.needs_visit(dossier),
        "declaration_rows": describe(dossier.declaration_schema, dossier.declaration),
        "lookup_url": links.lookup_url(dossier),
    }


@require_http_methods(["GET"])
def file_success(request, code, dossier_code):
    dossier = _filed_dossier(request, code, dossier_code)
    return render(request, "filing/success.html", _after_filing_context(dossier))


@require_http_methods(["GET"])
def file_receipt(request, code, dossier_code):
    dossier = _filed_dossier(request, code, dossier_code)
    return render(request, "filing/receipt.html", _after_filing_context(dossier))


@require_http_methods(["GET"])
def file_receipt_pdf(request, code, dossier_code):
    """The same receipt as a one-page PDF (fonts embedded, the QR code of the signed status link on the sheet)."""
    return _receipt_pdf(request, _filed_dossier(request, code, dossier_code))


def _receipt_pdf(request, dossier):
    # The QR code is the applicant's signed status link: scanned, it shows the status without a captcha.
    context = {**_after_filing_context(dossier), "qr": printing.qr_png_tag(links.status_url(dossier))}
    html = render_to_string("filing/receipt_pdf.html", context, request=request)
    return printing.pdf_response(html, f"bien-nhan-{dossier.code}.pdf")


def _receipt_link_dossier(token):
    return links.dossier_from_token(links.RECEIPT, token, max_age_days=settings.RECEIPT_LINK_DAYS)


def _receipt_link_refused(request):
    return render(request, "filing/not_available.html", {
        "title": _("Đường dẫn không hợp lệ"),
        "message": _("Đường dẫn đến giấy biên nhận không đúng hoặc đã hết hạn. Bạn vẫn tra cứu được hồ sơ "
                     "bằng mã hồ sơ tại trang Tra cứu hồ sơ."),
    }, status=404)


@require_http_methods(["GET"])
def file_receipt_link(request, token):
    """The receipt through the secret link of the registration SMS and email: any device, any time."""
    dossier = _receipt_link_dossier(token)
    if dossier is None:
        return _receipt_link_refused(request)
    return render(request, "filing/receipt.html", {**_after_filing_context(dossier), "via_link": True,
                                                   "receipt_token": token})


@require_http_methods(["GET"])
def file_receipt_link_pdf(request, token):
    """The same receipt as PDF through the same secret link: the signed token is the only key, never cached."""
    dossier = _receipt_link_dossier(token)
    if dossier is None:
        return _receipt_link_refused(request)
    return _receipt_pdf(request, dossier)


def _send_resume_link(request, draft):
    outcome = resume.send_resume_link(request, draft)
    request.session[SESSION_RESUME_NOTICE] = {"draft": str(draft.token), "sent_to": outcome.sent_to,
                                              "problem": outcome.problem}


@require_http_methods(["GET", "POST"])
@wizard_step
def file_saved(request, procedure, draft):
    """After "Lưu và tiếp tục sau": the secret link that resumes the draft, valid while the draft lives.

    The link was sent to the phone and email typed, when there were any; a POST asks for it
    again (within ``filing.quotas``' limits).
    """
    if request.method == "POST":
        _send_resume_link(request, draft)
        return redirect("filing:saved", procedure.code)
    notice = request.session.pop(SESSION_RESUME_NOTICE, None) or {}
    if notice.get("draft") != str(draft.token):
        notice = {}
    phone, email, _problems = resume.typed_contacts(draft)
    return render(request, "filing/saved.html", _context(
        procedure, draft, DECLARATION, notice=notice, can_send=bool(phone or email),
        resume_url=request.build_absolute_uri(reverse("filing:resume", args=[wizard.resume_token(draft)])),
    ))


@require_http_methods(["GET"])
def file_resume(request, token):
    """Open a saved draft from its secret link, in any browser; a VNeID draft asks for the same account."""
    draft = wizard.draft_from_resume_token(token)
    if draft is None:
        return render(request, "filing/not_available.html", {
            "title": _("Đường dẫn không hợp lệ"),
            "message": _("Đường dẫn tiếp tục khai hồ sơ không đúng, đã hết hạn hoặc hồ sơ đã được nộp. Vui lòng "
                         "bắt đầu khai lại."),
        }, status=404)
    account = wizard.draft_account(draft)
    if account is not None:
        citizen = signed_in_citizen(request)
        if citizen is None or citizen.subject != account.subject:
            return redirect(f"{reverse('accounts:sign_in')}?next={request.path}")
    _remember_draft(request, draft)
    wizard.touch(draft)
    messages.success(request, _("Đã mở lại hồ sơ đang khai. Những gì bạn đã nhập vẫn được giữ."))
    return redirect(_step_url(draft.procedure, wizard.first_incomplete_step(draft) or REVIEW))
