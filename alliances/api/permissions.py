"""Who may do what.

Reads are open: anonymous callers, and signed-in users without the model's view permission,
see published records, every source and provision type, and the citations of published records
only (records embedded in another, such as an agreement's parties, follow the same rule, and a
party or clause is public only with its agreement and country: alliances.domain.visibility). The
view permission (editors, reviewers) shows drafts too. Writes need an authenticated user with
the model permission (add, change, delete). Turning a record published (on create or update)
needs `publish_<model>` (reviewers), as in the admin; it is checked in CuratedViewSet because it
depends on the submitted data.
"""

from rest_framework import permissions


def codename(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class ModelPermissionsOrReadOnly(permissions.DjangoModelPermissions):
    """Safe methods for everyone (visibility is the queryset's business); writes need the
    authenticated user's model permission."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().has_permission(request, view)
