"""/api/v1/network.svg?as_of=YYYY-MM-DD: the picture of the published alliance network on a day
(alliances/network.py draws it). Its links lead to the API's country and agreement resources."""

import datetime
import re

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from alliances.network import Links, network_on, render_svg

from .fields import DetailURLs

ACCEPTED = ("as_of",)


def api_links(request) -> Links:
    urls = DetailURLs(request)  # a route reversed once, not once per node and edge
    return Links(
        country=lambda node: urls("api:country-detail", node.pk),
        agreement=lambda pk: urls("api:agreement-detail", pk),
    )


@require_safe
def network_svg(request):
    """Published records only, whoever asks: the public picture. 400 (JSON) for a bad date or
    an unknown parameter, as everywhere in the API."""
    unknown = sorted(set(request.GET) - set(ACCEPTED))
    if unknown:
        message = f"Unknown query parameter. Accepted: {', '.join(ACCEPTED)}."
        return JsonResponse({name: [message] for name in unknown}, status=400)
    as_of = request.GET.get("as_of", timezone.localdate().isoformat())
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of):
            raise ValueError(as_of)
        day = datetime.date.fromisoformat(as_of)
    except ValueError:
        return JsonResponse({"as_of": ["Enter a valid date as YYYY-MM-DD."]}, status=400)
    svg = render_svg(network_on(day, published_only=True), api_links(request))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
