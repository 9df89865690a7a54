"""The catalogue's rules between objects: what a procedure of each service level must have.

One function states the rules (``service_level_problems``); the admin calls it with what
the administrator is submitting (the form's agencies, the inline's templates), the demo
seed and the tests call it through ``procedure_problems`` with what the database holds.
"""

from django.utils.translation import gettext_lazy as _

from .models import FormTemplate, ServiceLevel

AGENCIES = "agencies"
TEMPLATES = "templates"


def service_level_problems(*, service_level, agency_count=None, template_count=None):
    """The rules a procedure of ``service_level`` breaks, as ``{part: message}``.

    - level 2 and above: at least one downloadable form template (that is what level 2 means);
    - level 3 and above: at least one receiving agency (online filing needs somewhere to go).

    A count given as ``None`` is not checked, so a caller that knows only one part (the
    admin's main form knows the agencies, its inline knows the templates) checks that part.
    """
    problems = {}
    try:
        level = int(service_level)
    except (TypeError, ValueError):
        return problems
    if template_count is not None and level >= ServiceLevel.FORMS and template_count < 1:
        problems[TEMPLATES] = _("Thủ tục mức độ %(level)s phải có ít nhất một mẫu đơn, tờ khai để tải về.") % {
            "level": level}
    if agency_count is not None and level >= ServiceLevel.PARTIAL and agency_count < 1:
        problems[AGENCIES] = _("Thủ tục mức độ %(level)s phải có ít nhất một cơ quan tiếp nhận.") % {"level": level}
    return problems


def procedure_problems(procedure):
    """The rules a saved procedure breaks, from the database: a list of messages (empty when fine)."""
    problems = service_level_problems(
        service_level=procedure.service_level,
        agency_count=procedure.agencies.count(),
        template_count=FormTemplate.objects.filter(component__procedure=procedure).count(),
    )
    return list(problems.values())
