from django.urls import path

from . import filing_views, public_views

app_name = "dossiers"
urlpatterns = [
    # Filing (the online wizard)
    path("nop-ho-so/<str:code>/", filing_views.file_start, name="file_start"),
    path("nop-ho-so/<str:code>/co-quan/", filing_views.file_agency, name="file_agency"),
    path("nop-ho-so/<str:code>/to-khai/", filing_views.file_declaration, name="file_declaration"),
    path("nop-ho-so/<str:code>/giay-to/", filing_views.file_documents, name="file_documents"),
    path("nop-ho-so/<str:code>/xem-lai/", filing_views.file_review, name="file_review"),
    path("nop-ho-so/<str:code>/xac-nhan/", filing_views.file_confirm, name="file_confirm"),
    path("nop-ho-so/<str:code>/da-nop/<str:dossier_code>/", filing_views.file_success, name="file_success"),
    path("nop-ho-so/<str:code>/da-nop/<str:dossier_code>/bien-nhan/", filing_views.file_receipt,
         name="file_receipt"),
    # Lookup, supplements, results and ratings (dossiers/public_views.py)
    path("tim-kiem/", public_views.lookup, name="lookup"),
    path("bo-sung/<str:token>/", public_views.supplement, name="supplement"),
    path("ket-qua/<str:token>/", public_views.result_download, name="result_download"),
    path("danh-gia/<str:token>/", public_views.rating, name="rating"),
]
