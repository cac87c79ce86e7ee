"""Form pieces the curated admins share: aliases one per line, and the publishing guard."""

from django import forms
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import ValidationError

from alliances.domain import publishing
from sources.forms import PartialDatesFormMixin


class AliasesField(forms.CharField):
    """A JSON list of names, edited as a textarea with one alias per line.

    Blank lines and surrounding spaces are dropped, and so are repeats (first spelling wins).
    """

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Other names and spellings, one per line.")
        kwargs["required"] = False
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        lines = value if isinstance(value, list | tuple) else (value or "").splitlines()
        aliases: list[str] = []
        for line in lines:
            alias = " ".join(str(line).split())
            if alias and alias not in aliases:
                aliases.append(alias)
        return aliases

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial) != self.to_python(data)


class PublishGuardForm(PartialDatesFormMixin, forms.ModelForm):
    """Any form of a curated record, inlines included: only a user with the model's publish
    permission may change a record's status to published (the admin sets `can_publish` per
    request); anyone else gets an error on the status field. Partial dates are typed as one
    value ("2021-06"), see PartialDatesFormMixin."""

    can_publish = False

    def clean_status(self):
        status = self.cleaned_data["status"]
        # The stored status, not the form's initial one: reverting to an old version starts
        # from that version's status.
        was = type(self.instance)._default_manager.filter(pk=self.instance.pk).values_list(
            "status", flat=True
        ).first()
        if publishing.publishes(was, status) and not self.can_publish:
            raise ValidationError(
                "Only reviewers may publish: save the record as “awaiting review” instead.",
                code="publish_permission",
            )
        return status


class CuratedForm(PublishGuardForm):
    """The admin form of a curated record's own page.

    `citations_inline` (set by the admin per request): the record's citations are edited on the
    same page, so the publishing rule is checked by that inline's formset, which knows the
    citations the save will leave (the model's own check would only see the stored ones).
    `change_reason` is kept in the record's history, as the "why" of the change.
    """

    citations_inline = False

    change_reason = forms.CharField(
        label="Reason for the change", required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Optional; kept in the record's history.",
    )

    class Meta:
        widgets = {"note": AdminTextareaWidget(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.citations_inline:
            self.instance.defer_publishing_check = True

    def save(self, commit=True):
        self.instance._change_reason = self.cleaned_data.get("change_reason") or None
        return super().save(commit)
