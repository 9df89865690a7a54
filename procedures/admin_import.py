"""The catalogue import page in the admin (``/quan-tri/procedures/procedure/nhap-tu-tep/``).

The same import as ``manage.py import_procedures``, for catalogue administrators: upload
the export, see what would change (dry run, the default), then import.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import FileExtensionValidator
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .importing import ImportFileError, import_procedures, read_rows

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp xuất từ Cơ sở dữ liệu quốc gia về TTHC"),
                           validators=[FileExtensionValidator(["csv", "xlsx"])],
                           help_text=_("CSV (UTF-8) hoặc XLSX, dòng đầu là tiêu đề cột; tối đa 20 MB."))
    dry_run = forms.BooleanField(label=_("Chỉ chạy thử (xem trước, không ghi)"), required=False, initial=True)
    skip_invalid = forms.BooleanField(label=_("Nhập các dòng hợp lệ, bỏ qua dòng lỗi"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 20 MB)."))
        return upload


def import_view(model_admin, request):
    """Upload, dry run or import; the report lists every bad row with its line number."""
    if not (request.user.has_perm("procedures.add_procedure") and request.user.has_perm("procedures.change_procedure")):
        raise PermissionDenied
    report, file_error = None, None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = read_rows(upload.name, upload.read())
            except ImportFileError as error:
                file_error = str(error)
            else:
                report = import_procedures(rows, dry_run=form.cleaned_data["dry_run"],
                                           skip_invalid=form.cleaned_data["skip_invalid"])
    else:
        form = ImportForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Nhập thủ tục từ tệp"),
        "form": form,
        "report": report,
        "file_error": file_error,
    }
    return TemplateResponse(request, "admin/procedures/procedure/import.html", context)
