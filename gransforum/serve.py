"""The room's server: what scripts/run starts after setting everything up.

Gunicorn, as in production, on every address of this machine with DEBUG off, so
that phones on the same network (the venue's Wi-Fi, or the laptop's own hotspot)
can join. It prints the address phones use, which the projector's QR code says
too (PUBLIC_URL). Plain http on a local network: the cookies cannot be Secure, so
the facilitator's pages answer this machine only (LOCAL_NETWORK, settings.py).
A PUBLIC_URL set beforehand (a server with a name) is kept, and with https every
setting stays as strict as production's.

No Django here: it only prepares gunicorn's environment and hands over to it.
"""

import argparse
import os
import secrets
import socket
import struct
import sys
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address


def secret_key(path: Path) -> str:
    """The key cookies are signed with: made on the first run, kept readable by the
    owner only, and the same on every later run (so phones stay joined)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 50:
            raise SystemExit(
                f"{path} holds no usable key: delete it, and a new one is made."
            ) from None
        return key
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


def addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback, the one its default route
    leaves by first: the address phones on the same network most likely reach."""
    found = [a for a in [_default_route_address(), *_interface_addresses()] if a]
    return list(dict.fromkeys(found))


def _default_route_address() -> str | None:
    # connect() on a UDP socket only chooses the source address for that
    # destination; nothing is sent. 192.0.2.1 is a documentation address (RFC 5737).
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
        except OSError:
            return None  # no route at all: no network
        address = s.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def _interface_addresses() -> list[str]:
    """Each network interface's IPv4 address, on Linux; elsewhere only the default
    route's address is found."""
    try:
        import fcntl
    except ImportError:
        return []
    found = []
    for _, name in socket.if_nameindex():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            request = struct.pack("256s", name[:15].encode())
            try:
                answer = fcntl.ioctl(s.fileno(), SIOCGIFADDR, request)
            except OSError:
                continue  # no IPv4 address on this one
        address = socket.inet_ntoa(answer[20:24])
        if not address.startswith("127."):
            found.append(address)
    return found


def room_environment(environ: dict, port: int, found: list[str], key: str) -> dict:
    """gunicorn's environment: DEBUG off, the hosts and origins of every address it
    serves, and PUBLIC_URL (the address phones use) unless one was given."""
    public = (environ.get("PUBLIC_URL") or "").rstrip("/")
    if not public:
        public = f"http://{found[0]}:{port}" if found else f"http://127.0.0.1:{port}"
    hosts = ["127.0.0.1", "localhost", "[::1]", *found, urlsplit(public).hostname or ""]
    hosts += [h.strip() for h in (environ.get("ALLOWED_HOSTS") or "").split(",")]
    hosts = list(dict.fromkeys(h for h in hosts if h))
    origins = [public, *(f"http://{h}:{port}" for h in hosts)]
    return {
        **environ,
        "DEBUG": "false",
        "LOCAL_NETWORK": "true",  # settings.py ignores it for a PUBLIC_URL on https
        "SECRET_KEY": environ.get("SECRET_KEY") or key,
        "PUBLIC_URL": public,
        "ALLOWED_HOSTS": ",".join(hosts),
        "CSRF_TRUSTED_ORIGINS": ",".join(dict.fromkeys(origins)),
    }


def banner(public: str, port: int, found: list[str]) -> str:
    others = [f"http://{a}:{port}/" for a in found if f"http://{a}:{port}" != public]
    lines = [
        "",
        "Gränsforum is running. Stop it with Ctrl+C.",
        "",
        f"  Phones join at:  {public}/   (the projector's QR code says the same)",
    ]
    if others:
        lines.append("  or, on another network of this machine: " + "  ".join(others))
    lines += [
        f"  Facilitator:     http://127.0.0.1:{port}/f/   (in this computer's browser only)",
        "",
        "If phones cannot open that address, the network keeps its devices apart (many",
        "guest and venue Wi-Fis do): turn on this laptop's hotspot and let the phones",
        "join it, then run this again; or run Gränsforum on a server with a domain name",
        "and HTTPS (docs/deploy.md).",
        "",
    ]
    if public.startswith("http:"):
        lines += [
            "Plain http: others on the same Wi-Fi could read what phones send, and a",
            "phone's cookie (which only says which participant it is). The facilitator's",
            "login never crosses the network: its pages answer this computer only.",
            "",
        ]
    if not found and not public.startswith("https:"):
        lines.insert(1, "No network found: only this computer can open Gränsforum.")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    key_file = Path(os.environ.get("SECRET_KEY_FILE") or BASE_DIR / ".secret_key")
    found = addresses()
    env = room_environment(dict(os.environ), args.port, found, secret_key(key_file))
    print(banner(env["PUBLIC_URL"], args.port, found), flush=True)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "gransforum.wsgi",
        f"--bind=0.0.0.0:{args.port}",
        f"--workers={args.workers}",
        "--worker-class=gthread",
        "--threads=8",
        "--log-level=warning",
    ]
    os.chdir(BASE_DIR)
    os.execve(sys.executable, command, env)


if __name__ == "__main__":
    main()
