"""Every gunicorn worker answers a page before the page is measured."""

from __future__ import annotations

import threading
from collections import Counter

from bench import measure, server


def test_each_path_is_asked_by_as_many_connections_at_once_as_there_are_workers(monkeypatch):
    # A request waits until the others of its round are in flight: asked one after another,
    # the barrier breaks (and the test fails) instead of every worker getting one.
    together = threading.Barrier(measure.WORKERS, timeout=5)
    asked = Counter()
    lock = threading.Lock()

    def timed_get(session, url):
        together.wait()
        with lock:
            asked[url] += 1
        return 1.0, None

    monkeypatch.setattr(server, "timed_get", timed_get)

    measure.warm_up("http://bench", "cookie", ["/meetings/", "/bench/floor"], rounds=2)

    assert asked == {
        "http://bench/meetings/": 2 * measure.WORKERS,
        "http://bench/bench/floor": 2 * measure.WORKERS,
    }
