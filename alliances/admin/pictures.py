"""Pictures of the data for the editors: the alliance network on a day (every record, or the
published ones) and a country's timeline of agreements, party actions and memberships."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from alliances.models import Agreement, Country, Membership, Party
from alliances.network import Links, network_on, render_svg
from sources.partial_dates import format_partial


class NetworkForm(forms.Form):
    as_of = forms.DateField(
        label="As of", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day to draw: who is bound to whom then (signed, ratified or acceded, not "
        "withdrawn, agreement not ended).",
    )
    published_only = forms.BooleanField(label="Published records only", required=False)


def admin_links() -> Links:
    return Links(
        country=lambda node: reverse("admin:alliances_country_timeline", args=[node.pk]),
        agreement=lambda pk: reverse("admin:alliances_agreement_change", args=[pk]),
    )


def network_view(request):
    form = NetworkForm(request.GET or None)
    day, published_only = timezone.localdate(), False
    if form.is_valid():
        day = form.cleaned_data["as_of"] or day
        published_only = form.cleaned_data["published_only"]
    elif form.is_bound:
        day = None
    network = network_on(day, published_only=published_only) if day else None
    agreements = []
    if network:
        ids = sorted({edge.agreement_id for edge in network.edges})
        titles = {edge.agreement_id: (edge.agreement, edge.provision_name) for edge in network.edges}
        agreements = [
            {"url": reverse("admin:alliances_agreement_change", args=[pk]), "title": titles[pk][0],
             "provision": titles[pk][1]}
            for pk in ids
        ]
    context = {
        **admin.site.each_context(request),
        "title": "Alliance network",
        "form": form,
        "day": day,
        "network": network,
        "svg": render_svg(network, admin_links()) if network else "",
        "agreements": agreements,
        "countries": [
            {"node": node, "url": reverse("admin:alliances_country_timeline", args=[node.pk]),
             "agreements": network.agreements_of(node)}
            for node in network.nodes
        ] if network else [],
        "image_url": reverse("api:network-svg") + f"?as_of={day.isoformat()}" if day else "",
    }
    return TemplateResponse(request, "alliances/admin/network.html", context)


@dataclass(frozen=True)
class Event:
    date: datetime.date | None
    precision: str
    what: str
    record: object
    url: str
    status: str

    @property
    def when(self) -> str:
        return format_partial(self.date, self.precision) or "date unknown"

    @property
    def sort_key(self):
        return (self.date is None, self.date or datetime.date.min, self.what)


def country_events(country: Country) -> list[Event]:
    """Everything dated about a country: its party actions, the dates of the agreements it acts
    on, and its memberships' joining and leaving, in date order (undated last)."""
    events = []
    actions = Party.objects.filter(country=country).select_related("agreement")
    for party in actions:
        events.append(Event(
            party.date, party.date_precision, f"{party.get_action_display().capitalize()}: {party.agreement}",
            party, reverse("admin:alliances_party_change", args=[party.pk]), party.get_status_display(),
        ))
    for agreement in Agreement.objects.filter(parties__country=country).distinct():
        url = reverse("admin:alliances_agreement_change", args=[agreement.pk])
        for name, label in (("signed_on", "signed"), ("in_force_on", "in force"), ("ends_on", "ends")):
            if getattr(agreement, name):
                events.append(Event(
                    getattr(agreement, name), getattr(agreement, f"{name}_precision"),
                    f"{agreement} {label}", agreement, url, agreement.get_status_display(),
                ))
    for membership in Membership.objects.filter(country=country).select_related("organisation"):
        url = reverse("admin:alliances_membership_change", args=[membership.pk])
        organisation = membership.organisation
        for name, label in (("joined_on", "joins"), ("left_on", "leaves")):
            if getattr(membership, name) or name == "joined_on":
                events.append(Event(
                    getattr(membership, name), getattr(membership, f"{name}_precision"),
                    f"{label} {organisation} ({membership.get_role_display()})", membership, url,
                    membership.get_status_display(),
                ))
    return sorted(events, key=lambda event: event.sort_key)


def country_timeline_view(request, country: Country, model_admin):
    today = timezone.localdate()
    bound = (
        Party.objects.bound_on(today).filter(country=country).select_related("agreement")
        .order_by("agreement__title")
    )
    context = {
        **admin.site.each_context(request),
        "title": f"Timeline of {country}",
        "country": country,
        "opts": model_admin.opts,
        "events": country_events(country),
        "bound_today": sorted({party.agreement for party in bound}, key=str),
        "today": today,
        "network_url": reverse("alliances_admin:network"),
    }
    return TemplateResponse(request, "alliances/admin/country_timeline.html", context)
