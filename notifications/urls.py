from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("twilio/<int:notification_id>/trang-thai/", views.twilio_status, name="twilio_status"),
]
