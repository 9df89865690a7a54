"""The shared cache (``CACHE_URL``): Django's Redis cache that falls back to this process's memory.

The cache holds what the portal can live without for a while: rate-limit counters, cached
pages. With Redis stopped or hanging (one Redis is also the broker in ``docker-compose.yml``),
Django's ``RedisCache`` raises on every call, and a citizen's filing or lookup would end in a
500 because a rate limit could not be counted. This backend answers from a per-process
``LocMemCache`` instead, logs one warning per outage, and tries Redis again every
``retry_seconds`` (an OPTIONS key, default 5): so rate limits are counted per process while
Redis is away, and nothing waits on a dead server more than once per interval.
"""

import logging
import threading
import time

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client with one ``redis.Redis`` object per connection pool, not one per call.

    Django builds a new ``redis.Redis`` for every cache operation; in redis-py 5 and later its
    constructor fills a table of a few hundred response callbacks, which cost a cached page
    (two cache reads) about a third of a millisecond. A ``Redis`` object holds no connection of
    its own (it takes one from the pool for each command), so one per pool is safe across threads.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCacheWithLocalFallback(RedisCache):
    """``django.core.cache.backends.redis.RedisCache``, answered from local memory while Redis is unreachable."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self._retry_seconds = float(options.pop("retry_seconds", 5))
        # Fail fast: a hanging Redis costs a request about a second, once per interval; a
        # busy but working one (a loaded machine) must not be taken for a dead one.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        options.setdefault("retry", redis.retry.Retry(redis.backoff.NoBackoff(), 0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._local = LocMemCache(f"fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300),
                                                           "OPTIONS": {"MAX_ENTRIES": 10000}})
        self._down_until = 0.0
        self._lock = threading.Lock()

    def answers_locally(self):
        """True while Redis is unreachable and this process's memory answers in its place."""
        return time.monotonic() < self._down_until

    def _call(self, name, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return getattr(self._local, name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except REDIS_ERRORS as error:
            with self._lock:
                first = self._down_until == 0.0
                self._down_until = time.monotonic() + self._retry_seconds
            if first:
                logger.warning("cache: Redis unreachable (%s); using this process's memory until it is back",
                               error)
            return getattr(self._local, name)(*args, **kwargs)
        if self._down_until:
            with self._lock:
                self._down_until = 0.0
            logger.warning("cache: Redis is back")
        return result

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
