"""A production deployment's first set-up (issue 17): what the platform needs to work, and one first
administrator whose password is given once. No demo users, no API keys, no sample articles."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hotline.core.choices import Role
from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from hotline.core.setup import load_reference_data


class Command(BaseCommand):
    help = (
        "Production set-up: the organisation tree, categories, work calendar, dispatch catalogue, time-limit "
        "policies and address gazetteer, and one first administrator (password from HOTLINE_ADMIN_PASSWORD, "
        "or asked for). Idempotent: run again, it refreshes the reference data and creates no second "
        "administrator. Creates no demo users and no API keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("HOTLINE_ADMIN_USERNAME", "admin"))
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_true",
            help="never prompt: the password must be in HOTLINE_ADMIN_PASSWORD",
        )

    def handle(self, *args, username: str, noinput: bool, **options):
        lines = load_reference_data()
        self.stdout.write(f"reference data loaded: {', '.join(lines)}")

        User = get_user_model()
        if User.objects.filter(is_superuser=True, is_active=True).exists():
            self.stdout.write("an administrator exists: none created")
            return
        password = os.environ.get("HOTLINE_ADMIN_PASSWORD", "")
        if not password:
            if noinput or not self.stdin_is_interactive():
                raise CommandError(
                    "No administrator exists yet: set HOTLINE_ADMIN_PASSWORD (given once), "
                    "or run the command in a terminal to be asked for it."
                )
            password = getpass.getpass(f"Password for the first administrator {username!r}: ")
            if password != getpass.getpass("Again: "):
                raise CommandError("The two passwords differ: nothing created.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user {username!r} exists but is not an active administrator: choose --username.")
        user = User(
            username=username,
            role=Role.ADMIN,
            unit=Unit.objects.get(code=CENTER_CODE),
            display_name="系统管理员",
            is_staff=True,
            is_superuser=True,
        )
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("The password is refused: " + " ".join(error.messages)) from error
        with transaction.atomic():
            user.set_password(password)
            user.save()
        self.stdout.write(f"first administrator {username!r} created; the password is not stored anywhere else")

    def stdin_is_interactive(self) -> bool:
        import sys

        return sys.stdin is not None and sys.stdin.isatty()
