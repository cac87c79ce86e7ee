"""Create the local logins the README promises: an admin, an editor and a reviewer."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

# username, superuser, group
DEMO_USERS = [("admin", True, None), ("editor", False, "editors"), ("reviewer", False, "reviewers")]


class Command(BaseCommand):
    help = "Create admin, editor and reviewer logins (once) and print how to sign in."

    def handle(self, *args, **options):
        User = get_user_model()
        self.stdout.write("Sign in at http://127.0.0.1:8000/admin/ as:")
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
