"""Throttling of anonymous callers, per address, counted in the shared default cache."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    """AnonRateThrottle whose rate is read per request (settings.REST_FRAMEWORK
    DEFAULT_THROTTLE_RATES["anon"], from API_ANON_RATE), so a test can override it."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
