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
    config = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location,
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


@pytest.fixture
def portal_cache(redis_url):
    """The production backend (portal.cache: Redis with the local fallback), under a prefix of its own."""
    location = settings.CACHE_URL if settings.CACHE_URL.startswith("redis://") else redis_url
    prefix = f"test-lookup-{uuid.uuid4().hex}"
    config = {"default": {"BACKEND": "portal.cache.RedisCacheWithLocalFallback", "LOCATION": location,
                          "KEY_PREFIX": prefix}}
    with override_settings(CACHES=config):
        yield caches["default"], location, prefix
    import redis

    client = redis.Redis.from_url(location)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.mark.integration
@pytest.mark.django_db
def test_the_production_cache_counts_a_lookup_in_one_round_trip_with_an_expiry(client, portal_cache):
    cache, location, prefix = portal_cache
    import redis

    filed_dossier(code=CODE)
    address = "198.51.100.31"
    sent = []
    original = redis.client.Pipeline.execute

    def counting_execute(pipeline, *args, **kwargs):
        sent.append([command[0][0] for command in pipeline.command_stack])
        return original(pipeline, *args, **kwargs)

    with override_settings(LOOKUP_RATE="3/m"):
        redis.client.Pipeline.execute = counting_execute
        try:
            for _ in range(3):
                assert lookup_post(client, CODE, REMOTE_ADDR=address).status_code == 200
        finally:
            redis.client.Pipeline.execute = original
        assert sent == [["SET", "INCRBY"]] * 3  # one round trip a lookup
        server = redis.Redis.from_url(location)
        keys = list(server.scan_iter(f"{prefix}:*lookup-rate:{address}:*"))
        assert len(keys) == 1 and int(server.get(keys[0])) == 3
        assert 0 < server.ttl(keys[0]) <= 61  # the window's counter goes away by itself
        assert lookup_post(client, CODE, REMOTE_ADDR=address).status_code == 429
        assert lookup_post(client, CODE, REMOTE_ADDR="198.51.100.32").status_code == 200


@pytest.mark.django_db
def test_lookups_are_still_counted_while_redis_is_down(client):
    filed_dossier(code=CODE)
    # Nothing listens there: the backend answers from this process's memory.
    config = {"default": {"BACKEND": "portal.cache.RedisCacheWithLocalFallback",
                          "LOCATION": "redis://127.0.0.1:9/0", "KEY_PREFIX": f"down-{uuid.uuid4().hex}"}}
    with override_settings(CACHES=config, LOOKUP_RATE="2/m"):
        assert caches["default"].count("probe", 60) == 1 and caches["default"].answers_locally()
        for _ in range(2):
            assert lookup_post(client, CODE, REMOTE_ADDR="198.51.100.41").status_code == 200
        assert lookup_post(client, CODE, REMOTE_ADDR="198.51.100.41").status_code == 429
