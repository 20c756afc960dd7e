"""The room's server (scripts/run, gransforum/serve.py): DEBUG off on this machine's
network addresses, a secret made once, cookies that work over a local network's
plain http, the facilitator's pages for this machine only, and a phone on another
machine of the network joining by the printed address."""

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import segno
from django.test import Client, override_settings

from gransforum import serve
from tests.base import BaseTestCase

BASE = Path(__file__).resolve().parent.parent
KEY = "k" * 60


def test_the_secret_is_made_once_readable_by_the_owner_only_and_kept(tmp_path):
    path = tmp_path / ".secret_key"
    first = serve.secret_key(path)
    assert len(first) >= 50
    assert path.stat().st_mode & 0o777 == 0o600
    assert serve.secret_key(path) == first
    assert path.read_text().strip() == first


def test_a_damaged_secret_file_stops_the_start(tmp_path):
    path = tmp_path / ".secret_key"
    path.write_text("short\n")
    with pytest.raises(SystemExit, match="delete it"):
        serve.secret_key(path)


def test_hosts_and_origins_follow_the_served_addresses():
    env = serve.room_environment({}, 8000, ["192.168.1.23", "10.0.0.5"], KEY)
    assert (env["DEBUG"], env["LOCAL_NETWORK"], env["SECRET_KEY"]) == ("false", "true", KEY)
    # Phones are sent to the address the default route leaves by (found first).
    assert env["PUBLIC_URL"] == "http://192.168.1.23:8000"
    hosts = env["ALLOWED_HOSTS"].split(",")
    assert {"127.0.0.1", "localhost", "192.168.1.23", "10.0.0.5"} <= set(hosts)
    origins = env["CSRF_TRUSTED_ORIGINS"].split(",")
    assert {"http://192.168.1.23:8000", "http://10.0.0.5:8000"} <= set(origins)


def test_a_public_url_and_hosts_given_are_kept():
    given = {
        "PUBLIC_URL": "https://gransforum.example.org/",
        "ALLOWED_HOSTS": "extra.example.org",
        "SECRET_KEY": "given-" + KEY,
    }
    env = serve.room_environment(given, 8000, ["192.168.1.23"], KEY)
    assert env["PUBLIC_URL"] == "https://gransforum.example.org"
    assert {"gransforum.example.org", "extra.example.org"} <= set(env["ALLOWED_HOSTS"].split(","))
    assert "https://gransforum.example.org" in env["CSRF_TRUSTED_ORIGINS"].split(",")
    assert env["SECRET_KEY"] == "given-" + KEY


def test_without_a_network_only_this_machine_is_served():
    env = serve.room_environment({}, 8080, [], KEY)
    assert env["PUBLIC_URL"] == "http://127.0.0.1:8080"
    assert "No network found" in serve.banner(env["PUBLIC_URL"], 8080, [])


def test_the_banner_says_where_phones_join_and_what_to_do_when_they_cannot():
    text = serve.banner("http://192.168.1.23:8000", 8000, ["192.168.1.23", "10.0.0.5"])
    assert "Phones join at:  http://192.168.1.23:8000/" in text
    assert "http://10.0.0.5:8000/" in text
    assert "http://127.0.0.1:8000/f/" in text
    assert "hotspot" in text
    assert "Plain http" in text
    assert "Plain http" not in serve.banner("https://gransforum.example.org", 8000, [])


def test_this_machines_addresses_leave_out_loopback():
    found = serve.addresses()
    assert all(not a.startswith("127.") for a in found)
    assert len(found) == len(set(found))
    for address in found:
        socket.inet_aton(address)


SETTINGS = [
    "DEBUG",
    "LOCAL_NETWORK",
    "PUBLIC_URL",
    "ALLOWED_HOSTS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECRET_KEY",
]


def _clean_environ() -> dict:
    dropped = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "PUBLIC_URL", "ALLOWED_HOSTS")
    return {k: v for k, v in os.environ.items() if k not in dropped}


