"""The satisfaction rating: once per dossier, after the result is returned; the back office's summary."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from dossiers import links
from dossiers.models import Rating, RatingScore
from tests.factories import UserFactory
from tests.tracking.helpers import PHONE_LAST4, clerk_of, filed_dossier, lookup_post, page_text, returned
from tracking.ratings import AlreadyRated, RatingNotAllowed, rate_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def done():
    dossier = filed_dossier()
    return returned(dossier, clerk_of(dossier.agency))


def rating_path(dossier):
    return links.rating_url(dossier).removeprefix(links.absolute(""))


def test_rating_once_through_the_link(client, done):
    path = rating_path(done)
    form = client.get(path)
    assert form.status_code == 200
    text = page_text(form)
    assert done.code in text
    for label in ("Hài lòng", "Chấp nhận được", "Không hài lòng"):
        assert label in text

    response = client.post(path, {"score": RatingScore.ACCEPTABLE, "comment": "  Cán bộ hướng dẫn tận tình. "})
    assert response.status_code == 200
    assert "Đã ghi nhận đánh giá “Chấp nhận được”" in page_text(response)
    rating = Rating.objects.get(dossier=done)
    assert (rating.score, rating.comment) == (RatingScore.ACCEPTABLE, "Cán bộ hướng dẫn tận tình.")

    # Once only: the link now says so, and a second post changes nothing.
    again = client.get(path)
    assert again.status_code == 410
    assert "Mỗi hồ sơ chỉ được đánh giá một lần" in page_text(again)
    client.post(path, {"score": RatingScore.NOT_SATISFIED})
    assert Rating.objects.filter(dossier=done).count() == 1
    assert Rating.objects.get(dossier=done).score == RatingScore.ACCEPTABLE


def test_the_service_rates_once(done):
    rate_dossier(done, score=RatingScore.SATISFIED)
    with pytest.raises(AlreadyRated):
        rate_dossier(done, score=RatingScore.NOT_SATISFIED)
    assert list(Rating.objects.values_list("score", flat=True)) == [RatingScore.SATISFIED]


def test_no_rating_before_the_result_is_returned(client):
    dossier = filed_dossier()
    with pytest.raises(RatingNotAllowed):
        rate_dossier(dossier, score=RatingScore.SATISFIED)
    response = client.post(rating_path(dossier), {"score": RatingScore.SATISFIED})
    assert response.status_code == 409
    assert "chưa thể đánh giá" in page_text(response)
    assert not Rating.objects.exists()


def test_a_score_must_be_chosen(client, done):
    response = client.post(rating_path(done), {"comment": "Không chọn mức"})
    assert "Vui lòng chọn mức độ hài lòng." in page_text(response)
    assert not Rating.objects.exists()


def test_a_wrong_rating_link_shows_nothing(client, done):
    token = links.make_token(links.RATING, done.pk)
    for bad in (token[:-3] + "abc", links.make_token(links.RESULT, done.pk), links.make_token(links.RATING, 987654)):
        response = client.get(f"/danh-gia/{bad}/")
        assert response.status_code == 404
        assert done.code not in page_text(response)


def test_lookup_offers_the_rating_after_the_captcha_and_the_second_factor(client, done):
    assert rating_path(done).split("/")[2] not in page_text(client.get(done.get_lookup_url()))
    # The code and the captcha alone are not enough: anyone may have the code.
    assert 'href="/danh-gia/' not in page_text(lookup_post(client, done.code))
    assert 'href="/danh-gia/' not in page_text(lookup_post(client, done.code, phone_last4="0000"))
    text = page_text(lookup_post(client, done.code, phone_last4=PHONE_LAST4))
    assert "Đánh giá mức độ hài lòng" in text
    link = text.split('href="/danh-gia/', 1)[1].split('"', 1)[0]
    response = client.post(f"/danh-gia/{link}", {"score": RatingScore.SATISFIED})
    assert response.status_code == 200
    assert Rating.objects.get(dossier=done).score == RatingScore.SATISFIED
    text = page_text(lookup_post(client, done.code, phone_last4=PHONE_LAST4))
    assert "Hồ sơ đã được đánh giá" in text
    assert 'href="/danh-gia/' not in text


def test_admin_shows_ratings_per_agency_scoped_to_the_clerk(client, done):
    other = filed_dossier()
    other = returned(other, clerk_of(other.agency))
    rate_dossier(done, score=RatingScore.SATISFIED, comment="Nhanh gọn")
    rate_dossier(other, score=RatingScore.NOT_SATISFIED, comment="Phải đi lại nhiều lần")

    admin = UserFactory(username="quantri", is_superuser=True)
    client.force_login(admin)
    text = page_text(client.get("/quan-tri/dossiers/rating/"))
    assert 'id="rating-summary"' in text
    assert done.agency.name in text and other.agency.name in text
    assert done.code in text and other.code in text

    clerk = UserFactory(username="canbo.xem.danhgia")
    clerk.user_permissions.add(Permission.objects.get(codename="view_rating"))
    done.agency.staff.add(clerk)
    client.force_login(clerk)
    response = client.get("/quan-tri/dossiers/rating/")
    assert response.status_code == 200
    text = page_text(response)
    assert done.code in text and "Nhanh gọn" in text
    assert other.code not in text and other.agency.name not in text and "Phải đi lại" not in text
    summary = response.context_data["agency_summary"]
    assert summary == [{"agency": done.agency.name, "total": 1, "satisfied": 1, "acceptable": 0,
                        "not_satisfied": 0, "satisfied_percent": 100}]
    other_rating = Rating.objects.get(dossier=other)
    assert client.get(f"/quan-tri/dossiers/rating/{other_rating.pk}/change/").status_code in (302, 404)
