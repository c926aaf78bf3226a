"""gunicorn with 2 workers on a free port (DEBUG off, the production settings plus the floor
URL), logged-in HTTP sessions for the personas, and latency statistics."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(workers: int = 2):
    """Serve the portal on 127.0.0.1:<free port>; yields the base URL."""
    port = free_port()
    # As the README's production environment file runs it: connections kept between requests
    # and Redis for the shared cache (the dashboard's aggregates); both may be overridden.
    env = {
        "DB_CONN_MAX_AGE": "60",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "False",
    }
    log = open(ROOT / "var" / "test" / "bench-gunicorn.log", "ab")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "portal.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "300",
            "--backlog",
            "2048",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(f"{base}/bench/floor", timeout=60)
                break
            except (requests.ConnectionError, requests.Timeout):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start (see var/test/bench-gunicorn.log)") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def session_cookie(user) -> str:
    """A logged-in session for `user` in the portal's session store (as a login would make)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    from django.conf import settings

    return client.cookies[settings.SESSION_COOKIE_NAME].value


def http_session(cookie: str | None) -> requests.Session:
    from django.conf import settings

    session = requests.Session()
    if cookie:
        session.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
    return session


def timed_get(session: requests.Session, url: str) -> tuple[float, requests.Response]:
    start = time.perf_counter()
    response = session.get(url, allow_redirects=False, timeout=300)
    return (time.perf_counter() - start) * 1000, response


def p50(samples: list[float]) -> float:
    return round(statistics.median(samples), 1)


def p95(samples: list[float]) -> float:
    if len(samples) < 2:
        return round(samples[0], 1)
    return round(statistics.quantiles(samples, n=20, method="inclusive")[-1], 1)


def at_once(calls: list) -> list:
    """Each call in a thread of its own, all released together; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