def settings_under(env: dict) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({{k: getattr(s, k) for k in {SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE,
        env={**env, "DJANGO_SETTINGS_MODULE": "gransforum.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_served_settings_plain_http_on_the_local_network():
    env = serve.room_environment(_clean_environ(), 8000, ["192.168.1.23"], KEY)
    got = settings_under(env)
    assert got["DEBUG"] is False
    assert got["LOCAL_NETWORK"] is True
    assert got["SECRET_KEY"] == KEY
    assert got["PUBLIC_URL"] == "http://192.168.1.23:8000"
    assert "192.168.1.23" in got["ALLOWED_HOSTS"]
    # Cookies a phone can keep over http, and no redirect to an https nobody serves.
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE"):
        assert got[name] is False, name
    assert (got["SECURE_SSL_REDIRECT"], got["SECURE_HSTS_SECONDS"]) == (False, 0)


def test_with_a_public_url_on_https_everything_stays_strict():
    environ = {**_clean_environ(), "PUBLIC_URL": "https://gransforum.example.org"}
    got = settings_under(serve.room_environment(environ, 8000, ["192.168.1.23"], KEY))
    assert got["LOCAL_NETWORK"] is False
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE"):
        assert got[name] is True, name
    assert got["SECURE_SSL_REDIRECT"] is True
    assert got["SECURE_HSTS_SECONDS"] >= 31_536_000


def test_a_public_url_that_is_not_an_address_stops_the_start():
    env = {**_clean_environ(), "PUBLIC_URL": "gransforum.example.org"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "PUBLIC_URL" in result.stderr


class LocalNetworkTests(BaseTestCase):
    """The facilitator's pages answer this machine only, and the QR says PUBLIC_URL."""

    def test_the_facilitators_pages_answer_this_machine_only(self):
        with override_settings(LOCAL_NETWORK=True):
            phone = Client(REMOTE_ADDR="192.168.1.40")
            for path in ("/f/", "/konto/logga-in/", "/admin/", f"/f/d/{self.discussion.pk}/"):
                response = phone.get(path)
                self.assertEqual(response.status_code, 403, path)
                self.assertContains(response, "Bara på facilitatorns dator", status_code=403)
                self.assertNotIn("sessionid", response.cookies)
            self.assertEqual(phone.post("/konto/logga-in/", {"username": "alice"}).status_code, 403)
            # A phone's own pages are for every address.
            self.assertEqual(phone.get(f"/j/{self.discussion.join_code}/").status_code, 200)
            laptop = Client(REMOTE_ADDR="127.0.0.1")
            self.assertEqual(laptop.get("/konto/logga-in/").status_code, 200)
            self.assertEqual(Client(REMOTE_ADDR="::1").get("/konto/logga-in/").status_code, 200)
        # Without LOCAL_NETWORK (a server behind its own proxy), every address may log in.
        self.assertEqual(
            Client(REMOTE_ADDR="192.168.1.40").get("/konto/logga-in/").status_code, 200
        )

    def test_the_projectors_link_and_qr_code_say_the_public_address(self):
        self.client.force_login(self.alice)
        url = f"/f/d/{self.discussion.pk}/projector/"
        join = f"http://192.168.1.23:8000/j/{self.discussion.join_code}/"
        with override_settings(PUBLIC_URL="http://192.168.1.23:8000"):
            page = self.client.get(url).content.decode()
        self.assertIn(f"192.168.1.23:8000/j/{self.discussion.join_code}<", page)
        expected = segno.make(join, error="m").svg_inline(
            scale=1, border=0, omitsize=True, svgclass="qr-code"
        )
        self.assertIn(expected, page)
        # Without it, the address the browser used, as before.
        page = self.client.get(url).content.decode()
        self.assertIn(f"testserver/j/{self.discussion.join_code}<", page)


# --- A phone on another machine of the network ---------------------------------------


def _ip(*args, check=True):
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


@pytest.fixture
def other_machine():
    """A network namespace with its own address, joined to this machine by a virtual
    cable: another machine on the same network, made and removed here."""
    if shutil.which("ip") is None or os.geteuid() != 0:
        pytest.skip("needs root and iproute2 to make a network namespace")
    n = os.getpid() % 250
    ns, here, there = f"gf-test-{os.getpid()}", f"gfh{os.getpid()}", f"gfn{os.getpid()}"
    host, guest = f"10.231.{n}.1", f"10.231.{n}.2"
    try:
        _ip("netns", "add", ns)
        _ip("link", "add", here, "type", "veth", "peer", "name", there)
        _ip("link", "set", there, "netns", ns)
        _ip("addr", "add", f"{host}/24", "dev", here)
        _ip("link", "set", here, "up")
        _ip("-n", ns, "addr", "add", f"{guest}/24", "dev", there)
        _ip("-n", ns, "link", "set", there, "up")
        _ip("-n", ns, "link", "set", "lo", "up")
        yield ns, host
    finally:
        _ip("netns", "del", ns, check=False)
        _ip("link", "del", here, check=False)


# Runs inside the other machine: a phone's requests, as plain as a browser's.
PHONE = r"""
import http.cookiejar, json, re, sys, urllib.parse, urllib.request
join_url = sys.argv[1]
jar = http.cookiejar.CookieJar()
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
def token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
def post(url, data, page):
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token(page), **data}).encode()
    with web.open(urllib.request.Request(url, body)) as r:
        return r.status, r.url, r.read().decode()
with web.open(join_url) as r:
    join_page = r.read().decode()
group = re.search(r'name="group" value="(\d+)"', join_page)[1]
status, page_url, page = post(join_url, {"group": group, "name": "Telefon"}, join_page)
status_rank, after_rank, _ = post(page_url + "rank/", {"order": "3,1"}, page)
try:
    web.open(join_url.split("/j/")[0] + "/f/")
    facilitator = 200
except urllib.error.HTTPError as e:
    facilitator = e.code
print(json.dumps({"page": page_url, "rank": status_rank, "after": after_rank,
                  "cookies": [c.name for c in jar], "facilitator": facilitator}))
"""


def test_a_phone_on_another_machine_joins_by_the_printed_address(other_machine, tmp_path):
    ns, host = other_machine
    database = tmp_path / "room.sqlite3"
    env = {
        **_clean_environ(),
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY_FILE": str(tmp_path / ".secret_key"),
        # The production settings with the static files in a folder of this test's own.
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_STATIC_ROOT": str(tmp_path / "static"),
        "PYTHONUNBUFFERED": "1",
    }
    for command in (["migrate", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=BASE, env=env, check=True)
    demo = subprocess.run(
        [sys.executable, "manage.py", "demo", "--force"],
        cwd=BASE,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    code = re.search(r"join code: (\w+)", demo.stdout)[1]
    with sqlite3.connect(database) as db:  # the facilitator starts the clock
        db.execute("UPDATE discussions_discussion SET started_at = datetime('now')")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gransforum.serve", "--port", str(port), "--workers", "1"],
        cwd=BASE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        printed = ""
        while "Facilitator:" not in printed:
            line = server.stdout.readline()
            assert line, f"the server stopped: {printed}"
            printed += line
        # The printed addresses include this machine's side of the cable.
        assert f"http://{host}:{port}/" in printed, printed
        _wait_until_serving(port)
        phone = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                ns,
                sys.executable,
                "-c",
                PHONE,
                f"http://{host}:{port}/j/{code}/",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert phone.returncode == 0, phone.stderr
        seen = json.loads(phone.stdout)
        assert re.fullmatch(rf"http://{re.escape(host)}:{port}/d/\d+/", seen["page"]), seen
        assert seen["rank"] == 200 and seen["after"] == seen["page"], seen
        # Its cookies were kept over plain http (a Secure one would not have been
        # sent back, and the ranking refused), and the facilitator's pages refused it.
        assert "csrftoken" in seen["cookies"], seen
        assert any(name.startswith("gf_p") for name in seen["cookies"]), seen
        assert seen["facilitator"] == 403, seen
        # This machine itself reaches the facilitator's login.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/konto/logga-in/") as answer:
            assert answer.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    with sqlite3.connect(database) as db:
        ballot = db.execute(
            "SELECT r.number FROM discussions_ranking k"
            " JOIN recommendations_recommendation r ON r.id = k.recommendation_id"
            " ORDER BY k.position"
        ).fetchall()
    assert [n for (n,) in ballot] == [3, 1]


def _wait_until_serving(port: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
