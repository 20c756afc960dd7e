"""Facilitator accounts: whether there is one yet, and the command that makes one."""

from django.contrib.auth import get_user_model

# What the first-run page and the login page tell the person at the laptop to run,
# in the app's folder (README.md, "Running a workshop").
ACCOUNT_COMMAND = ".venv/bin/python manage.py facilitator"


def no_account_yet() -> bool:
    """True on a fresh database: nobody can log in until the account command has run."""
    return not get_user_model().objects.filter(is_active=True).exists()
