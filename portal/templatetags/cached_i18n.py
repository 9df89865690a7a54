"""Django's ``i18n`` template library, with each constant ``{% translate %}`` rendered once per language.

The project's templates ``{% load cached_i18n %}`` where Django's would ``{% load i18n %}``
(``tests/portal/test_cached_i18n.py`` checks that they all do): the same tags and filters as
Django's, and ``translate`` (``trans``) writing what Django's writes. A ``{% translate "Trang chủ"
%}`` costs Django about 90 Python calls on every render (the variable's resolution, the
catalogue lookup, localisation, escaping), and a page has dozens; its text depends only on the
active language and on autoescaping, and the catalogues do not change while the process runs
(the layout's fragments and the level badges rely on the same). So a node whose message and
context are literals keeps what Django's node rendered, per (language, autoescape), and gives it
back; ``as`` still sets its variable. A message or context given by a variable, or with
filters, is rendered by Django's node every time.

A name of its own rather than ``i18n`` replaced in the settings' ``libraries``: Django's check
``templates.W003`` rightly warns about two modules under one name.
"""

from django import template
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


class ConstantTranslateNode(django_i18n.TranslateNode):
    """A ``TranslateNode`` of a literal message (and context): Django's rendering, kept per language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rendered = {}  # (language, autoescape) -> the text Django's node gave

    def render(self, context):
        key = (get_language(), context.autoescape)
        value = self.rendered.get(key)
        if value is None:
            # Django's node, untouched (the node is shared by the threads rendering the template).
            written = super().render(context)
            self.rendered[key] = context[self.asvar] if self.asvar else written
            return written
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


def _is_constant(node):
    message, context = node.filter_expression, node.message_context
    literal_message = getattr(message.var, "literal", None) is not None and not message.filters
    literal_context = context is None or (isinstance(context.var, str) and not context.filters)
    return literal_message and literal_context


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = django_i18n.do_translate(parser, token)
    if not _is_constant(node):
        return node
    return ConstantTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)
