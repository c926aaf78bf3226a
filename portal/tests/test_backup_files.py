"""Backup and restore of the uploaded files (`backup_files`, `restore_files`), on the local
private storage and on an S3-compatible server (moto's server mode, a real HTTP S3 API)."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from portal.storage import private_storage

from .conftest import ROOT, wait_for

FILES = {
    "evidence/2026/foto-posyandu.jpg": b"\xff\xd8\xff" + os.urandom(2048),
    "rapat/12/daftar-hadir.pdf": b"%PDF-1.4 signed sheet",
    "notulen.txt": "Notulen rakor – Tapin".encode(),
}


def fill(storage) -> None:
    for name, content in FILES.items():
        assert storage.save(name, ContentFile(content)) == name
    storage.save("jobs/0b6e/commitments.xlsx", ContentFile(b"made again on request"))


def contents(storage) -> dict[str, bytes]:
    from portal.backup import stored_names

    return {name: storage.open(name, "rb").read() for name in stored_names(storage)}


def local_storage(settings, folder) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }


def s3_storage(settings, url: str, bucket: str) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": bucket, "location": "private", "endpoint_url": url,
                        "region_name": "us-east-1", "access_key": "test", "secret_key": "test",
                        "default_acl": "private", "file_overwrite": False},
        },
    }  # fmt: skip


@pytest.fixture
def s3_url(tmp_path):
    """moto's S3 server on a free local port, with two empty buckets."""
    import boto3

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (tmp_path / "s3.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _listens(port), timeout=30, what="the S3 server")
        s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
        for bucket in ("portal-live", "portal-restored"):
            s3.create_bucket(Bucket=bucket)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)


def _listens(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def test_the_local_files_are_backed_up_and_restored_elsewhere(settings, tmp_path):
    local_storage(settings, tmp_path / "live")
    fill(private_storage())
    archive = tmp_path / "private.tar.gz"

    call_command("backup_files", str(archive), stdout=io.StringIO())
    local_storage(settings, tmp_path / "restored")
    call_command("restore_files", str(archive), stdout=io.StringIO())

    assert contents(private_storage()) == FILES  # job files are not backed up


def test_the_s3_bucket_is_backed_up_and_restored_into_another_bucket(settings, tmp_path, s3_url):
    s3_storage(settings, s3_url, "portal-live")
    fill(private_storage())
    archive = tmp_path / "private.tar.gz"

    out = io.StringIO()
    call_command("backup_files", str(archive), stdout=out)
    s3_storage(settings, s3_url, "portal-restored")
    call_command("restore_files", str(archive), stdout=io.StringIO())
    call_command("restore_files", str(archive), stdout=io.StringIO())  # again: the same files, not copies

    assert out.getvalue().startswith("3 files backed up")
    assert contents(private_storage()) == FILES


def test_a_restore_refuses_an_archive_that_climbs_out_and_writes_nothing(settings, tmp_path):
    local_storage(settings, tmp_path / "restored")
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("notulen.txt", "../../etc/cron.d/evil"):
            info = tarfile.TarInfo(name)
            info.size = 3
            tar.addfile(info, io.BytesIO(b"abc"))

    with pytest.raises(CommandError, match="refused archive member"):
        call_command("restore_files", str(archive), stdout=io.StringIO())

    assert not (tmp_path / "restored").exists() or not any((tmp_path / "restored").iterdir())
