"""Start and stop a production gunicorn, and watch its workers' memory and CPU.

Used by the benchmark runner and by tests/test_scaleout.py. Every wait here is
bounded, and stop() ends the whole process group it started, nothing else.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(
    database_url: str, cache_url: str = "locmem://", static_root: Path | None = None, **extra: str
) -> dict:
    """The environment of a production app server on plain http at 127.0.0.1.

    With `static_root`, static files are collected into and served from there
    (bench/settings.py) instead of the project's shared staticfiles/ folder.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "DATABASE_URL", "CACHE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="false",
        SECRET_KEY=env.get("BENCH_SECRET_KEY", "bench-" + "k7Qx9-not-a-real-secret-" * 3),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        PYTHONUNBUFFERED="1",
        # glibc gives each thread that allocates its own heap (arena) up to 8 per
        # core, and a gthread worker's threads draw large pages of HTML: the arenas
        # hold memory the others freed. Two, as README.md advises for production.
        MALLOC_ARENA_MAX=env.get("MALLOC_ARENA_MAX", "2"),
    )
    if static_root is not None:
        env["BENCH_STATIC_ROOT"] = str(static_root)
    env.update(extra)
    return env


def collect_static(env: dict, timeout: float = 120) -> None:
    """collectstatic for the server `env` describes, in a process of its own."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
        cwd=PROJECT,
        env=env,
        check=True,
        timeout=timeout,
    )


@dataclass
class Gunicorn:
    env: dict
    port: int = field(default_factory=free_port)
    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1
    preload: bool = False
    log_path: Path | None = None
    nice: int = 0  # started under `nice -n`: a lower CPU priority than the others
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [
            str(GUNICORN),
            "gransforum.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--backlog",
            "4096",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            # Idle keep-alive connections (gthread) stay open this long: longer than the
            # client keeps them idle (bench/client.py), like a load balancer's pool.
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads)]
        if self.preload:
            command.append("--preload")
        if self.nice:
            command = ["nice", "-n", str(self.nice), *command]
        return command

    def start(self, wait_seconds: float = 30.0) -> None:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                self.command(),
                cwd=PROJECT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT if self.log_path else subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stop() ends it and its workers
            )
        finally:
            if self.log_path:
                log.close()
        atexit.register(self.stop)  # whatever happens to the caller, no server is left behind
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer on {self.base_url} in {wait_seconds} s")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        return children(self.process.pid)

    def stop(self, wait_seconds: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pgid = self.process.pid  # start_new_session: the group id is the master's pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.process.wait(timeout=wait_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=wait_seconds)
        except ProcessLookupError:
            pass


@dataclass
class Instances:
    """Several gunicorns on their own ports, balanced by the client (bench/client.py):
    one process per core behind the balancer, instead of one gunicorn whose workers
    share a port (where a worker can end up with most of the balancer's kept-alive
    connections, and so most of the work, while another core idles)."""

    servers: list[Gunicorn]

    @property
    def base_url(self) -> str:
        return ",".join(server.base_url for server in self.servers)

    @property
    def log_path(self) -> Path | None:
        return self.servers[0].log_path

    def command(self) -> list[str]:
        ports = ",".join(str(server.port) for server in self.servers)
        return [*self.servers[0].command(), f"(×{len(self.servers)}, ports {ports})"]

    def start(self) -> None:
        for server in self.servers:
            server.start()

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def masters(self) -> list[int]:
        return [server.process.pid for server in self.servers if server.process]

    def worker_pids(self) -> list[int]:
        return [pid for server in self.servers for pid in server.worker_pids()]


def children(pid: int) -> list[int]:
    pids = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            pids += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return sorted(set(pids))


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB; PSS counts pages shared with the other workers fractionally."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15 of stat; after the ")" they are 12 and 13.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Sampler:
    """Every `interval` seconds: each worker's RSS/PSS and the server's CPU time."""

    def __init__(self, server: Gunicorn, interval: float = 1.0):
        self.server = server
        self.interval = interval
        self.max_rss: dict[int, int] = {}
        self.max_pss: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        # (monotonic time, each worker's CPU seconds, the machine's busy seconds): the
        # timeline of the run, to set against the latencies of the same moments.
        self.history: list[tuple[float, dict[int, float], float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def reset_peaks(self) -> None:
        """Forget the peaks so far: the run's peaks start now."""
        self.max_rss.clear()
        self.max_pss.clear()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def sample(self) -> None:
        server = self.server
        if isinstance(server, Instances):
            masters = server.masters()
        else:
            masters = [server.process.pid] if server.process else []
        for pid in server.worker_pids():
            rss, pss = memory_kib(pid)
            self.max_rss[pid] = max(self.max_rss.get(pid, 0), rss)
            self.max_pss[pid] = max(self.max_pss.get(pid, 0), pss)
            self.cpu[pid] = cpu_seconds(pid)
        for master in masters:
            self.cpu[master] = cpu_seconds(master)
        workers = {pid: cpu for pid, cpu in self.cpu.items() if pid not in masters}
        self.history.append((time.monotonic(), workers, machine_cpu()[0]))

    def server_cpu(self) -> float:
        """CPU seconds used so far by the master and every worker seen."""
        self.sample()
        return sum(self.cpu.values())

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()


class PeakWatcher:
    """Samples the RSS (KiB) of `pids` every `interval` s between start() and stop()."""

    def __init__(self, pids: list[int], interval: float = 0.01):
        self.pids = pids
        self.interval = interval
        self.peaks = dict.fromkeys(pids, 0)
        self.before = {pid: memory_kib(pid)[0] for pid in pids}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._done.is_set():
            for pid in self.pids:
                self.peaks[pid] = max(self.peaks[pid], memory_kib(pid)[0])
            time.sleep(self.interval)

    def start(self) -> PeakWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    @property
    def max_rise_kib(self) -> int:
        return max((self.peaks[p] - self.before[p] for p in self.pids), default=0)

    @property
    def max_kib(self) -> int:
        return max(self.peaks.values(), default=0)


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # guest time is already inside user
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def processes_cpu(name: str) -> float:
    """CPU seconds used so far by the processes called `name` (e.g. postgres).

    The running ones, plus what their exited children used (cutime and cstime):
    PostgreSQL's backends end with their connections, before the run is over, and
    the postmaster has reaped them. Without it a run's database CPU read as ~0.
    """
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1 : text.rindex(")")] == name:
            fields = text.rsplit(")", 1)[1].split()
            # utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the ")".
            total += sum(int(f) for f in fields[11:15]) / CLOCK_TICKS
    return total
