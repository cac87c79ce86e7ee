"""The API's JSON parser: DRF's, reading through sources.json_input (depth limit, no lone
surrogates), so a hostile body is a 400, never a RecursionError or an encoding error."""

import codecs

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from sources.json_input import InvalidJSON, load_json


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return load_json(codecs.getreader(encoding)(stream).read())
        except (InvalidJSON, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
