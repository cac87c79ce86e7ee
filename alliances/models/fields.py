"""Field helpers shared by the curated models."""

import pycountry
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models


def validate_aliases(value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValidationError("Aliases must be a list of non-empty names.", code="invalid_aliases")
    if any("\x00" in item for item in value):  # as Django's text fields refuse them
        raise ValidationError("Null characters are not allowed in aliases.", code="null_characters")


class UnescapedJSONEncoder(DjangoJSONEncoder):
    """Writes non-ASCII characters as they are (Türkiye, not T\\u00fcrkiye). SQLite keeps the
    JSON text as encoded, so text lookups (aliases__icontains) find only what is stored plainly;
    PostgreSQL's jsonb decodes either way."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


def aliases_field() -> models.JSONField:
    return models.JSONField(
        default=list, blank=True, validators=[validate_aliases], encoder=UnescapedJSONEncoder,
        help_text="Other names and spellings of the record (list of strings).",
    )


validate_qid = RegexValidator(r"^Q[1-9]\d*$", "A Wikidata item id looks like Q265.")


def wikidata_field() -> models.CharField:
    return models.CharField(
        "Wikidata id", max_length=20, blank=True, validators=[validate_qid],
        help_text="Wikidata item id (Q...), for linking the record to Wikidata.",
    )


def validate_iso2(code: str) -> None:
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValidationError(
            "%(code)s is not an ISO 3166-1 alpha-2 country code.", code="invalid_iso2",
            params={"code": code},
        )


def validate_iso3(code: str) -> None:
    if pycountry.countries.get(alpha_3=code) is None:
        raise ValidationError(
            "%(code)s is not an ISO 3166-1 alpha-3 country code.", code="invalid_iso3",
            params={"code": code},
        )
