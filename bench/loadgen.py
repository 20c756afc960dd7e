"""The load generator: virtual phones, a projector and a dashboard, over HTTP.

Everything here speaks HTTP to a running server and nothing else: no Django, no
database. The runner (bench/run.py) prepares the discussion, starts the server and
checks the database afterwards against the ledger kept here of every write a phone
was told was saved.

Each virtual phone does what a person's phone does with the real pages (htmx):

  GET /j/CODE/  ->  POST /j/CODE/ (a group)  ->  303  ->  GET /d/ID/  (+ its static files)
  then every 5 s GET /d/ID/poll/?rev=R&mode=M&s=STEP (HX-Request), and in between,
  after a think time each: rank, say why, add a missing area, propose an activity,
  +1 two entries it sees, re-rank (changed), each on its question's page (GET
  /d/ID/why/ and so on, the guided flow's steps, before the first write there). A
  204 with HX-Refresh reloads the page the phone shows.

A facilitator logs in, opens the dashboard and the projector, both polling every
2 s with the revision they show, starts the timer, and ends it at the chosen moment:
every phone then learns at its next poll and reloads its page at once.

One shared client (bench/client.py: a pool of keep-alive connections, like a load
balancer's upstream connections) carries all of them; cookies are kept per phone by
hand, since the production cookies are Secure and the server is plain http.
"""

from __future__ import annotations

import asyncio
import html
import json
import random
import re
import resource
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from bench.client import Client, HTTPError, Response

POLL_RE = re.compile(r'id="poll" hx-get="([^"]+)"')
LIVE_RE = re.compile(r'id="live"[^>]*?hx-get="([^"]+)"')
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
GROUP_RE = re.compile(r'name="group" value="(\d+)"')
STATIC_RE = re.compile(r'(?:href|src)="(/static/[^"]+)"')
REC_SELECT_RE = re.compile(r'<select name="recommendation"(.*?)</select>', re.S)
REC_OPTION_RE = re.compile(r'<option value="(\d+)"')
ENTRY_RE = re.compile(r'<li class="entry( entry-mine)?">(.*?)</li>', re.S)
ENDORSE_RE = re.compile(r"/(area|activity)/(\d+)/endorse/")
ENDED_TEXT = "Tiden är ute"


# --- Measurements ---------------------------------------------------------------------


@dataclass
class Endpoint:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0


