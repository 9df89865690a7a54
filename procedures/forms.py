from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Agency, JurisdictionTier, Sector, ServiceLevel


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters. Unknown values are dropped (not errors): a bad link still shows the list."""

    q = forms.CharField(label=_("Tên hoặc mã thủ tục"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Ví dụ: đăng ký khai sinh")}))
    cap = forms.ModelChoiceField(label=_("Cấp thực hiện"), required=False, queryset=JurisdictionTier.objects.all(),
                                 to_field_name="slug", empty_label=_("Tất cả các cấp"))
    co_quan = forms.ModelChoiceField(label=_("Cơ quan"), required=False,
                                     queryset=Agency.objects.filter(is_active=True).select_related("tier"),
                                     empty_label=_("Tất cả cơ quan"))
    linh_vuc = forms.ModelChoiceField(label=_("Lĩnh vực"), required=False, queryset=Sector.objects.all(),
                                      to_field_name="slug", empty_label=_("Tất cả lĩnh vực"))
    muc_do = forms.TypedChoiceField(label=_("Mức độ"), required=False, coerce=int, empty_value=None,
                                    choices=[("", _("Tất cả mức độ")), *ServiceLevel.choices])

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Long pasted text is cut rather than refused, so the page still answers.
        if data is not None and len(data.get("q", "")) > 200:
            data = data.copy()
            data["q"] = data["q"][:200]
            self.data = data

    def filters(self):
        """The valid filters only; an invalid one (unknown tier, level 9 …) is ignored and reported."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "query": cleaned.get("q") or "",
            "tier": cleaned.get("cap"),
            "agency": cleaned.get("co_quan"),
            "sector": cleaned.get("linh_vuc"),
            "level": cleaned.get("muc_do"),
        }
