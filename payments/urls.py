from django.urls import path

from . import sandbox, views

app_name = "payments"
urlpatterns = [
    # The gateway's calls: server to server (IPN), and the citizen's way back (return).
    path("vnpay/ipn/", views.vnpay_ipn, name="vnpay_ipn"),
    path("vnpay/ket-qua/", views.vnpay_return, name="vnpay_return"),
    # The in-project sandbox gateway (404 unless PAYMENT_SANDBOX_ENABLED).
    path("sandbox/", sandbox.gateway_page, name="sandbox"),
    # The citizen's secret link (dossiers.links.payment_url) and the receipt.
    path("<str:token>/bien-lai/", views.receipt, name="receipt"),
    path("<str:token>/", views.pay, name="pay"),
]
