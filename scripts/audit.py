"""Audit the pins in constraints.txt against PyPI's vulnerability data (stdlib only).

    python scripts/audit.py [FILE]     # FILE defaults to constraints.txt

For every name==version pin this reads PyPI's project JSON (PYPI_URL/pypi/NAME/json,
PYPI_URL defaulting to https://pypi.org), whose "vulnerabilities" lists the advisories
that affect the project's LATEST release. It fails when:

- a pin is affected by a listed advisory that is not withdrawn: every one, if the pin
  is the latest release; if it is not, each advisory that has no fixed version at or
  below the pin (or whose fix in the pin's own major.minor series is newer);
- a project cannot be read, or its answer has no vulnerability data: that pin was not
  audited, and an audit that could not ask does not pass;
- a line is not a name==version pin, a pin is not a release on PyPI, or there are no
  pins at all.

It prints, without failing, the pins behind their latest release: an advisory fixed
before the latest release is not in this data at all, so for those pins it can miss
known vulnerabilities. Keeping the pins current (scripts/lock) keeps them visible.
(pip-audit's PyPI service asks /pypi/NAME/VERSION/json for each release instead, a path
that some networks' proxies refuse; this needs only the project JSON.)
"""

import http.client
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

try:
    from packaging.version import InvalidVersion, Version
