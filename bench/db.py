"""The benchmark's own PostgreSQL databases: portal_bench_<percent> (1, 10, 100), made from
DATABASE_URL's server; measurements run on a copy made with CREATE DATABASE ... TEMPLATE, so the
generated data stays as generated."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg


def bench_name(scale: float) -> str:
    percent = scale * 100
    label = f"{percent:g}".replace(".", "_")
    return f"portal_bench_{label}"


def url_for(name: str, base: str | None = None) -> str:
    parts = urlsplit(base or os.environ["DATABASE_URL"])
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("bench: DATABASE_URL must point at PostgreSQL (postgres://...)")
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(base: str | None = None) -> psycopg.Connection:
    return psycopg.connect(url_for("postgres", base), autocommit=True)


def recreate(name: str, template: str | None = None) -> None:
    """Drop `name` if it exists and create it empty (or as a copy of `template`)."""
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def exists(name: str) -> bool:
    with _admin() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def size(name: str) -> str:
    with _admin() as conn:
        return conn.execute("SELECT pg_size_pretty(pg_database_size(%s))", [name]).fetchone()[0]


def vacuum(name: str, base: str | None = None) -> None:
    """VACUUM (ANALYZE) the whole database, as autovacuum keeps a production one. Tables filled by
    COPY have no visibility map, and a copy made with TEMPLATE starts with zeroed statistics
    counters, so autovacuum never visits it: without this every count read the table rows
    instead of the (partial) index alone (the unread badge: 5 ms instead of 0.1 ms)."""
    with psycopg.connect(url_for(name, base), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
