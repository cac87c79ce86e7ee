"""Provenance: source documents and the citations that anchor records to passages of them.

This app depends on nothing else in the project: a Citation points at any record through a
generic relation, so the domain app can cite and the provenance layer never imports it.
"""

import hashlib

import pycountry
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models, transaction
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from . import anchoring
from .partial_dates import clean_partial, partial_date_constraint, partial_date_fields
from .search import SearchDocument


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_text(text: str) -> str:
    """`text` as a Source stores it: every line ending (CRLF, a lone CR) a line feed.

    Browsers submit textareas with CRLF and an HTML page holds none (its parser reads both as
    LF): offsets counted in the Source page equal the stored text's only when it has none either.
    Every way in (admin, API, ingest, the model itself) calls this before the SHA-256 is taken.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


NOT_CITED_FIELDS = {"id", "status", "note", "created_at", "updated_at"}


def citable_fields(model) -> list[tuple[str, str]]:
    """(name, label) of the fields a citation may name as the one it supports: the record's
    own editable fields and many-to-many lists, not its bookkeeping, nor reverse relations
    such as its citations (the admin's cite panel offers these; Citation.clean() enforces them)."""
    return [
        (field.name, str(field.verbose_name))
        for field in model._meta.get_fields()
        if isinstance(field, models.Field) and (field.concrete or field.many_to_many)
        and not field.auto_created and field.editable and field.name not in NOT_CITED_FIELDS
        and not field.name.endswith("_precision")
    ]


def validate_language(code: str) -> None:
    if code and pycountry.languages.get(alpha_2=code) is None:
        raise ValidationError(
            "%(code)s is not an ISO 639-1 language code.", code="invalid_language",
            params={"code": code},
        )


class Source(SearchDocument, models.Model):
    search_fields = ("title", "publisher", "author", "text")

    class Kind(models.TextChoices):
        NEWS = "news", "news"
        OFFICIAL = "official", "official statement"
        TREATY_TEXT = "treaty_text", "treaty text"
        ANALYSIS = "analysis", "analysis"

    title = models.CharField(max_length=500, help_text="Title of the document as it shows it.")
    publisher = models.CharField(
        max_length=200, blank=True,
        help_text="Who published it (news outlet, ministry), only as far as the document shows.",
    )
    author = models.CharField(max_length=200, blank=True, help_text="Author, if the document names one.")
    url = models.URLField(max_length=1000, blank=True, help_text="Where the document was published.")
    published_on, published_on_precision = partial_date_fields(
        "published on", "Publication date of the document, at the precision it is known."
    )
    retrieved_on = models.DateField(
        null=True, blank=True, help_text="When the stored text snapshot was taken."
    )
    language = models.CharField(
        max_length=2, blank=True, validators=[validate_language],
        help_text="ISO 639-1 code of the document's language, e.g. en.",
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.NEWS,
        help_text="news, official statement, treaty text or analysis.",
    )
    text = models.TextField(
        blank=True,
        # A NUL is dropped by the HTML parser (and refused by PostgreSQL): the page's text
        # would no longer be the stored one.
        validators=[ProhibitNullCharactersValidator()],
        help_text="The stored snapshot of the document's text, line endings LF; citations index into it.",
    )
    sha256 = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text="SHA-256 of the stored text (UTF-8), hex; empty when no text is stored.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the record last changed.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"], condition=~Q(sha256=""), name="source_unique_text",
                violation_error_message="A source with the same text is already stored.",
            ),
            partial_date_constraint("source", "published_on"),
            models.CheckConstraint(
                condition=~Q(text__contains="\r"), name="source_text_line_feeds",
                violation_error_message="A source's text is stored with LF line endings only.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        previous = Source.objects.filter(pk=self.pk).values_list("sha256", flat=True).first()
        self.text = stored_text(self.text)
        self.sha256 = text_sha256(self.text) if self.text else ""
        with transaction.atomic():
            super().save(*args, **kwargs)
            if self.pk and previous is not None and previous != self.sha256:
                self.reanchor_citations()

    def clean(self) -> None:
        clean_partial(self, "published_on")
        self.text = stored_text(self.text)
        self.sha256 = text_sha256(self.text) if self.text else ""
        if self.sha256:
            duplicate = Source.objects.filter(sha256=self.sha256).exclude(pk=self.pk).first()
            if duplicate:
                raise ValidationError(
                    {"text": f'This text is already stored as source #{duplicate.pk} "{duplicate}".'},
                    code="duplicate_text",
                )

    def reanchor_citations(self) -> int:
        """Anchor every citation again after the text changed; returns how many broke."""
        broken = 0
        for citation in self.citations.all():
            citation.source = self
            citation.anchor()
            broken += citation.match == Citation.Match.BROKEN
            citation.save()
        return broken


class CitationQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(match__in=Citation.VERIFIED_MATCHES)

    def for_record(self, record: models.Model):
        return self.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )


