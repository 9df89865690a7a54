from django.urls import path

from . import views

app_name = "filing"
urlpatterns = [
    path("nop-ho-so/<str:code>/", views.file_start, name="start"),
    path("nop-ho-so/<str:code>/co-quan/", views.file_agency, name="agency"),
    path("nop-ho-so/<str:code>/to-khai/", views.file_declaration, name="declaration"),
    path("nop-ho-so/<str:code>/giay-to/", views.file_documents, name="documents"),
    path("nop-ho-so/<str:code>/xem-lai/", views.file_review, name="review"),
    path("nop-ho-so/<str:code>/xac-nhan/", views.file_confirm, name="confirm"),
    path("nop-ho-so/<str:code>/da-nop/<str:dossier_code>/", views.file_success, name="success"),
    path("nop-ho-so/<str:code>/da-nop/<str:dossier_code>/bien-nhan/", views.file_receipt, name="receipt"),
    path("nop-ho-so/<str:code>/da-nop/<str:dossier_code>/bien-nhan/pdf/", views.file_receipt_pdf, name="receipt_pdf"),
    path("bien-nhan/<str:token>/", views.file_receipt_link, name="receipt_link"),
    path("bien-nhan/<str:token>/pdf/", views.file_receipt_link_pdf, name="receipt_link_pdf"),
    path("nop-ho-so/<str:code>/da-luu/", views.file_saved, name="saved"),
    path("tiep-tuc-khai/<str:token>/", views.file_resume, name="resume"),
]
