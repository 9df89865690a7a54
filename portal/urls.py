import os

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ngon-ngu/", views.choose_language, name="choose_language"),
    path("captcha/", include("portal.captcha_urls")),
    path("thu-tuc/", include("procedures.urls")),
    path("", include("filing.urls")),
    path("", include("tracking.urls")),
    path("", include("accounts.urls")),
    # Browsers ask for /favicon.ico on every page that names none (the admin's, files).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.ico"), permanent=True)),
    path("thong-bao/", include("notifications.urls")),
    path("thanh-toan/", include("payments.urls")),
    path("thong-ke/", include("reporting.urls")),
    path("quan-tri/", admin.site.urls),
]

# Malformed input (a SuspiciousOperation, a bad request line) gets the friendly 400 page.
handler400 = "portal.security.bad_request"

admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME
admin.site.index_title = "Bộ phận một cửa"

# Benchmarks only (bench/run.py starts the server with PORTAL_BENCH=1): a bare view to compare pages
# with (and tracking/urls.py's lookup POST without its page).
if os.environ.get("PORTAL_BENCH") == "1":
    urlpatterns.append(path("bench/bare/", views.bench_bare, name="bench_bare"))