class Citation(SearchDocument, models.Model):
    search_fields = ("quote",)

    class Match(models.TextChoices):
        EXACT = "exact", "exact"
        NORMALIZED = "normalized", "normalized"
        UNVERIFIED = "unverified", "unverified (source has no stored text)"
        BROKEN = "broken", "broken (no longer found in the source)"

    VERIFIED_MATCHES = (Match.EXACT, Match.NORMALIZED)
    CONTEXT_LENGTH = 32

    # PROTECT: a source that something cites cannot disappear from under the citation.
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="citations",
        help_text="The source document the quote comes from.",
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, help_text="Type of the cited record."
    )
    object_id = models.PositiveBigIntegerField(help_text="Id of the cited record.")
    record = GenericForeignKey("content_type", "object_id")
    field = models.CharField(
        max_length=100, blank=True,
        help_text="The field of the record this passage supports (e.g. signed_on); empty: the whole record.",
    )
    quote = models.TextField(
        blank=True,
        help_text="The cited passage, exactly as in the source's stored text (W3C TextQuoteSelector exact).",
    )
    text_fragment = models.CharField(
        max_length=1000, blank=True,
        help_text='Text-fragment selector the passage was given as ("first words,last words"), if any.',
    )
    start = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Offset of the passage's first character in the source text (code points).",
    )
    end = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Offset just past the passage's last character (code points, exclusive).",
    )
    prefix = models.CharField(
        max_length=CONTEXT_LENGTH, blank=True, help_text="Up to 32 characters of text before the passage.",
    )
    suffix = models.CharField(
        max_length=CONTEXT_LENGTH, blank=True, help_text="Up to 32 characters of text after the passage.",
    )
    match = models.CharField(
        max_length=10, choices=Match.choices, default=Match.UNVERIFIED,
        help_text="How the quote matched: exact, normalized (whitespace/quotes/dashes), "
        "unverified (source has no text) or broken.",
    )
    anchored_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the source text the anchor was computed against.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the record last changed.")

    history = HistoricalRecords()
    objects = CitationQuerySet.as_manager()

    # Words right before or right after the occurrence of a repeated quote that is meant, given
    # once by an editor (the admin's "occurrence context") to anchor it; never stored: the stored
    # prefix/suffix are what the anchoring computed.
    occurrence_context = ""

    class Meta:
        ordering = ["id"]
        indexes = [
            # Embedding a record's citations: WHERE content_type_id = ? AND object_id IN (...)
            models.Index(fields=["content_type", "object_id"], name="citation_record_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__gt=F("start")),
                name="citation_span_ordered",
            ),
            models.CheckConstraint(
                condition=Q(match__in=["exact", "normalized", "unverified", "broken"]),
                name="citation_match_vocabulary",
            ),
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else self.quote[:59] + "…"
        return f"“{quote}” ({self.source})" if self.source_id else f"“{quote}”"

    @property
    def verified(self) -> bool:
        return self.match in self.VERIFIED_MATCHES

    def holds_in(self, text: str) -> bool:
        """Whether the citation is anchored and its offsets still select its quote in `text`
        (verify_citations: a text may have changed behind the model's back)."""
        anchored = self.match != self.Match.BROKEN and self.start is not None
        return anchored and text[self.start:self.end] == self.quote

    def clean(self) -> None:
        if not self.quote.strip() and not self.text_fragment.strip():
            raise ValidationError({"quote": "Give the quoted passage, or a text fragment."})
        self._clean_field_name()
        if self.source_id is not None and self._to_anchor():
            self.anchor(strict=True)
            self.occurrence_context = ""  # used once: it chose the occurrence now anchored

    def _to_anchor(self) -> bool:
        """Whether clean() anchors the citation: a new one, or a stored one whose passage (quote,
        in its normal form, or text fragment) or source changed, or whose occurrence is chosen
        anew (an occurrence context, or a prefix/suffix other than the stored one).

        A stored citation saved as it is keeps its anchor and its stored spelling of the quote: a
        form that does not send the context back exactly (a one-line input drops line breaks)
        can neither move nor refuse it, and one broken by a change of its source's text does not
        block unrelated edits. The stored context was computed for the stored occurrence, so it
        does not choose among the occurrences of a changed passage, nor beside a new prefix or suffix.
        """
        stored = Citation.objects.filter(pk=self.pk).values(
            "source_id", "quote", "text_fragment", "prefix", "suffix"
        ).first() if self.pk is not None else None
        if stored is None:
            return True
        stale_prefix = anchoring.same_context(self.prefix, stored["prefix"])
        stale_suffix = anchoring.same_context(self.suffix, stored["suffix"])
        same_passage = (
            self.source_id == stored["source_id"] and self.text_fragment == stored["text_fragment"]
            and anchoring.normalize(self.quote) == anchoring.normalize(stored["quote"])
        )
        if same_passage and stale_prefix and stale_suffix and not self.occurrence_context.strip():
            self.quote, self.prefix, self.suffix = stored["quote"], stored["prefix"], stored["suffix"]
            return False
        self.prefix = "" if stale_prefix else self.prefix
        self.suffix = "" if stale_suffix else self.suffix
        return True

    def _clean_field_name(self) -> None:
        if not self.field or self.content_type_id is None:
            return
        model = self.content_type.model_class()
        names = [name for name, _label in citable_fields(model)]
        if self.field not in names:
            raise ValidationError({"field": (
                f"{model._meta.verbose_name} has no citable field {self.field!r} (one of its own "
                "fields, or empty for the whole record)."
            )})

    def anchor(self, strict: bool = False) -> None:
        """Compute the selectors from the quote (or text fragment) and the source's text.

        strict: refuse a passage that does not anchor (editing) instead of marking the
        citation broken (re-anchoring after the source changed, where nothing may be lost).
        """
        source = self.source
        if not source.text:
            self.start = self.end = None
            self.match = self.Match.UNVERIFIED
            self.anchored_sha256 = ""
            return
        try:
            found = self._locate(source.text) if strict or self.start is None else self._relocate(source.text)
        except anchoring.AnchorError as exc:
            if strict:
                target = "text_fragment" if self.text_fragment.strip() else "quote"
                raise ValidationError(
                    {target: f'{exc} in source #{source.pk} "{source}".'}, code="anchor"
                ) from exc
            self.start = self.end = None
            self.match = self.Match.BROKEN
            return
        self.quote = found.exact
        self.start, self.end = found.start, found.end
        self.prefix, self.suffix = found.prefix, found.suffix
        self.match = found.match
        self.anchored_sha256 = source.sha256

    def _locate(self, text: str) -> anchoring.Anchor:
        beside = self.occurrence_context
        if self.text_fragment.strip():
            return anchoring.anchor_fragment(text, self.text_fragment, beside=beside)
        return anchoring.anchor_quote(
            text, self.quote, prefix=self.prefix, suffix=self.suffix, beside=beside, at=self.start
        )

    def _relocate(self, text: str) -> anchoring.Anchor:
        """After the source changed, the old context picks among repeated matches."""
        previous = anchoring.Anchor(
            self.start, self.end, self.quote, self.prefix, self.suffix, self.match
        )
        return anchoring.reanchor(previous, text, self.quote)