except ImportError:  # packaging comes with pip and setuptools, but the script must not need it
    Version = None

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "constraints.txt"
DEFAULT_URL = "https://pypi.org"
TIMEOUT_SECONDS = 10
ATTEMPTS = 2
RETRY_PAUSE_SECONDS = 0.5
WORKERS = 8

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)\s*(?:[;#].*)?$")


class NotAudited(Exception):
    """A project's vulnerability data could not be read."""


def parse_version(text):
    """A comparable version, or None when it cannot be read."""
    if Version is not None:
        try:
            return Version(text)
        except InvalidVersion:
            return None
    # Without packaging: the numeric release only (pre/post/dev parts are ignored).
    match = re.match(r"v?(\d+(?:\.\d+)*)", text.strip())
    if not match:
        return None
    parts = [int(p) for p in match.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _series(version):
    release = version.release if Version is not None else version
    return tuple(release[:2])


def _fixed_in_pin(pin, fixed_in):
    """Whether the pin already has a fix: one at or below it, none newer in its series."""
    fixes = [v for v in (parse_version(f) for f in fixed_in) if v is not None]
    if pin is None or not any(f <= pin for f in fixes):
        return False
    return not any(f > pin and _series(f) == _series(pin) for f in fixes)


def affected(pin_version, latest_version, vulnerabilities):
    """The advisories (PyPI's project JSON "vulnerabilities") that affect the pin.

    They are the advisories of the latest release, so all of them affect a pin of
    that release; an older (or newer) pin is affected unless it already has a fix.
    """
    pin, latest = parse_version(pin_version), parse_version(latest_version)
    is_latest = pin_version == latest_version or (pin is not None and pin == latest)
    return [
        vuln
        for vuln in vulnerabilities
        if not vuln.get("withdrawn")
        and (is_latest or not _fixed_in_pin(pin, vuln.get("fixed_in") or []))
    ]


def read_pins(text):
    """(pins, problems): the name==version pins of a requirements file, and lines that are not."""
    pins, problems = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _PIN.match(line)
        if match:
            pins.append((match.group(1), match.group(2)))
        else:
            problems.append(f"line {number} is not a name==version pin: {line}")
    return pins, problems


def fetch_project(base_url, name):
    """PyPI's project JSON for name; NotAudited if it cannot be read (one retry)."""
    canonical = re.sub(r"[-_.]+", "-", name).lower()
    url = f"{base_url.rstrip('/')}/pypi/{urllib.parse.quote(canonical)}/json"
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": "gransforum-audit"}
    )
    problem = None
    for attempt in range(ATTEMPTS):
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                data = json.load(response)
            if not isinstance(data, dict) or not isinstance(data.get("info"), dict):
                raise ValueError("the answer is not a project's JSON")
            if not isinstance(data.get("vulnerabilities"), list):
                raise ValueError('the answer has no "vulnerabilities" list')
            return data
        except urllib.error.HTTPError as e:
            problem = f"HTTP {e.code} {e.reason}"
            if e.code == 404:
                break
        except (OSError, ValueError, http.client.HTTPException) as e:
            problem = f"{type(e).__name__}: {e}"
        if attempt + 1 < ATTEMPTS:
            time.sleep(RETRY_PAUSE_SECONDS)
    raise NotAudited(f"{name}: {url}: {problem}")


def audit_pin(base_url, name, version):
    """(name, version, latest, advisories affecting the pin); NotAudited when unreadable."""
    data = fetch_project(base_url, name)
    latest = data["info"].get("version") or ""
    releases = data.get("releases")
    if isinstance(releases, dict) and releases:
        wanted = parse_version(version)
        known = {parse_version(r) for r in releases}
        if version not in releases and (wanted is None or wanted not in known):
            raise NotAudited(f"{name}: {version} is not a release on PyPI (latest: {latest})")
    return name, version, latest, affected(version, latest, data["vulnerabilities"])


def _describe(vuln):
    aliases = ", ".join(vuln.get("aliases") or [])
    fixed = ", ".join(vuln.get("fixed_in") or []) or "none yet"
    text = (vuln.get("summary") or vuln.get("details") or "").strip().splitlines()
    first = text[0][:120] if text else ""
    ident = vuln.get("id", "?") + (f" ({aliases})" if aliases else "")
    return f"{ident}, fixed in: {fixed}; {vuln.get('link', '')}\n      {first}"


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_FILE
    base_url = os.environ.get("PYPI_URL") or DEFAULT_URL
    fail = "FAIL: dependency audit:"
    try:
        pins, problems = read_pins(path.read_text(encoding="utf-8"))
    except OSError as e:
        print(f"{fail} cannot read {path}: {e}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"{fail} {path.name}: {problem}", file=sys.stderr)
    if not pins:
        print(f"{fail} no name==version pins in {path}: nothing was audited", file=sys.stderr)
        return 1

    started = time.monotonic()

    def one(pin):
        try:
            return audit_pin(base_url, *pin)
        except NotAudited as e:
            return e

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(one, pins))
    seconds = time.monotonic() - started

    unread = [r for r in results if isinstance(r, NotAudited)]
    done = [r for r in results if not isinstance(r, NotAudited)]
    vulnerable = [r for r in done if r[3]]
    behind = [
        (name, version, latest)
        for name, version, latest, _ in done
        if (pv := parse_version(version)) is not None
        and (lv := parse_version(latest)) is not None
        and pv < lv
    ]

    print(
        f"dependency audit: {len(done)} of {len(pins)} pins in {path.name} read from "
        f"{base_url} in {seconds:.1f} s"
    )
    if behind:
        print(f"{len(behind)} pins are behind their latest release (not a failure):")
        for name, version, latest in behind:
            print(f"  {name} {version} (latest {latest})")
        print(
            "  PyPI lists advisories only for a project's latest release: one fixed before\n"
            "  that release is invisible here, so these pins may have known vulnerabilities\n"
            "  this audit cannot see. Keep the pins current: scripts/lock."
        )
    for name, version, latest, vulns in vulnerable:
        print(f"{fail} {name}=={version} (latest {latest}) is affected by:", file=sys.stderr)
        for vuln in vulns:
            print(f"    {_describe(vuln)}", file=sys.stderr)
    if vulnerable:
        print(
            "Raise the package's lower bound in pyproject.toml to a fixed version and run\n"
            "scripts/lock (or upgrade the pin in constraints.txt alone).",
            file=sys.stderr,
        )
    for problem in unread:
        print(f"{fail} not audited: {problem}", file=sys.stderr)
    if unread:
        print(
            f"{fail} {len(unread)} of {len(pins)} pins were NOT audited: PyPI could not be\n"
            f"reached or a project could not be read ({base_url}). This is a failure, not a pass.",
            file=sys.stderr,
        )
    if unread or vulnerable or problems:
        return 1
    print(f"dependency audit: no known vulnerabilities in the {len(pins)} pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
