import os

from django.urls import path

from . import views

app_name = "tracking"
urlpatterns = [
    path("tim-kiem/", views.lookup, name="lookup"),
    path("tim-kiem/<str:token>/", views.status_link, name="status_link"),
    path("bo-sung/<str:token>/", views.supplement, name="supplement"),
    path("ket-qua/<str:token>/", views.result_download, name="result_download"),
    path("danh-gia/<str:token>/", views.rating, name="rating"),
]

# Benchmarks only (bench/run.py starts the server with PORTAL_BENCH=1): the lookup POST without its page.
if os.environ.get("PORTAL_BENCH") == "1":
    urlpatterns.append(path("bench/lookup-floor/", views.bench_lookup_floor, name="bench_lookup_floor"))
