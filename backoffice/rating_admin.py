"""The back office's view of the citizens' satisfaction ratings, per agency.

Read-only: a rating is the citizen's word. A clerk sees only the ratings of their
agencies' dossiers (``dossiers.roles.visible_dossiers``); the list shows, above the
rows, a summary per agency of the ratings the current filters select.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from dossiers.models import Dossier, Rating, RatingScore
from dossiers.roles import visible_dossiers


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["dossier_code", "agency", "procedure", "score", "short_comment", "created_at"]
    list_filter = ["score", ("dossier__agency", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["dossier__code"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier", "dossier__agency", "dossier__procedure"]
    fields = ["dossier_code", "agency", "procedure", "score", "comment", "created_at"]
    readonly_fields = fields
    change_list_template = "admin/dossiers/rating/change_list.html"

    def get_queryset(self, request):
        visible = visible_dossiers(Dossier.objects.all(), request.user).values("pk")
        return super().get_queryset(request).filter(dossier__in=visible)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("mã hồ sơ"), ordering="dossier__code")
    def dossier_code(self, obj):
        return obj.dossier.code

    @admin.display(description=_("cơ quan"), ordering="dossier__agency__name")
    def agency(self, obj):
        return obj.dossier.agency

    @admin.display(description=_("thủ tục"))
    def procedure(self, obj):
        return obj.dossier.procedure.name

    @admin.display(description=_("góp ý"))
    def short_comment(self, obj):
        return obj.comment if len(obj.comment) <= 80 else f"{obj.comment[:79]}…"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context=extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if changelist is not None:
            response.context_data["agency_summary"] = summary_per_agency(changelist.queryset)
        return response


def summary_per_agency(ratings):
    """Counts per agency and score, and the share of "satisfied", for the ratings in ``ratings``."""
    rows = (ratings.order_by().values("dossier__agency__name")
            .annotate(total=Count("id"),
                      satisfied=Count("id", filter=Q(score=RatingScore.SATISFIED)),
                      acceptable=Count("id", filter=Q(score=RatingScore.ACCEPTABLE)),
                      not_satisfied=Count("id", filter=Q(score=RatingScore.NOT_SATISFIED)))
            .order_by("dossier__agency__name"))
    return [{
        "agency": row["dossier__agency__name"], "total": row["total"], "satisfied": row["satisfied"],
        "acceptable": row["acceptable"], "not_satisfied": row["not_satisfied"],
        "satisfied_percent": round(100 * row["satisfied"] / row["total"]) if row["total"] else 0,
    } for row in rows]
