from html import escape

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .models import Agency, JurisdictionTier, Sector, ServiceLevel
from .pagecache import memoized


def _text(value):
    # conditional_escape's result, without its lazy-argument wrapper for the plain and the already
    # escaped strings the options are (a few microseconds for each of hundreds of options).
    if type(value) is str:
        return escape(value)
    return value if isinstance(value, SafeData) else conditional_escape(value)


def _attrs(attrs):
    """HTML attributes as Django's ``django/forms/widgets/attrs.html`` writes them."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items() if value is not False
    )


class FastTextInput(forms.TextInput):
    """A text ``<input>`` written in Python, with exactly the markup of Django's ``input.html``.

    Django renders each input through two template includes (about 800 Python calls): a public
    form's few inputs cost more than the rest of its page's content.
    """

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        value_html = "" if value is None else f' value="{escape(str(value))}"'  # stringformat:'s', escaped
        attrs = _attrs(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<input type="{conditional_escape(self.input_type)}" name="{conditional_escape(name)}"'
                         f"{value_html}{attrs}>")


class FastSelect(forms.Select):
    """A ``<select>`` written in Python, with exactly the markup of Django's select templates.

    Django renders every ``<option>`` through two template includes; the catalogue's filters list
    every active agency of the province (hundreds), which made rendering the form most of the
    page's time. The choices still come from the field, so the options are always current.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # Straight from the choices: Django's get_context() builds a dict of a dozen keys per option
        # first, which alone cost more than a millisecond for a province's agencies.
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = set(self.format_value(value))
        parts = [f'<select name="{conditional_escape(name)}"{_attrs(attrs)}>']
        selected_one = False

        def option(option_value, value_html, label_html):
            nonlocal selected_one
            # As Django's: a single select marks only the first option with the chosen value.
            selected = option_value in chosen and (self.allow_multiple_selected or not selected_one)
            selected_one = selected_one or selected
            return f'\n  <option value="{value_html}"{" selected" if selected else ""}>{label_html}</option>\n'

        def escaped_option(option_value, label):
            option_value = "" if option_value is None else str(option_value)
            return option(option_value, _text(option_value), _text(label))

        if isinstance(self.choices, EscapedOptions):
            # remember_options(): every option written once; only the chosen one is swapped in (a
            # single select: the first option with a chosen value, as above).
            options = self.choices
            marked = min((options.first_index[value] for value in chosen if value in options.first_index), default=None)
            if marked is None:
                return mark_safe(f"{parts[0]}{options.html}\n</select>")
            return mark_safe("".join((parts[0], *options.unselected[:marked], options.selected[marked],
                                      *options.unselected[marked + 1:], "\n</select>")))
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(f'\n  <optgroup label="{conditional_escape(option_value)}">')
                parts.extend(escaped_option(*choice) for choice in label)
                parts.append("\n  </optgroup>")
            else:
                parts.append(escaped_option(option_value, label))
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices as (value, label) pairs from one ``values_list`` query.

    Django's iterator reads them with ``QuerySet.iterator()``, which on PostgreSQL is a server-side
    cursor (DECLARE … WITH HOLD, FETCH, CLOSE) for a list of a few hundred short rows, and builds a
    model instance per option; the catalogue's filters list every agency of the province.
    """

    def __iter__(self):
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        for value, label in self.queryset.values_list(field.to_field_name or "pk", field.label_field):
            yield (value, field.label_of(label))


class ListedModelChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` whose options are read as values: ``label_field`` names the label's column,
    ``label_of`` turns it into the label (the tiers' names are translated, see ``JurisdictionTier.label``)."""

    iterator = ListedChoiceIterator

    def __init__(self, queryset, *, label_field="name", label_of=str, **kwargs):
        super().__init__(queryset, **kwargs)
        self.label_field = label_field
        self.label_of = label_of


class EscapedOptions(BaseChoiceIterator):
    """The options of a ``FastSelect`` ready to be joined: (value, label escaped) pairs, the shape of
    Django's choices (``Select.use_required_attribute`` reads the first), and each option's
    markup, chosen and not, which ``FastSelect.render`` joins.

    A choice iterator, so that a widget keeps it as it is (a list would be normalized, pair by
    pair, on every assignment).
    """

    def __init__(self, choices):
        self.pairs = tuple((str(value), _text(label)) for value, label in choices)
        # Each option as a select writes it, not chosen and chosen; the first option of each value.
        self.unselected = tuple(f'\n  <option value="{_text(value)}">{label_html}</option>\n'
                                for value, label_html in self.pairs)
        self.selected = tuple(f'\n  <option value="{_text(value)}" selected>{label_html}</option>\n'
                              for value, label_html in self.pairs)
        self.html = "".join(self.unselected)
        self.first_index = {}
        for index, (value, _label_html) in enumerate(self.pairs):
            self.first_index.setdefault(value, index)

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        return self.pairs[index]


def remember_options(form, names):
    """Give the selects of ``form``'s fields ``names`` their options from ``pagecache.memoized``.

    The options of the filters are the catalogue's reference data (tiers, agencies, sectors): read
    once per catalogue version and language in each process, not three queries on every page. Only
    the rendering uses them; a submitted value is still checked against the database.
    """
    def read():
        return {name: EscapedOptions(form.fields[name].choices) for name in names}

    options = memoized(("options", type(form).__qualname__, get_language()), read)
    for name in names:
        form.fields[name].widget.choices = options[name]


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters. Unknown values are dropped (not errors): a bad link still shows the list."""

    q = forms.CharField(label=_("Tên hoặc mã thủ tục"), required=False, max_length=200,
                        widget=FastTextInput(attrs={"type": "search", "placeholder": _("Ví dụ: đăng ký khai sinh")}))
    cap = ListedModelChoiceField(label=_("Cấp thực hiện"), required=False, queryset=JurisdictionTier.objects.all(),
                                 to_field_name="slug", label_of=gettext, empty_label=_("Tất cả các cấp"),
                                 widget=FastSelect)
    co_quan = ListedModelChoiceField(label=_("Cơ quan"), required=False,
                                     queryset=Agency.objects.filter(is_active=True),
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
        remember_options(self, ("cap", "co_quan", "linh_vuc", "muc_do"))

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