class Stats:
    """Latency and status per endpoint; errors with a few samples to show."""

    def __init__(self, window: float = 30.0):
        self.endpoints: dict[str, Endpoint] = defaultdict(Endpoint)
        self.error_samples: list[str] = []
        self.refused_after_end = 0
        # The phones' latencies by when they finished, in windows of `window` s, to
        # see when in the run the slow answers came (the averages hide the peaks).
        self.window = window
        self.started = time.monotonic()
        self.timeline: dict[int, list[float]] = defaultdict(list)

    def record(self, name: str, seconds: float, status: int | None, error: str | None = None):
        endpoint = self.endpoints[name]
        endpoint.latencies.append(seconds)
        if not name.startswith(("projector", "dashboard", "login", "timer")):
            self.timeline[int((time.monotonic() - self.started) // self.window)].append(seconds)
        endpoint.statuses[status if status is not None else "exc"] += 1
        if error is not None:
            endpoint.errors += 1
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{name}: {error}")

    def error(self, name: str, message: str):
        self.endpoints[name].errors += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(f"{name}: {message}")

    @property
    def requests(self) -> int:
        return sum(len(e.latencies) for e in self.endpoints.values())

    @property
    def errors(self) -> int:
        return sum(e.errors for e in self.endpoints.values())


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# --- What the phones were told was saved ----------------------------------------------


@dataclass
class Ledger:
    """One phone's acknowledged writes (2xx answers), for the lost-writes check."""

    participant_id: int | None = None
    group_id: int | None = None
    ballot: list[int] | None = None  # None: never saved one
    why: str | None = None
    areas: set[str] = field(default_factory=set)
    activities: set[tuple[str, int]] = field(default_factory=set)
    endorsements: set[tuple[str, int]] = field(default_factory=set)
    # Writes whose outcome is unknown (the request failed without an answer): the
    # database may or may not hold them, so the check accepts either.
    uncertain: list[tuple[str, object]] = field(default_factory=list)


# --- The scenario ------------------------------------------------------------------------


@dataclass
class Scenario:
    base_url: str
    join_code: str
    discussion_id: int
    username: str
    password: str
    phones: int = 20
    ramp_seconds: float = 5.0  # phones join spread over this
    active_seconds: float = 10.0  # each phone's actions spread over this after joining
    after_end_seconds: float = 12.0  # phones and screens go on polling this long after the end
    phone_poll_seconds: float = 5.0
    screen_poll_seconds: float = 2.0
    late_writer_share: float = 0.05  # phones that save once more just as the time runs out
    fetch_static: bool = True
    start_timer: bool = True
    max_connections: int = 200
    timeout_seconds: float = 30.0
    seed: int = 1
    # Where the facilitator's screens go, as a balancer would route /f/ and /konto/ to
    # app servers of their own; empty: the same as the phones.
    facilitator_base_url: str = ""

    @property
    def end_at(self) -> float:
        """Seconds after the phones start when the facilitator ends the discussion."""
        return self.ramp_seconds + self.active_seconds + 3.0

    @property
    def stop_at(self) -> float:
        return self.end_at + self.after_end_seconds


@dataclass
class Result:
    stats: Stats
    ledgers: list[Ledger]
    wall_seconds: float
    ended_at_offset: float | None  # when the end was sent, seconds after the phones started
    learned_end: list[float]  # per phone: seconds from the end until it had reloaded its page
    phones_joined: int
    loop_lag_max: float
    loop_lag_p99: float
    client_cpu_seconds: float
    skipped_endorsements: int


class Session:
    """One browser: its own cookies and CSRF token, on the shared client."""

    def __init__(self, run: Run, client: Client | None = None):
        self.run = run
        self.client = client or run.client
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None

    def _headers(self, htmx: bool, post: bool) -> dict[str, str]:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        if post and self.csrf:
            headers["X-CSRFToken"] = self.csrf
        return headers

    def _keep_cookies(self, response: Response) -> None:
        for raw in response.header_list("set-cookie"):
            pair = raw.split(";", 1)[0]
            name, _, value = pair.partition("=")
            name = name.strip()
            if not name:
                continue
            if value in ('""', "") or "max-age=0" in raw.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value.strip()

    async def request(
        self,
        endpoint: str,
        method: str,
        path: str,
        *,
        data: dict | None = None,
        htmx: bool = False,
        expect: tuple[int, ...] = (200,),
    ) -> Response | None:
        """Send one request, time it, keep its cookies; None when it failed."""
        stats = self.run.stats
        if self.run.hard_stop_reached():
            return None
        headers = self._headers(htmx, method == "POST")
        if data is not None and self.csrf:
            data = {"csrfmiddlewaretoken": self.csrf, **data}
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, data=data, headers=headers)
        except HTTPError as e:
            stats.record(endpoint, time.perf_counter() - started, None, f"{method} {path}: {e}")
            return None
        elapsed = time.perf_counter() - started
        self._keep_cookies(response)
        if response.status in expect:
            stats.record(endpoint, elapsed, response.status)
            return response
        stats.record(
            endpoint,
            elapsed,
            response.status,
            f"{method} {path} -> {response.status} {response.text[:160]!r}",
        )
        return None

    def take_csrf(self, text: str) -> None:
        match = CSRF_INPUT_RE.search(text)
        if match:
            self.csrf = match.group(1)


def _reload_within(response: Response) -> float | None:
    """None: no reload; else the seconds within which the page reloads (0: at once)."""
    if response.header("HX-Refresh") == "true":
        return 0.0
    trigger = response.header("HX-Trigger")
    if trigger and "gf-reload" in trigger:
        return float(json.loads(trigger)["gf-reload"]["within"])
    return None


class Phone(Session):
    def __init__(self, run: Run, index: int, rng: random.Random):
        super().__init__(run)
        self.index = index
        self.rng = rng
        self.ledger = Ledger()
        self.poll_path: str | None = None
        self.rec_numbers: list[int] = []
        # (kind, pk) -> (mine, endorsed by me), as last seen on this phone's screen
        self.entries: dict[tuple[str, int], tuple[bool, bool]] = {}
        self.knows_end_at: float | None = None
        self.poll_in_flight = False
        self.page_loaded_at = 0.0
        self.step = ""  # the question's page the phone shows: "" (ranking), "why/", ...

    # -- reading what the server sent

    def _read_page(self, text: str) -> None:
        match = POLL_RE.search(text)
        if match:
            self.poll_path = html.unescape(match.group(1))
        self.take_csrf(text)
        if not self.rec_numbers:
            select = REC_SELECT_RE.search(text)
            if select:
                self.rec_numbers = sorted({int(n) for n in REC_OPTION_RE.findall(select.group(1))})
        for mine, body in ENTRY_RE.findall(text):
            endorse = ENDORSE_RE.search(body)
            if endorse:
                key = (endorse.group(1), int(endorse.group(2)))
                self.entries[key] = (bool(mine), 'name="want" value="0"' in body)

    @property
    def mode(self) -> str:
        query = parse_qs(urlsplit(self.poll_path or "").query)
        return query.get("mode", [""])[0]

    # -- the phone's life

    async def live(self, join_at: float) -> None:
        await self.run.sleep_until(join_at)
        if not await self.join():
            return
        poller = asyncio.create_task(self.poll_loop())
        try:
            await self.act(join_at)
        finally:
            await poller

    async def join(self) -> bool:
        code = self.run.scenario.join_code
        response = await self.request("join page", "GET", f"/j/{code}/")
        if response is None:
            return False
        self.take_csrf(response.text)
        groups = GROUP_RE.findall(response.text)
        if not groups:
            self.run.stats.error("join page", "no groups to pick from")
            return False
        group = self.rng.choice(groups)
        response = await self.request(
            "join",
            "POST",
            f"/j/{code}/",
            data={"group": group, "name": f"Telefon {self.index}"},
            expect=(303,),
        )
        if response is None:
            return False
        cookie = self.cookies.get(f"gf_p{self.run.scenario.discussion_id}", "")
        if not cookie.split(":", 1)[0].isdigit():
            self.run.stats.error("join", "no participant cookie")
            return False
        self.ledger.participant_id = int(cookie.split(":", 1)[0])
        self.ledger.group_id = int(group)
        self.run.joined += 1
        return await self.load_page("page", first=True)

    async def load_page(self, endpoint: str, first: bool = False) -> bool:
        path = f"/d/{self.run.scenario.discussion_id}/{self.step}"
        response = await self.request(endpoint, "GET", path)
        if response is None:
            return False
        self._read_page(response.text)
        self.page_loaded_at = self.run.now()
        if first and self.run.scenario.fetch_static:
            # A phone's first visit downloads the CSS and scripts; later pages come
            # from its cache (hashed names, far-future expiry).
            for static in dict.fromkeys(STATIC_RE.findall(response.text)):
                await self.fetch_static(static)
        return True

    async def fetch_static(self, path: str) -> None:
        started = time.perf_counter()
        try:
            # Compressed as a browser asks for it; the bytes are not unpacked here.
            response = await self.run.client.get(path, headers={"Accept-Encoding": "gzip, br"})
        except HTTPError as e:
            self.run.stats.record("static", time.perf_counter() - started, None, str(e))
            return
        error = None if response.status == 200 else f"{path} -> {response.status}"
        self.run.stats.record("static", time.perf_counter() - started, response.status, error)

    async def poll_loop(self) -> None:
        run = self.run
        period = run.scenario.phone_poll_seconds
        while True:
            # htmx polls every `period` seconds from the moment the page loaded.
            due = self.page_loaded_at + period
            while due <= run.now():
                due += period
            if due >= run.scenario.stop_at:
                return
            await run.sleep_until(due)
            if run.hard_stop_reached():
                return
            await self.poll()

    async def poll(self) -> None:
        response = await self.request("poll", "GET", self.poll_path, htmx=True, expect=(200, 204))
        if response is None:
            return
        stats = self.run.stats
        # Re-file the measurement under what the answer was: unchanged, changed, refresh.
        endpoint = stats.endpoints["poll"]
        latency = endpoint.latencies.pop()
        endpoint.statuses[response.status] -= 1
        reload_within = _reload_within(response)
        if response.status == 204 and reload_within is not None:
            # phone.js reloads at a random moment within the spread it is given.
            await asyncio.sleep(self.rng.uniform(0, reload_within))
            stats.record("poll -> refresh", latency, 204)
            ended = self.mode.startswith("open") and self.run.ended_at is not None
            loaded = await self.load_page("page (after the end)" if ended else "page (refresh)")
            if loaded and ended and self.knows_end_at is None:
                self.knows_end_at = self.run.now()
            return
        if response.status == 204:
            stats.record("poll 204 (unchanged)", latency, 204)
            return
        stats.record("poll 200 (changed)", latency, 200)
        self._read_page(response.text)

    async def act(self, join_at: float) -> None:
        scenario = self.run.scenario
        steps = ["rank", "why", "area", "activity", "endorse", "endorse", "rerank"]
        times = sorted(self.rng.uniform(2.0, scenario.active_seconds) for _ in steps)
        for step, offset in zip(steps, times, strict=True):
            await self.run.sleep_until(join_at + offset)
            if self.run.hard_stop_reached() or self.run.ended_at is not None:
                return
            await getattr(self, step)()
        if self.index < scenario.phones * scenario.late_writer_share:
            # Typed something and pressed save just as the time runs out: accepted
            # within the grace period, refused with "Tiden är ute" after it.
            await self.run.sleep_until(scenario.end_at + self.rng.uniform(-0.5, 7.0))
            await self.area(late=True)

    # -- the answers

    def _numbers(self) -> list[int]:
        return self.rec_numbers or list(range(1, 9))

    async def _write(self, endpoint, path, data, *, late=False) -> Response | None:
        expect = (200, 409) if late else (200,)
        response = await self.request(endpoint, "POST", path, data=data, htmx=True, expect=expect)
        if response is None:
            return None
        if response.status == 409:
            if ENDED_TEXT not in response.text:
                self.run.stats.error(endpoint, "409 without the end message")
            self.run.stats.refused_after_end += 1
            return None
        self._read_page(response.text)
        return response

    async def go_to(self, step: str) -> None:
        """Open a question's page, as "Next" or the steps at the top do: one page
        per question, so a phone loads four more pages than the one it joins on."""
        if self.step != step:
            self.step = step
            await self.load_page("step page")

    async def _save(self, endpoint, path, data, what, value, *, late=False) -> bool:
        before = self.run.stats.refused_after_end
        response = await self._write(endpoint, path, data, late=late)
        if response is None and self.run.stats.refused_after_end == before:
            self.ledger.uncertain.append((what, value))
        return response is not None

    async def rank(self, changed_from: list[int] | None = None) -> None:
        numbers = self._numbers()
        order = self.rng.sample(numbers, self.rng.choice([3, 3, 5, len(numbers)]))
        if changed_from is not None and order == changed_from:
            order = order[1:] + order[:1] if len(order) > 1 else []
        d = self.run.scenario.discussion_id
        await self.go_to("")
        value = ",".join(map(str, order))
        if await self._save("rank", f"/d/{d}/rank/", {"order": value}, "ballot", order):
            self.ledger.ballot = order

    async def rerank(self) -> None:
        await self.rank(changed_from=self.ledger.ballot)

    async def why(self) -> None:
        text = f"Telefon {self.index}: det här berör flest på båda sidor om gränsen."
        d = self.run.scenario.discussion_id
        await self.go_to("why/")
        if await self._save("why", f"/d/{d}/why/", {"why": text}, "why", text):
            self.ledger.why = text

    async def area(self, late: bool = False) -> None:
        text = f"Område från telefon {self.index}" + (" (sent)" if late else "")
        d = self.run.scenario.discussion_id
        endpoint = "area (at the end)" if late else "area"
        if not late:
            await self.go_to("area/")
        if await self._save(endpoint, f"/d/{d}/area/", {"text": text}, "area", text, late=late):
            self.ledger.areas.add(text)

    async def activity(self) -> None:
        number = self.rng.choice(self._numbers())
        text = f"Aktivitet från telefon {self.index}"
        d = self.run.scenario.discussion_id
        data = {"text": text, "recommendation": str(number)}
        await self.go_to("activity/")
        if await self._save("activity", f"/d/{d}/activity/", data, "activity", (text, number)):
            self.ledger.activities.add((text, number))

    async def endorse(self) -> None:
        candidates = [
            key
            for key, (mine, endorsed) in self.entries.items()
            if not mine and not endorsed and key not in self.ledger.endorsements
        ]
        if not candidates:
            self.run.skipped_endorsements += 1
            return
        kind, pk = self.rng.choice(candidates)
        d = self.run.scenario.discussion_id
        path = f"/d/{d}/{kind}/{pk}/endorse/"
        if await self._save("endorse", path, {"want": "1"}, "endorsement", (kind, pk)):
            self.ledger.endorsements.add((kind, pk))


class Facilitator(Session):
    """The facilitator's laptop: logs in, shows the dashboard and the projector, runs the clock."""

    async def login(self) -> bool:
        response = await self.request("login", "GET", "/konto/logga-in/")
        if response is None:
            return False
        self.take_csrf(response.text)
        scenario = self.run.scenario
        response = await self.request(
            "login",
            "POST",
            "/konto/logga-in/",
            data={"username": scenario.username, "password": scenario.password, "next": ""},
            expect=(302,),
        )
        return response is not None and "sessionid" in self.cookies

    async def open(self, endpoint: str, path: str) -> str | None:
        response = await self.request(endpoint, "GET", path)
        if response is None:
            return None
        self.take_csrf(response.text)
        match = LIVE_RE.search(response.text)
        return html.unescape(match.group(1)) if match else None

    async def watch(self, endpoint: str, live_path: str) -> None:
        """Poll a live region every 2 s with the revision it shows, until the stop."""
        run = self.run
        period = run.scenario.screen_poll_seconds
        due = run.now() + period
        while due < run.scenario.stop_at and not run.hard_stop_reached():
            await run.sleep_until(due)
            due += period
            response = await self.request(endpoint, "GET", live_path, htmx=True, expect=(200, 204))
            if response is None:
                continue
            stats = run.stats.endpoints[endpoint]
            latency = stats.latencies.pop()
            stats.statuses[response.status] -= 1
            label = "200 (changed)" if response.status == 200 else "204 (unchanged)"
            run.stats.record(f"{endpoint} {label}", latency, response.status)
            if response.status == 200:
                match = LIVE_RE.search(response.text)
                if match:
                    live_path = html.unescape(match.group(1))

    async def timer(self, action: str) -> bool:
        d = self.run.scenario.discussion_id
        response = await self.request(
            f"timer {action}", "POST", f"/f/d/{d}/timer/{action}/", data={}, htmx=True,
            expect=(204,),
        )  # fmt: skip
        return response is not None


class Run:
    def __init__(self, scenario: Scenario, client: Client):
        self.scenario = scenario
        self.client = client
        self.stats = Stats()
        self.origin = 0.0
        self.hard_stop = 0.0
        self.ended_at: float | None = None
        self.joined = 0
        self.skipped_endorsements = 0
        self.lags: list[float] = []

    def now(self) -> float:
        return time.perf_counter() - self.origin

    def hard_stop_reached(self) -> bool:
        return self.now() >= self.hard_stop

    async def sleep_until(self, moment: float) -> None:
        delay = moment - self.now()
        if delay > 0:
            await asyncio.sleep(delay)

    async def watch_loop_lag(self) -> None:
        """How late the event loop wakes up: when the client itself is the bottleneck."""
        while self.now() < self.scenario.stop_at and not self.hard_stop_reached():
            before = time.perf_counter()
            await asyncio.sleep(0.1)
            self.lags.append(time.perf_counter() - before - 0.1)


def make_client(base_url: str, max_connections: int, timeout: float) -> Client:
    return Client(
        base_url,
        max_connections=max_connections,
        timeout=timeout,
        default_headers={"User-Agent": "gransforum-bench", "Accept-Language": "sv"},
    )


async def run_scenario(scenario: Scenario, on_ready=None) -> Result:
    """Play the whole scenario once and return what was measured.

    on_ready() is called once the facilitator has logged in and started the clock,
    just before the first phone joins.
    """
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    timeout = scenario.timeout_seconds
    async with (
        make_client(scenario.base_url, scenario.max_connections, timeout) as client,
        make_client(scenario.facilitator_base_url or scenario.base_url, 4, timeout) as screens,
    ):
        run = Run(scenario, client)
        run.origin = time.perf_counter()
        # Everything stops by this moment, whatever happens.
        run.hard_stop = scenario.stop_at + scenario.timeout_seconds + 30
        d = scenario.discussion_id

        facilitator = Facilitator(run, screens)
        if not await facilitator.login():
            raise RuntimeError(f"the facilitator could not log in: {run.stats.error_samples}")
        dashboard_live = await facilitator.open("dashboard page", f"/f/d/{d}/")
        projector_live = await facilitator.open("projector page", f"/f/d/{d}/projector/")
        if not dashboard_live or not projector_live:
            raise RuntimeError(f"no live regions: {run.stats.error_samples}")
        if scenario.start_timer and not await facilitator.timer("start"):
            raise RuntimeError(f"could not start the timer: {run.stats.error_samples}")

        if on_ready is not None:
            on_ready()
        rng = random.Random(scenario.seed)
        phones = [Phone(run, i, random.Random(rng.random())) for i in range(scenario.phones)]
        run.origin = time.perf_counter()
        run.stats.started = time.monotonic()
        run.hard_stop = scenario.stop_at + scenario.timeout_seconds + 30

        async def end_it():
            await run.sleep_until(scenario.end_at)
            run.ended_at = run.now()
            await facilitator.timer("end")

        tasks = [
            asyncio.create_task(phone.live(scenario.ramp_seconds * i / max(1, scenario.phones)))
            for i, phone in enumerate(phones)
        ]
        tasks += [
            asyncio.create_task(facilitator.watch("dashboard live", dashboard_live)),
            asyncio.create_task(facilitator.watch("projector live", projector_live)),
            asyncio.create_task(end_it()),
            asyncio.create_task(run.watch_loop_lag()),
        ]
        remaining = max(1.0, run.hard_stop - run.now())
        done, pending = await asyncio.wait(tasks, timeout=remaining)
        for task in pending:
            task.cancel()
        if pending:
            run.stats.error("run", f"{len(pending)} tasks still running at the hard stop")
        for task in done:
            if task.exception() is not None:
                run.stats.error("run", f"task failed: {task.exception()!r}")
        wall = run.now()

    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    learned = [
        phone.knows_end_at - run.ended_at
        for phone in phones
        if phone.knows_end_at is not None and run.ended_at is not None
    ]
    return Result(
        stats=run.stats,
        ledgers=[phone.ledger for phone in phones if phone.ledger.participant_id is not None],
        wall_seconds=wall,
        ended_at_offset=run.ended_at,
        learned_end=learned,
        phones_joined=run.joined,
        loop_lag_max=max(run.lags, default=0.0),
        loop_lag_p99=percentile(run.lags, 99),
        client_cpu_seconds=cpu,
        skipped_endorsements=run.skipped_endorsements,
    )


# --- Throughput: the unchanged poll against the constant view ----------------------------


@dataclass
class Throughput:
    name: str
    requests: int
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def hammer(
    client: Client,
    name: str,
    path: str,
    headers: dict[str, str],
    expect: int,
    *,
    concurrency: int,
    seconds: float,
) -> Throughput:
    """Closed loop: `concurrency` clients send `path` back to back for `seconds`."""
    count = errors = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def worker():
        nonlocal count, errors
        while time.perf_counter() < deadline:
            try:
                response = await client.get(path, headers=headers)
                if response.status == expect:
                    count += 1
                else:
                    errors += 1
            except HTTPError:
                errors += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Throughput(name, count, errors, time.perf_counter() - started)
