"""“Export selected as CSV”: one action on the changelist of every model the dataset exports,
with the columns of its file (alliances.exports.tables.TABLES, as the API's ?format=csv),
streamed. The sources app's admin gets it from here too: alliances depends on sources, never
the other way round."""

from django.contrib import admin

from alliances.exports.tables import TABLE_OF_MODEL, TABLES, table_csv_response


@admin.action(description="Export selected %(verbose_name_plural)s as CSV", permissions=["view"])
def export_selected_csv(modeladmin, request, queryset):
    name = TABLE_OF_MODEL[modeladmin.model._meta.label_lower]
    # The changelist's queryset may annotate and order for display: the file is in id order.
    return table_csv_response(name, modeladmin.model._default_manager.filter(pk__in=queryset.values("pk")))


def offer_csv_export(site: admin.AdminSite = admin.site) -> None:
    """Add the action to the admin of each exported model (tables without an admin are skipped)."""
    for table in TABLES.values():
        if site.is_registered(table.model):
            model_admin = site.get_model_admin(table.model)
            if export_selected_csv not in (model_admin.actions or ()):
                model_admin.actions = [*(model_admin.actions or ()), export_selected_csv]
