"""A Redis cache that a stopped Redis server does not take down with it.

Django's RedisCache raises when its server does not answer, so every page that reads the shared
cache would fail while Redis is away. Everything kept in the cache can be computed again (it is
keyed by the search index's version in the database), so an unreachable server is a miss: a read
finds nothing, a write is dropped, the page is computed and answered, a warning is logged, and
`/sante/` says the cache is degraded.
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ForgivingRedisCache(RedisCache):
    """Django's Redis cache, where a server error is a miss rather than a failed request."""

    def _forgive(self, operation: str, default, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except RedisError as error:
            logger.warning("Cache %s skipped: Redis did not answer (%s)", operation, type(error).__name__)
            return default

    def get(self, key, default=None, version=None):
        return self._forgive("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._forgive("get_many", {}, super().get_many, keys, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forgive("set", None, super().set, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive("add", False, super().add, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive("set_many", list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._forgive("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._forgive("delete_many", None, super().delete_many, keys, version)

    def has_key(self, key, version=None):
        return self._forgive("has_key", False, super().has_key, key, version)
