"""`python -m bench [generate|measure|all] --scale 0.01|0.1|1` (`make bench BENCH_ARGS=...`).

generate: make portal_bench_<percent> from scratch (migrate, then bench.generate).
measure:  copy it (CREATE DATABASE ... TEMPLATE) to portal_bench_<percent>_run, measure there,
          write bench/results.json (merged per scale) and BENCHMARKS.md.
all:      both (the default; generate is skipped when the database exists, unless --regenerate).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("action", nargs="?", default="all", choices=["generate", "measure", "all"])
    parser.add_argument("--scale", type=float, default=0.01, help="1 is national scale (default 0.01)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--regenerate", action="store_true", help="generate even if the database exists")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page and persona")
    parser.add_argument(
        "--db",
        default="",
        help="measure this copy of the generated database instead (e.g. made with createdb -T "
        "portal_bench_10 portal_bench_10_mine); its copy is <db>_run",
    )
    parser.add_argument("--only", default="", help="comma-separated measurement groups (pages,scan,...)")
    parser.add_argument(
        "--pages",
        default="",
        help="measure only the pages whose name contains one of these comma-separated words "
        "(e.g. 'meeting,dashboard (camat)'; a name is 'label (persona)')",
    )
    args = parser.parse_args(argv)

    from bench import db

    base_url = os.environ.get("DATABASE_URL", "")
    name = args.db or db.bench_name(args.scale)
    if args.db and args.action != "measure":
        parser.error("--db goes with measure only")
    if args.action in ("generate", "all") and (
        args.regenerate or args.action == "generate" or not db.exists(name)
    ):
        run_generate(name, args.scale, args.seed, base_url)
    if args.action in ("measure", "all"):
        # A database generated before newer migrations is brought up to date once, in place
        # (what a deployment does), so every copy measures the code as it is.
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
            env={**os.environ, "DATABASE_URL": db.url_for(name, base_url)},
            check=True,
        )
        print(f"bench: migrated {name} in {time.perf_counter() - start:.1f} s", flush=True)
        start = time.perf_counter()
        db.vacuum(name, base_url)
        print(f"bench: vacuumed {name} in {time.perf_counter() - start:.1f} s", flush=True)
        run_name = f"{name}_run"
        start = time.perf_counter()
        db.recreate(run_name, template=name)
        print(f"bench: copied {name} to {run_name} in {time.perf_counter() - start:.1f} s", flush=True)
        os.environ["DATABASE_URL"] = db.url_for(run_name, base_url)
        from bench.measure import measure_all

        measure_all(
            scale=args.scale,
            repeat=args.repeat,
            only=[g for g in args.only.split(",") if g],
            pages=[p for p in args.pages.split(",") if p],
        )


def run_generate(name: str, scale: float, seed: int, base_url: str) -> None:
    from bench import db

    db.recreate(name)
    os.environ["DATABASE_URL"] = db.url_for(name, base_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import generate

    print(f"bench: generating {name} at scale {scale:g} (seed {seed})", flush=True)
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate = time.perf_counter() - start
    print(f"  {'migrate':<14} {migrate:8.1f} s", flush=True)
    regions = Path(settings.WILAYAH_DIR) / "regions-all.csv.gz"
    timings = generate(scale, seed=seed, regions=regions, log=lambda m: print(m, flush=True))
    total = time.perf_counter() - start
    connection.close()
    meta = {
        "scale": scale,
        "seed": seed,
        "database": name,
        "migrate_s": round(migrate, 1),
        "steps_s": timings,
        "total_s": round(total, 1),
        "size": db.size(name),
        "generated_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    out = ROOT / "bench" / "generated.json"
    known = json.loads(out.read_text()) if out.exists() else {}
    known[name] = meta
    out.write_text(json.dumps(known, indent=2) + "\n")
    print(f"bench: {name} generated in {total:.0f} s ({meta['size']})", flush=True)


if __name__ == "__main__":
    main()
