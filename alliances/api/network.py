"""/api/v1/network.svg?as_of=YYYY-MM-DD: the picture of the published alliance network on a day
(alliances/network.py draws it). Its links lead to the API's country and agreement resources."""

import datetime
import re

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from alliances.network import Links, network_on, render_svg

from .fields import DetailURLs

ACCEPTED = ("as_of",)


def api_links(request) -> Links:
    urls = DetailURLs(request)  # a route reversed once, not once per node and edge
    return Links(
        country=lambda node: urls("api:country-detail", node.pk),
        agreement=lambda pk: urls("api:agreement-detail", pk),
    )


class ErrorsInJSON(BaseContentNegotiation):
    """The picture is SVG whatever the Accept header; DRF's own answers (401, 405, 429) JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class NetworkSVG(APIView):
    """Published records only, whoever asks: the public picture. A DRF view, so that it is
    throttled and authenticated like the rest of the API. 400 (JSON) for a bad date or an
    unknown parameter, as everywhere in the API."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = ErrorsInJSON
    schema = None  # an image, not a JSON resource of the OpenAPI schema

    def get(self, request):
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


network_svg = NetworkSVG.as_view()
