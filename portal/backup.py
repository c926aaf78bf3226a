"""Backup and restore of the uploaded files, through Django's storage API: the same commands
for the local private storage (one server) and an S3-compatible bucket (S3_BUCKET).

`backup_files ARCHIVE` writes every file of the private storage into a .tar.gz under its storage
name; `restore_files ARCHIVE` writes them back (an existing file of the same name is replaced).
Files of background jobs (`jobs/`) are left out: they are made again on request and expire.
The archive is checked whole before anything is written: a name that is absolute, climbs out
(`..`) or is not a regular file refuses the restore.
"""

from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import Storage

SKIPPED_PREFIXES = ("jobs/",)


class BadArchive(Exception):
    pass


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in the storage, depth first, in a stable order."""
    folders, files = storage.listdir(folder)
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        yield from stored_names(storage, posixpath.join(folder, sub) if folder else sub)


def backup(storage: Storage, archive: Path) -> int:
    """Write the storage's files into `archive` (.tar.gz); the number of files."""
    count = 0
    partial = archive.with_name(archive.name + ".partial")
    with tarfile.open(partial, "w:gz") as tar:
        for name in stored_names(storage):
            if name.startswith(SKIPPED_PREFIXES):
                continue
            info = tarfile.TarInfo(name)
            info.size = storage.size(name)
            info.mode = 0o640
            with storage.open(name, "rb") as handle:
                tar.addfile(info, handle)
            count += 1
    partial.replace(archive)  # a backup cut short never looks like a whole one
    return count


def _checked_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        if member.isdir():
            continue
        name = posixpath.normpath(member.name)
        if not member.isfile() or name.startswith(("/", "../")) or name in ("..", ".") or "/../" in name:
            raise BadArchive(f"refused archive member {member.name!r}")
        members.append(member)
    return members


def restore(storage: Storage, archive: Path) -> int:
    """Write the archive's files into the storage under their names; the number of files."""
    with tarfile.open(archive, "r:gz") as tar:
        members = _checked_members(tar)  # the whole archive is checked before any write
        for member in members:
            name = posixpath.normpath(member.name).removeprefix("./")
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, File(tar.extractfile(member), name=posixpath.basename(name)))
            if saved != name:
                raise BadArchive(f"{name!r} was stored as {saved!r}")
    return len(members)
