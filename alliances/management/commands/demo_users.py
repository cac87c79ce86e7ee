"""Create the local logins the README promises: an admin, an editor and a reviewer."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

# username, superuser, group
DEMO_USERS = [("admin", True, None), ("editor", False, "editors"), ("reviewer", False, "reviewers")]


def login_url(host: str) -> str:
    """The admin's URL on runserver's ADDR:PORT: "8001" listens on 127.0.0.1, and "0:8001" or
    "0.0.0.0:8001" on every address, of which a browser here opens 127.0.0.1."""
    address, _, port = host.rpartition(":")
    if address in ("", "0", "0.0.0.0"):
        address = "127.0.0.1"
    return f"http://{address}:{port}/admin/"


class Command(BaseCommand):
    help = "Create admin, editor and reviewer logins (once) and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1:8000", metavar="ADDR:PORT",
            help="Where the server listens, as given to runserver (make run's HOST): the printed "
            "login URL names it (a port alone, or 0.0.0.0, is opened as 127.0.0.1).",
        )

    def handle(self, *args, **options):
        User = get_user_model()
        self.stdout.write(f"Sign in at {login_url(options['host'])} as:")
        for username, superuser, group in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(
                    f"  {username:9} (password set earlier; reset it with "
                    f"`manage.py changepassword {username}`)"
                )
                continue
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(
                username, password=password, is_staff=True, is_superuser=superuser
            )
            if group:
                user.groups.add(Group.objects.get(name=group))
            self.stdout.write(self.style.SUCCESS(f"  {username:9} password {password}"))
