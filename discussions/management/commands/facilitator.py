"""Create a facilitator's account: asked for in the terminal, or read from the environment.

    python manage.py facilitator
    GF_FACILITATOR_USERNAME=anna GF_FACILITATOR_PASSWORD=… python manage.py facilitator --no-input

The password must pass the project's validators (AUTH_PASSWORD_VALIDATORS). The
account is an ordinary user, not staff: it runs workshops, not the Django admin.
Its owner changes the password in the app afterwards (/konto/losenord/).
"""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import exceptions
from django.core.management import BaseCommand, CommandError
from django.core.management.base import no_translations
from django.db import IntegrityError, transaction

USERNAME_VARIABLE = "GF_FACILITATOR_USERNAME"
PASSWORD_VARIABLE = "GF_FACILITATOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a facilitator account. Asks for a username and a password; with --no-input, "
        f"reads them from {USERNAME_VARIABLE} and {PASSWORD_VARIABLE}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", help=f"The username (default: ${USERNAME_VARIABLE}).")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=f"Ask nothing: take the password from ${PASSWORD_VARIABLE}.",
        )

    # Validators' messages in English, like the rest of the command's output.
    @no_translations
    def handle(self, *args, username=None, interactive=True, **options):
        username = username or os.environ.get(USERNAME_VARIABLE, "")
        password = os.environ.get(PASSWORD_VARIABLE)
        if interactive and password is None:
            username, password = self.ask(username)
        else:
            if not username or not password:
                raise CommandError(
                    f"Set {USERNAME_VARIABLE} (or --username) and {PASSWORD_VARIABLE}, "
                    "or run the command without --no-input to be asked."
                )
            errors = self.username_errors(username) or self.password_errors(username, password)
            if errors:
                raise CommandError(" ".join(errors))
        self.create(username, password)
        self.stdout.write(
            self.style.SUCCESS(f"Account {username!r} created.")
            + "\nLog in at /konto/logga-in/ on this computer (the start page links to it)."
            "\nChange the password there any time: /konto/losenord/."
        )

    def ask(self, username):
        if not self.stdin_is_a_terminal():
            raise CommandError(
                f"Not a terminal, so nothing can be asked: set {USERNAME_VARIABLE} and "
                f"{PASSWORD_VARIABLE} and add --no-input."
            )
        self.stdout.write("Create a facilitator account for Gränsforum.")
        try:
            while True:
                if not username:
                    username = input("Username: ").strip()
                errors = self.username_errors(username)
                if not errors:
                    break
                self.stderr.write(" ".join(errors))
                username = ""
            while True:
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    self.stderr.write("The two passwords differ. Try again.")
                    continue
                errors = self.password_errors(username, password)
                if not errors:
                    return username, password
                self.stderr.write(" ".join(errors))
        except (EOFError, KeyboardInterrupt):
            raise CommandError("Stopped: no account was created.") from None

    def stdin_is_a_terminal(self) -> bool:
        return sys.stdin.isatty()

    def username_errors(self, username: str) -> list[str]:
        User = get_user_model()
        if not username:
            return ["The username cannot be empty."]
        field = User._meta.get_field(User.USERNAME_FIELD)
        try:
            field.clean(username, None)
        except exceptions.ValidationError as error:
            return list(error.messages)
        if User._default_manager.filter(**{User.USERNAME_FIELD: username}).exists():
            return [
                f"There is already an account {username!r}. Pick another username; to change "
                "its password, log in and use /konto/losenord/, or run "
                f"'python manage.py changepassword {username}'."
            ]
        return []

    def password_errors(self, username: str, password: str) -> list[str]:
        User = get_user_model()
        try:
            validate_password(password, User(**{User.USERNAME_FIELD: username}))
        except exceptions.ValidationError as error:
            return list(error.messages)
        return []

    def create(self, username, password):
        try:
            with transaction.atomic():
                get_user_model()._default_manager.create_user(username, password=password)
        except IntegrityError:  # made by someone else between the check and now
            raise CommandError(f"There is already an account {username!r}.") from None
