"""Fixtures of the reminders engine's tests: people, settings, and the real services
for the integration tests (a Celery worker process, Redis, an SMTP server)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def person(db):
    """Make an active person with an email address (and a language)."""
    from portal.models import User

    def make(username: str, *, language: str = "id", email: str | None = None, **fields) -> User:
        return User.objects.create_user(
            username,
            email=f"{username}@example.org" if email is None else email,
            full_name=username.title(),
            language=language,
            **fields,
        )

    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- a real SMTP server ---------------------------------------------------------


class RecordingHandler:
    """aiosmtpd handler. mode: "accept", "refuse" (554 on DATA), or "slow" (wait `delay`
    seconds before accepting; a client that goes away meanwhile delivers nothing)."""

    def __init__(self) -> None:
        self.mode = "accept"
        self.delay = 0.0
        self.messages: list = []
        self.peers: list = []  # the client's (host, port) of each message: one per SMTP session
        self.attempts: list[float] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes

        self.attempts.append(time.monotonic())
        if self.mode == "refuse":
            return "554 5.7.1 Message refused by test server"
        if self.delay:
            # Cancelled by aiosmtpd if the client disconnects: then nothing is delivered.
            await asyncio.sleep(self.delay)
        with self._lock:
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
            self.peers.append(session.peer)
        return "250 OK queued"

    def notification_ids(self) -> list[str]:
        return [m["X-Portal-Notification"] for m in self.messages]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def smtp(settings, smtp_server):
    """Django's mail sent through the portal's backend to the test SMTP server."""
    settings.EMAIL_BACKEND = "portal.mail.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server


# --- Redis ------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own, so a test can take the broker down and bring it back."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _redis_answers(self.url), timeout=10, what="redis-server to start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server (apt-get install redis-server)")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def point_celery_at(url: str) -> None:
    """Make this process's Celery app (which publishes tasks) use `url`, with fresh connections."""
    from kombu import pools

    from portal.celery import app

    app.conf.broker_url = url
    pools.reset()  # kombu keeps closed pools in global registries; start from empty ones
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def use_broker():
    """Point this process's Celery app at another broker for one test."""
    from portal.celery import app

    original = app.conf.broker_url
    yield point_celery_at
    point_celery_at(original)


# --- a real Celery worker process ------------------------------------------------------


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path) -> None:
        self.process, self.log = process, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool children: no chance to finish or acknowledge anything."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def database_url() -> str:
    """The URL of the test database this pytest run uses (test_<NAME> on PostgreSQL)."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_workers(transactional_db, tmp_path, smtp_server):
    """Start real `celery -A portal worker` processes on the test database, a Redis broker and
    the test SMTP server. Needs committed rows: the tests using it run with transaction=True."""
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("the worker process needs a shared database: set DATABASE_URL=postgres://...")
    started: list[Worker] = []

    def start(
        broker_url: str | None = None, *, beat: bool = False, concurrency: int = 2, env: dict | None = None
    ):
        import redis

        broker_url = broker_url or os.environ["REDIS_URL"]
        if not started:
            redis.Redis.from_url(broker_url).flushdb()  # no stale messages from earlier tests
            if broker_url == os.environ["REDIS_URL"]:
                point_celery_at(broker_url)  # fresh connections: an earlier test may have closed the pool
        name = uuid.uuid4().hex[:8]
        log = tmp_path / f"worker-{name}.log"
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_server.port),
            "EMAIL_TIMEOUT": "2",
            "VAR_DIR": str(tmp_path / "var"),
            "REMINDERS_SCAN_SECONDS": "1",
            "REMINDERS_DISPATCH_SECONDS": "1",
            "REMINDERS_DIGEST_SECONDS": "2",
            **(env or {}),
        }
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO",
                   f"--concurrency={concurrency}", f"--hostname=test-{name}@%h",
                   "--without-mingle", "--without-gossip", "--without-heartbeat"]  # fmt: skip
        if beat:
            command += ["--beat", f"--schedule={tmp_path / f'beat-{name}'}"]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, log)
        started.append(worker)
        wait_for(
            lambda: " ready." in worker.output() or process.poll() is not None,
            timeout=60,
            what="the Celery worker to be ready",
        )
        assert process.poll() is None, f"worker exited:\n{worker.output()[-3000:]}"
        return worker

    yield start
    for worker in started:
        worker.stop()
