"""Several web nodes: two gunicorn processes on one PostgreSQL, one Redis and one S3-compatible
server (moto's server mode), each with its own empty local folders, as two machines would be.

A signed attendance sheet uploaded through node A is downloaded through node B by the same
session and refused there to a camat of another kecamatan; the file lives only in the bucket,
as a private object. Failed logins on both nodes count together (django-axes in PostgreSQL).
Rows must be committed for the nodes to see them, hence transaction=True.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from meetings.models import MeetingDocument
from portal.tests.conftest import database_url, free_port, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "portal-private"
PASSWORD = "Rahasia-uji-123"


def _client_module():
    """The HTTP client of scripts/prod-smoke.sh (headers of nginx, cookies, CSRF, multipart)."""
    spec = importlib.util.spec_from_file_location(
        "prod_smoke_client", ROOT / "scripts" / "prod_smoke_client.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


client = _client_module()


def _listens(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _start(command: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.fixture
def s3_server(tmp_path):
    """moto's S3-compatible server on a free local port, with an empty private bucket."""
    import boto3

    port = free_port()
    process = _start(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], tmp_path / "s3.log"
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _listens(port), timeout=30, what="the S3 server")
        s3 = boto3.client(
            "s3",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        s3.create_bucket(Bucket=BUCKET)
        s3.url = url
        yield s3
    finally:
        _stop(process)


@pytest.fixture
def nodes(transactional_db, tmp_path, s3_server):
    """Start web nodes (gunicorn) with the production settings, sharing only the services."""
    started: list[subprocess.Popen] = []
    secret = os.urandom(24).hex()

    def start(name: str) -> str:
        port = free_port()
        env = {
            **os.environ,
            "DEBUG": "False",
            "SECRET_KEY": secret,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "VAR_DIR": str(tmp_path / name),
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": s3_server.url,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "test",
            "S3_SECRET_ACCESS_KEY": "test",
            "AXES_FAILURE_LIMIT": "3",
            "WHITENOISE_USE_FINDERS": "True",
        }
        for key in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
            env.pop(key, None)  # production defaults: the client speaks "https" through the proxy headers
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ]
        process = _start(command, tmp_path / f"{name}.log", env)
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _listens(port) or process.poll() is not None, timeout=60, what=f"node {name}")
        assert process.poll() is None, (tmp_path / f"{name}.log").read_text()
        return url

    yield start
    for process in started:
        _stop(process)


def _with_real_password(*users) -> None:
    # The nodes run production's password hashers; the test process uses a fast one.
    for user in users:
        user.password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
        user.save(update_fields=["password"])


def test_a_sheet_uploaded_through_node_a_downloads_through_node_b_with_the_same_access_checks(
    nodes, s3_server, tapin_utara_rakor, camat_a, camat_b, tmp_path
):
    _with_real_password(camat_a, camat_b)
    node_a, node_b = nodes("a"), nodes("b")
    meeting = f"/meetings/{tapin_utara_rakor.pk}/"

    on_a = client.Browser(node_a)
    on_a.login(camat_a.username, PASSWORD)
    on_a.upload(
        meeting + "documents/", {"kind": "daftar_hadir"}, {"file": ("daftar-hadir.pdf", client.SHEET)}
    )

    document = MeetingDocument.objects.get(meeting=tapin_utara_rakor)
    objects = s3_server.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert [o["Key"] for o in objects] == [f"private/{document.file.name}"]
    grants = s3_server.get_object_acl(Bucket=BUCKET, Key=objects[0]["Key"])["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants), "the object is readable by a group"
    assert not any(p.is_file() for p in tmp_path.rglob("*.pdf")), "a node kept the file on its disk"

    # Same session, other node: the session lives in PostgreSQL behind the Redis cache.
    on_b = client.Browser(node_b)
    on_b.cookies = dict(on_a.cookies)
    status, headers, body = on_b.request(document.get_absolute_url())
    assert status == 200
    assert body.encode() == client.SHEET
    assert "amazonaws" not in headers.get("Location", "") and s3_server.url not in body

    outsider = client.Browser(node_b)
    outsider.login(camat_b.username, PASSWORD)
    status, _, body = outsider.request(document.get_absolute_url())
    assert status == 404
    assert "%PDF" not in body


def test_failed_logins_on_both_nodes_count_together(nodes, camat_a):
    from axes.models import AccessAttempt

    _with_real_password(camat_a)
    node_a, node_b = nodes("a"), nodes("b")

    for node in (node_a, node_b, node_a):  # AXES_FAILURE_LIMIT=3 across the two nodes
        browser = client.Browser(node)
        form = browser.form("/accounts/login/")
        data = [(k, v) for k, v in form.fields if k not in ("username", "password")]
        status, _, _ = browser.request(
            "/accounts/login/", [*data, ("username", camat_a.username), ("password", "salah")]
        )
        assert status in (200, 429)

    assert AccessAttempt.objects.get(username=camat_a.username).failures_since_start == 3
    locked_out = client.Browser(node_b)
    form = locked_out.form("/accounts/login/")
    data = [(k, v) for k, v in form.fields if k not in ("username", "password")]
    status, _, _ = locked_out.request(
        "/accounts/login/", [*data, ("username", camat_a.username), ("password", PASSWORD)]
    )
    assert status == 429
    assert "sessionid" not in locked_out.cookies
