from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("<str:token>/", views.pay, name="pay"),
]
