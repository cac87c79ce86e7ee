"""What a user may see, once: records, and the references between them.

A reader with a model's view permission (editors, reviewers) sees all its records. Anyone
else sees a record only when it is published *and* so are the records it cannot be read
without (its required references, REQUIRED): a party action with its agreement and its
country, a membership with its organisation and its country, a clause with its agreement.
An anonymous reader learns nothing of a hidden record: not its text, id, existence or links.

A published record may refer only to published records. Required references are held to it
when publishing (`hidden_requirements`) and when a published record is set back to draft,
review or retracted (`published_dependants`: refused while published records require it).
Optional references (an agreement's parent and organisation, a signatory, a person's country
and organisation, a claim's claimant and subjects, a clause's obligors and beneficiaries) may
point at a hidden record: every interface shows them as null, blank or left out of the list
(`shown`, `visible`).
"""

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

PUBLISHED = "published"

# model name -> the foreign keys without which a record cannot be read.
REQUIRED: dict[str, tuple[str, ...]] = {
    "party": ("agreement", "country"),
    "membership": ("organisation", "country"),
    "clause": ("agreement",),
}


def can_view_drafts(user, model) -> bool:
    """The model's view permission (editors, reviewers) shows its unpublished records."""
    opts = model._meta
    permission = f"{opts.app_label}.view_{opts.model_name}"
    return user is not None and user.is_authenticated and user.has_perm(permission)


def required(model) -> tuple[str, ...]:
    return REQUIRED.get(model._meta.model_name, ())


def published(queryset: QuerySet) -> QuerySet:
    """What the public sees: published records whose required references are published."""
    lookups = {"status": PUBLISHED} | {f"{ref}__status": PUBLISHED for ref in required(queryset.model)}
    return queryset.filter(**lookups)


def visible(queryset: QuerySet, user) -> QuerySet:
    """The records of `queryset` that `user` may read."""
    return queryset if can_view_drafts(user, queryset.model) else published(queryset)


def of(model, user) -> QuerySet:
    """Every record of `model` that `user` may read."""
    return visible(model._default_manager.all(), user)


def is_published(record: Model) -> bool:
    return record.status == PUBLISHED and all(
        getattr(record, ref).status == PUBLISHED for ref in required(type(record))
    )


def shown(record: Model | None, user) -> Model | None:
    """A reference as `user` is shown it: the record, or None where it is hidden from them."""
    if record is None or can_view_drafts(user, type(record)) or is_published(record):
        return record
    return None


def hidden_requirements(record: Model) -> list[str]:
    """Why `record` may not be published: its required references that are not published."""
    missing = []
    for ref in required(type(record)):
        target = getattr(record, ref, None) if getattr(record, f"{ref}_id") else None
        if target is not None and target.status != PUBLISHED:
            missing.append(ref)
    return missing


def published_dependants(record: Model) -> list[Model]:
    """The published records that require `record` (and would vanish with it)."""
    dependants = []
    for relation in record._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many or relation.field.name not in required(model):
            continue
        dependants += model._default_manager.filter(**{relation.field.name: record, "status": PUBLISHED})
    return dependants


def validate_references(record: Model, stored_status: str | None) -> None:
    """A published record refers only to published records: the check behind clean()."""
    if record.status == PUBLISHED:
        missing = hidden_requirements(record)
        if missing:
            raise ValidationError({
                ref: f"Publish the {getattr(record, ref)._meta.verbose_name} “{getattr(record, ref)}” "
                     f"first: a published {record._meta.verbose_name} needs a published {ref}."
                for ref in missing
            }, code="hidden_reference")
    elif stored_status == PUBLISHED and record.pk and (dependants := published_dependants(record)):
        named = "; ".join(f"{type(d)._meta.verbose_name} “{d}”" for d in dependants[:10])
        more = f" and {len(dependants) - 10} more" if len(dependants) > 10 else ""
        raise ValidationError({
            "status": f"Published records need this {record._meta.verbose_name}: {named}{more}. "
                      "Set them back to review first, or keep it published."
        }, code="published_dependants")
