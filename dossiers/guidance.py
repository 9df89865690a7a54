"""What a filed dossier asks of the citizen (visits and fees), in one set of sentences.

The success page, the receipt, the lookup's "what to do now" and the messages all say
it with these functions, so they never tell the citizen different things: a free
procedure is free everywhere, and a level-4 dossier whose result comes online or by post
never asks for a visit.
"""

from django.utils.translation import gettext as _

from .models import DeliveryMethod


def format_dong(amount):
    """1000000 → "1.000.000", the Vietnamese way of writing an amount in đồng."""
    return f"{int(amount):,}".replace(",", ".")


def needs_visit(dossier):
    """Whether the citizen has to come to the one-stop shop at all (level 3, or level 4 collected in person)."""
    return dossier.procedure.service_level < 4 or dossier.delivery_method == DeliveryMethod.IN_PERSON


def fee_sentence(dossier):
    """The dossier's fee in one sentence: none, paid online (level 4) or paid at the one-stop shop."""
    values = {"amount": format_dong(dossier.fee_amount), "name": dossier.fee_name}
    if not dossier.fee_amount:
        # The procedure's fees as read with it when they were (the filing's confirm step), else read.
        if dossier.fee_name and any(fee.amount > 0 for fee in dossier.procedure.fees.all()):
            # A free case (miễn, giảm) of a procedure that charges others.
            return _("Trường hợp của bạn không phải nộp phí, lệ phí (%(name)s).") % values
        return _("Thủ tục này không thu phí, lệ phí.")
    if dossier.procedure.pays_online:
        return _("Phí, lệ phí: %(amount)s đồng (%(name)s), thanh toán trực tuyến.") % values
    return _("Nộp phí, lệ phí tại bộ phận một cửa: %(amount)s đồng (%(name)s).") % values


def visit_sentence(dossier):
    """How many times the citizen comes to the one-stop shop, and what for."""
    if dossier.procedure.service_level < 4:
        if dossier.fee_amount:
            return _("Bạn chỉ cần đến bộ phận một cửa một lần, khi nhận kết quả: mang bản chính các giấy tờ "
                     "để đối chiếu và nộp phí, lệ phí.")
        return _("Bạn chỉ cần đến bộ phận một cửa một lần, khi nhận kết quả: mang bản chính các giấy tờ "
                 "để đối chiếu.")
    if dossier.delivery_method == DeliveryMethod.IN_PERSON:
        return _("Bạn chỉ đến bộ phận một cửa một lần, để nhận kết quả.")
    return _("Bạn không phải đến cơ quan.")
