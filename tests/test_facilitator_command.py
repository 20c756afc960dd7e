"""`manage.py facilitator`: the account command, asked in a terminal or from the environment."""

from io import StringIO
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

GOOD = "fjällräv i snöstorm 1912"
FAST = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
COMMAND = "discussions.management.commands.facilitator"


def run(*args, env=None):
    out = StringIO()
    with mock.patch.dict("os.environ", env or {}, clear=False):
        call_command("facilitator", *args, stdout=out, stderr=out)
    return out.getvalue()


@FAST
class FromTheEnvironmentTests(TestCase):
    ENV = {"GF_FACILITATOR_USERNAME": "anna", "GF_FACILITATOR_PASSWORD": GOOD}

    def test_creates_an_ordinary_account_with_a_hashed_password(self):
        out = run("--no-input", env=self.ENV)
        self.assertIn("Account 'anna' created.", out)
        self.assertIn("/konto/logga-in/", out)
        user = get_user_model().objects.get(username="anna")
        self.assertTrue(user.check_password(GOOD))
        self.assertNotEqual(user.password, GOOD)
        self.assertFalse(user.is_staff or user.is_superuser)
        self.assertTrue(user.is_active)

    def test_the_password_alone_in_the_environment_needs_no_flag(self):
        run("--username", "bertil", env={"GF_FACILITATOR_PASSWORD": GOOD})
        self.assertTrue(get_user_model().objects.filter(username="bertil").exists())

    def test_refusals_create_nothing(self):
        cases = {
            "weak": ({**self.ENV, "GF_FACILITATOR_PASSWORD": "12345678"}, "too common"),
            "like the name": (
                {
                    "GF_FACILITATOR_USERNAME": "annasvensson",
                    "GF_FACILITATOR_PASSWORD": "annasvensson",
                },
                "too similar",
            ),
            "no password": ({"GF_FACILITATOR_USERNAME": "anna"}, "GF_FACILITATOR_PASSWORD"),
            "bad name": (
                {**self.ENV, "GF_FACILITATOR_USERNAME": "an na"},
                "Enter a valid username",
            ),
        }
        for label, (env, message) in cases.items():
            with (
                self.subTest(label),
                mock.patch.dict("os.environ", {}, clear=True),
                self.assertRaisesMessage(CommandError, message),
            ):
                run("--no-input", env=env)
        self.assertFalse(get_user_model().objects.exists())

    def test_an_existing_account_is_left_alone(self):
        get_user_model().objects.create_user("anna", password="gammalt lösen 77")
        with self.assertRaisesMessage(CommandError, "already an account 'anna'"):
            run("--no-input", env=self.ENV)
        self.assertTrue(
            get_user_model().objects.get(username="anna").check_password("gammalt lösen 77")
        )


@FAST
class InTheTerminalTests(TestCase):
    def ask(self, names, passwords):
        with (
            mock.patch.dict("os.environ", {}, clear=True),
            mock.patch(f"{COMMAND}.Command.stdin_is_a_terminal", return_value=True),
            mock.patch("builtins.input", side_effect=names),
            mock.patch("getpass.getpass", side_effect=passwords),
        ):
            return run()

    def test_asks_again_after_a_taken_name_a_mismatch_and_a_weak_password(self):
        get_user_model().objects.create_user("anna")
        out = self.ask(["anna", "berit"], ["ett", "två", "password", "password", GOOD, GOOD])
        self.assertIn("already an account 'anna'", out)
        self.assertIn("The two passwords differ.", out)
        self.assertIn("too common", out)
        self.assertIn("Account 'berit' created.", out)
        self.assertTrue(get_user_model().objects.get(username="berit").check_password(GOOD))

    def test_stopping_creates_nothing(self):
        with self.assertRaisesMessage(CommandError, "no account was created"):
            self.ask(["cecilia"], KeyboardInterrupt())
        self.assertFalse(get_user_model().objects.exists())

    def test_without_a_terminal_it_says_how_to_give_the_password(self):
        with (
            mock.patch.dict("os.environ", {}, clear=True),
            mock.patch(f"{COMMAND}.Command.stdin_is_a_terminal", return_value=False),
            self.assertRaisesMessage(CommandError, "GF_FACILITATOR_PASSWORD"),
        ):
            run()
