"""Public dossier pages. Interim: the filing and lookup issues replace these."""

from django.shortcuts import render


def file_start(request, code):
    return render(request, "portal/rate_limited.html", {"message": "Chức năng nộp hồ sơ trực tuyến đang được xây dựng."})


def lookup(request):
    return render(request, "portal/rate_limited.html", {"message": "Chức năng tra cứu đang được xây dựng."})
