"""Interim: the payments issue replaces this with the real payment pages."""

from django.shortcuts import render


def pay(request, token):
    return render(request, "portal/rate_limited.html", {"message": "Thanh toán trực tuyến đang được xây dựng."})
