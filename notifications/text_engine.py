"""The template engine of the message texts, shared by the model's check and the rendering.

Texts are plain Django templates without autoescaping (an SMS is not HTML); the HTML part
of an email is rendered separately with the project's template loader.
"""

from django.template import Engine, TemplateSyntaxError

text_engine = Engine(autoescape=False)


class TemplateSyntaxProblem(Exception):
    pass


def check_template_syntax(source):
    """Raise ``TemplateSyntaxProblem`` with the engine's message when ``source`` does not compile."""
    try:
        text_engine.from_string(source or "")
    except TemplateSyntaxError as error:
        raise TemplateSyntaxProblem(f"Mẫu không hợp lệ: {error}") from None
