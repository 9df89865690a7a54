"""The lookup's rate limit against the real shared cache (Redis), as in production."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from tests.tracking.helpers import filed_dossier, lookup_post, page_text

CODE = "000.00.12.H26-250704-0077"


@pytest.fixture
def redis_cache(redis_url):
    """Django's Redis cache on the CI cache (CACHE_URL) or the broker's Redis, under a prefix of its own.

    Only this test's keys are removed afterwards; the Redis others use is never flushed.
    """
    location = settings.CACHE_URL if settings.CACHE_URL.startswith("redis://") else redis_url
    prefix = f"test-lookup-{uuid.uuid4().hex}"
    config = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location,
                          "KEY_PREFIX": prefix}}
    with override_settings(CACHES=config):
        yield caches["default"], location, prefix
    import redis

    client = redis.Redis.from_url(location)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.mark.integration
@pytest.mark.django_db
def test_rate_limit_is_counted_in_redis_and_shared(client, redis_cache):
    cache, location, prefix = redis_cache
    import redis

    filed_dossier(code=CODE)
    address = "198.51.100.23"
    with override_settings(LOOKUP_RATE="4/m"):
        for _ in range(4):
            assert lookup_post(client, CODE, REMOTE_ADDR=address).status_code == 200
        # The counter lives in Redis, where every worker and server sees it.
        keys = list(redis.Redis.from_url(location).scan_iter(f"{prefix}:*"))
        assert keys, "the rate-limit counter was not written to Redis"
        assert any(int(redis.Redis.from_url(location).get(key) or 0) == 4 for key in keys)

        blocked = lookup_post(client, CODE, REMOTE_ADDR=address)
        assert blocked.status_code == 429
        text = page_text(blocked)
        assert "Bạn đã thao tác quá nhiều lần trong thời gian ngắn" in text
        assert "Kết quả tra cứu" not in text

        # A second client (another worker process would share the same Redis) is blocked as well …
        from django.test import Client

        assert lookup_post(Client(), CODE, REMOTE_ADDR=address).status_code == 429
        # … while another address is not.
        assert lookup_post(client, CODE, REMOTE_ADDR="198.51.100.24").status_code == 200
