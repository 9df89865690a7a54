from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from procedures.forms import FastSelect, ListedModelChoiceField, remember_options
from procedures.models import Agency, JurisdictionTier

MONTHS = [("", _("Cả năm"))] + [(str(number), _("Tháng %(month)d") % {"month": number}) for number in range(1, 13)]


class StatisticsFilterForm(forms.Form):
    """The statistics page's filters. A bad value is dropped with a notice, never a 500."""

    nam = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False, widget=FastSelect)
    thang = forms.TypedChoiceField(label=_("Tháng"), choices=MONTHS, coerce=int, required=False, empty_value=None,
                                   widget=FastSelect)
    # The catalogue's fast selects: a province lists hundreds of agencies.
    cap = ListedModelChoiceField(label=_("Cấp"), required=False, queryset=JurisdictionTier.objects.all(),
                                 to_field_name="slug", label_of=gettext, empty_label=_("Tất cả các cấp"),
                                 widget=FastSelect)
    co_quan = ListedModelChoiceField(label=_("Cơ quan"), required=False,
                                     queryset=Agency.objects.filter(is_active=True),
                                     empty_label=_("Tất cả cơ quan"), widget=FastSelect)

    def __init__(self, data=None, *, years, **kwargs):
        super().__init__(data, **kwargs)
        self.years = years or [timezone.localdate().year]
        self.fields["nam"].choices = [(str(year), str(year)) for year in self.years]
        remember_options(self, ("cap", "co_quan"))

    def filters(self):
        """The valid filters; the invalid ones are left out (``self.errors`` says which)."""
        cleaned = {"year": self.years[0], "month": None, "tier": None, "agency": None}
        if not self.is_bound:
            return cleaned
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        names = {"nam": "year", "thang": "month", "cap": "tier", "co_quan": "agency"}
        for name, key in names.items():
            if name not in self.errors and data.get(name) not in (None, ""):
                cleaned[key] = data[name]
        return cleaned
