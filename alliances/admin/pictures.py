"""Pictures of the data for the editors: the alliance network on a day (every record, or the
published ones) and a country's timeline of its own party actions and memberships."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from alliances.domain import binding
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
    note: str = ""  # context that is not the country's own act (the agreement's dates)

    @property
    def when(self) -> str:
        return format_partial(self.date, self.precision) or "date unknown"

    @property
    def sort_key(self):
        return (self.date is None, self.date or datetime.date.min, self.what)


AGREEMENT_DATES = (("signed_on", "signed"), ("in_force_on", "in force"), ("ends_on", "ends"))


def agreement_dates(agreement: Agreement) -> str:
    """The agreement's own dates, labelled as the agreement's: "agreement signed 2021-06-15, in
    force 2022-02". They are not the country's acts (a state that accedes later did not sign on
    the agreement's signature date), so the timeline shows them beside the country's action."""
    dates = [
        f"{label} {format_partial(getattr(agreement, name), getattr(agreement, f'{name}_precision'))}"
        for name, label in AGREEMENT_DATES if getattr(agreement, name)
    ]
    return f"agreement {', '.join(dates)}" if dates else ""


def country_events(country: Country) -> list[Event]:
    """What the country itself did, once each: its party actions (with their agreement's own
    dates as a note) and its memberships' joining and leaving, in date order (undated last)."""
    events = []
    for party in Party.objects.filter(country=country).select_related("agreement"):
        events.append(Event(
            party.date, party.date_precision, f"{party.get_action_display().capitalize()}: {party.agreement}",
            party, reverse("admin:alliances_party_change", args=[party.pk]), party.get_status_display(),
            agreement_dates(party.agreement),
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


@dataclass(frozen=True)
class Bond:
    agreement: Agreement
    start: datetime.date
    stop: datetime.date | None  # None: bound to this day

    def bound_on(self, day: datetime.date) -> bool:
        return self.start <= day and (self.stop is None or day < self.stop)


def bonds(country: Country) -> list[Bond]:
    """When the country was bound by each agreement: its spells (alliances.domain.binding), from
    a joining action to the withdrawal, denunciation or end of the agreement that closed it."""
    parties = Party.objects.filter(country=country)
    agreements = Agreement.objects.filter(pk__in=parties.values("agreement_id")).exclude(
        legal_status=Agreement.LegalStatus.PROPOSED
    ).in_bulk()
    ends = {
        pk: (agreement.ends_on, agreement.ends_on_precision) if agreement.ends_on else None
        for pk, agreement in agreements.items()
    }
    periods = [
        Bond(agreements[spell.agreement_id], spell.entry[0], spell.exit[0] if spell.exit else None)
        for member in binding.spells(binding.read_actions(parties), ends).values()
        for spell in member if spell.entry is not None
    ]
    return sorted(periods, key=lambda bond: (bond.start, str(bond.agreement)))


def bonds_svg(periods: list[Bond], today: datetime.date) -> str:
    """Horizontal bars on a year axis, one per agreement, each linked to its agreement."""
    if not periods:
        return ""
    first, last = min(bond.start.year for bond in periods), today.year + 1
    label_width, width, row = 260, 520, 22

    def x(day: datetime.date) -> float:
        fraction = (day.toordinal() - datetime.date(first, 1, 1).toordinal()) / (
            datetime.date(last, 1, 1).toordinal() - datetime.date(first, 1, 1).toordinal()
        )
        return round(label_width + width * fraction, 1)

    step = max(1, (last - first) // 8)
    ticks = format_html_join("", (
        '<line x1="{x}" y1="14" x2="{x}" y2="{bottom}" stroke="#ddd"/>'
        '<text x="{x}" y="11" font-size="10" text-anchor="middle">{year}</text>'
    ), ({"x": x(datetime.date(year, 1, 1)), "bottom": 20 + row * len(periods), "year": year}
        for year in range(first, last + 1, step)))
    bars = format_html_join("", (
        '<a href="{url}"><title>{title}: {start} – {stop}</title>'
        '<text x="{label_x}" y="{text_y}" font-size="12" text-anchor="end">{title}</text>'
        '<rect x="{x1}" y="{y}" width="{w}" height="14" rx="3" fill="#417690"/></a>'
    ), ({
        "url": reverse("admin:alliances_agreement_change", args=[bond.agreement.pk]),
        "title": str(bond.agreement)[:40], "start": bond.start.isoformat(),
        "stop": bond.stop.isoformat() if bond.stop else "today",
        "label_x": label_width - 8, "text_y": 32 + row * i, "x1": x(bond.start), "y": 21 + row * i,
        "w": max(2.0, round(x(bond.stop or today) - x(bond.start), 1)),
    } for i, bond in enumerate(periods)))
    height = 28 + row * len(periods)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="bonds" width="{}" height="{}" viewBox="0 0 {} {}" '
        'role="img" aria-label="Periods bound by each agreement" font-family="sans-serif">{}{}</svg>',
        label_width + width + 20, height, label_width + width + 20, height, ticks, bars,
    )


def country_timeline_view(request, country: Country, model_admin):
    today = timezone.localdate()
    periods = bonds(country)
    context = {
        **admin.site.each_context(request),
        "title": f"Timeline of {country}",
        "country": country,
        "opts": model_admin.opts,
        "events": country_events(country),
        "bound_today": sorted({bond.agreement for bond in periods if bond.bound_on(today)}, key=str),
        "bonds": periods,
        "bonds_svg": bonds_svg(periods, today),
        "today": today,
        "network_url": reverse("alliances_admin:network"),
    }
    return TemplateResponse(request, "alliances/admin/country_timeline.html", context)
