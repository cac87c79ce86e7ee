"""Sources, with the snapshot rule of alliances: the text of a source that published records cite
is never replaced in place; a corrected text is stored as a new snapshot, to which the citations
move where they re-anchor, after the editor has seen which published records would lose support.
The sources app registers its admin without knowing about published records; this one replaces it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from alliances.domain import publishing
from sources.admin import SourceAdmin as SourcesSourceAdmin
from sources.admin import SourceForm
from sources.models import Source


class SnapshotGuardForm(SourceForm):
    def clean(self):
        cleaned = super().clean()
        if "text" in cleaned:
            publishing.refuse_text_change(self.instance, cleaned["text"])
        return cleaned


class SnapshotForm(forms.Form):
    text = forms.CharField(strip=False, widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
                           help_text="The corrected text, stored as a new source.")


class SourceAdmin(SourcesSourceAdmin):
    form = SnapshotGuardForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        url = reverse("admin:sources_source_snapshot", args=[obj.pk])
        link = format_html(
            'Changing the text anchors its citations again. Once published records cite it, it '
            'cannot be replaced: <a href="{}">store a corrected text as a new snapshot</a>.', url,
        )
        return [
            (name, {**options, "description": link}) if name == "Replace the stored text" else (name, options)
            for name, options in fieldsets
        ]

    def get_urls(self):
        return [
            path("<int:object_id>/snapshot/", self.admin_site.admin_view(self.snapshot_view),
                 name="sources_source_snapshot"),
            *super().get_urls(),
        ]

    def snapshot_view(self, request, object_id):
        """New snapshot of this source: preview (which citations move, which published records
        would lose support from the new text), then confirm."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=object_id)
        form = SnapshotForm(request.POST or None, initial={"text": source.text})
        plan = None
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["text"]
            if "confirm" in request.POST:
                try:
                    snapshot, plan = publishing.new_snapshot(source, text, request.user)
                except ValidationError as error:
                    form.add_error("text", error.messages)
                else:
                    self.message_user(request, f"Stored as new snapshot #{snapshot.pk}: "
                                      f"{len(plan.moving)} citations moved to it, {len(plan.staying)} "
                                      f"stay on #{source.pk}.", messages.SUCCESS)
                    return redirect("admin:sources_source_change", snapshot.pk)
            else:
                plan = publishing.snapshot_plan(source, text)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "source": source,
            "form": form, "plan": plan, "title": f"New snapshot of “{source}”",
        }
        return TemplateResponse(request, "alliances/admin/source_snapshot.html", context)


admin.site.unregister(Source)
admin.site.register(Source, SourceAdmin)
