"""Builders for test data (plain functions with keyword arguments) and shared fixtures.

Records are built through full_clean() and save(), the path the admin and the API take,
so a test never holds a record that the product itself would refuse.
"""

import itertools

import pycountry
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alliances.models import Agreement, Claim, Clause, Country, Membership, Organisation, Party, Person
from sources.models import Citation, Source
from sources.partial_dates import parse_partial

SAMPLE_TEXT = (
    "On June 15, 2021 the presidents of Azerbaijan and Türkiye signed the Shusha Declaration "
    "on Allied Relations in Shusha. The parties pledge “mutual assistance” if either is "
    "attacked by a third state. Uzbekistan–Azerbaijan trade reached $1 billion in 2023."
)

_serial = itertools.count(1)


def _partial(fields: dict, *names: str) -> dict:
    """Expand partial dates given as "2021-06" into the date and precision fields."""
    for name in names:
        if isinstance(fields.get(name), str):
            fields[name], fields[f"{name}_precision"] = parse_partial(fields[name])
    return fields


def saved(record):
    record.full_clean()
    record.save()
    return record


def make_source(**fields) -> Source:
    fields.setdefault("title", f"Source {next(_serial)}")
    fields.setdefault("text", SAMPLE_TEXT + f" ({next(_serial)})")
    return saved(Source(**_partial(fields, "published_on")))


def make_country(iso3="AZE", **fields) -> Country:
    if "iso2" not in fields:
        iso = pycountry.countries.get(alpha_3=iso3)
        fields.update(iso2=iso.alpha_2, name=fields.get("name", iso.name))
    fields.setdefault("status", "published")
    return saved(Country(iso3=iso3, **fields))


def make_organisation(**fields) -> Organisation:
    fields.setdefault("name", f"Organisation {next(_serial)}")
    return saved(Organisation(**_partial(fields, "founded_on")))


def make_person(**fields) -> Person:
    fields.setdefault("name", f"Person {next(_serial)}")
    return saved(Person(**fields))


def make_agreement(**fields) -> Agreement:
    fields.setdefault("title", f"Agreement {next(_serial)}")
    fields.setdefault("kind", "declaration")
    fields.setdefault("legal_status", "signed")
    return saved(Agreement(**_partial(fields, "signed_on", "in_force_on", "ends_on")))


def make_party(**fields) -> Party:
    fields.setdefault("action", "signature")
    return saved(Party(**_partial(fields, "date")))


def make_clause(provision_types=(), **fields) -> Clause:
    fields.setdefault("label", f"Article {next(_serial)}")
    fields.setdefault("text", "The parties consult each other.")
    clause = saved(Clause(**fields))
    clause.provision_types.set(provision_types)
    return clause


def make_membership(**fields) -> Membership:
    return saved(Membership(**_partial(fields, "joined_on", "left_on")))


def make_claim(**fields) -> Claim:
    fields.setdefault("text", f"Claim {next(_serial)}")
    fields.setdefault("kind", "fact")
    return saved(Claim(**_partial(fields, "claimed_on", "period_start", "period_end")))


def cite(record, source=None, quote="Shusha Declaration", **fields) -> Citation:
    source = source or make_source()
    return saved(Citation(source=source, record=record, quote=quote, **fields))


def publish(record, source=None, quote="Shusha Declaration"):
    """Cite the record, then publish it, as a reviewer would."""
    cite(record, source, quote)
    record.status = "published"
    return saved(record)


def make_user(username, group=None, superuser=False, password="pw-For-tests-1"):
    user = get_user_model().objects.create_user(
        username, password=password, is_staff=True, is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def token_client(user) -> APIClient:
    """An API client signed in as `user` with a token, as scripts are."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def editor(db):
    return make_user("editor", "editors")


@pytest.fixture
def reviewer(db):
    return make_user("reviewer", "reviewers")


@pytest.fixture
def superuser(db):
    return make_user("root", superuser=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Django's connections are context-local, and once Playwright's sync API runs, a browser test
    gets new connection objects: they too must find the data serialized here, which restores
    the migrations' rows (groups, provision types) after an earlier transactional test flushed
    them. Without this, a browser test after another transactional test finds no groups."""
    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "_test_serialized_contents"):
            type(connection)._test_serialized_contents = connection._test_serialized_contents


# The browser tests (tests/test_browser*.py) drive Debian's Chromium: Playwright never downloads one.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }
