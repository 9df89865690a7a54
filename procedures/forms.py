from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Agency, JurisdictionTier, Sector, ServiceLevel


def _attrs(attrs):
    """HTML attributes as Django's ``django/forms/widgets/attrs.html`` writes them."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items() if value is not False
    )


class FastSelect(forms.Select):
    """A ``<select>`` written in Python, with exactly the markup of Django's select templates.

    Django renders every ``<option>`` through two template includes; the catalogue's filters list
    every active agency of the province (hundreds), which made rendering the form most of the
    page's time. The choices still come from the field, so the options are always current.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], mark_safe(_attrs(widget["attrs"])))]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in group_choices:
                parts.append(format_html('\n  <option value="{}"{}>{}</option>\n', str(option["value"]),
                                         mark_safe(_attrs(option["attrs"])), option["label"]))
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices from one plain query: Django's iterator reads them with ``QuerySet.iterator()``, which
    on PostgreSQL is a server-side cursor (DECLARE … WITH HOLD, FETCH, CLOSE) for a list of a few
    hundred short rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters. Unknown values are dropped (not errors): a bad link still shows the list."""

    q = forms.CharField(label=_("Tên hoặc mã thủ tục"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Ví dụ: đăng ký khai sinh")}))
    cap = ListedModelChoiceField(label=_("Cấp thực hiện"), required=False, queryset=JurisdictionTier.objects.all(),
                                 to_field_name="slug", empty_label=_("Tất cả các cấp"), widget=FastSelect)
    co_quan = ListedModelChoiceField(label=_("Cơ quan"), required=False,
                                     queryset=Agency.objects.filter(is_active=True).only("pk", "name"),
                                     empty_label=_("Tất cả cơ quan"), widget=FastSelect)
    linh_vuc = ListedModelChoiceField(label=_("Lĩnh vực"), required=False, queryset=Sector.objects.all(),
                                      to_field_name="slug", empty_label=_("Tất cả lĩnh vực"), widget=FastSelect)
    muc_do = forms.TypedChoiceField(label=_("Mức độ"), required=False, coerce=int, empty_value=None,
                                    choices=[("", _("Tất cả mức độ")), *ServiceLevel.choices], widget=FastSelect)

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
