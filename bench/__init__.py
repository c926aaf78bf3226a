"""National-scale benchmark harness (`make bench`): a reproducible data generator and the
measurements of issue 13. Never imported by the portal; benchmarks never run in `make test`
(only a smoke version, bench/tests/test_smoke.py)."""
