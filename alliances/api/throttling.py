"""Throttling of anonymous callers, per address, counted in the shared default cache."""

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    """AnonRateThrottle whose rate is read per request (settings.REST_FRAMEWORK
    DEFAULT_THROTTLE_RATES["anon"], from API_ANON_RATE), so a test can override it."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class CountedTokenAuthentication(TokenAuthentication):
    """Token authentication whose refusals count against the anonymous rate: a 401 comes before
    DRF's throttles run, so guessing tokens would otherwise be unlimited. Past the rate, 429."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle = AnonymousRateThrottle()
            # The Django request: its user is the session's (DRF's is what is being decided).
            if not throttle.allow_request(request._request, None):
                raise Throttled(throttle.wait()) from None
            raise
