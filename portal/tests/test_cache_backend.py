"""The Redis cache backend (portal.cache): one Redis client per pool, serving every call."""

import os
import uuid

import pytest

from portal.cache import RedisCache

pytestmark = pytest.mark.redis


def test_every_call_shares_one_client_and_the_cache_works():
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"cache-test-{uuid.uuid4().hex}"})
    client = cache._cache.get_client("a")

    cache.set("a", {"n": 1}, 30)
    assert cache.add("b", 2, 30) and not cache.add("b", 3, 30)
    assert cache.get_many(["a", "b", "c"]) == {"a": {"n": 1}, "b": 2}
    assert cache.incr("b") == 3
    cache.delete_many(["a", "b"])

    assert cache.get("a") is None
    assert cache._cache.get_client("a", write=True) is client
    assert cache._cache.get_client(None) is client


def test_the_configured_cache_is_this_backend(settings):
    from django.core.cache import caches

    assert settings.CACHES["default"]["BACKEND"] == "portal.cache.RedisCache"
    assert isinstance(caches["default"], RedisCache)
