"""The bench's statement count covers the connections other threads open meanwhile."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from bench.measure import count_queries


@pytest.mark.django_db(transaction=True)
def test_statements_of_this_thread_and_of_threads_started_meanwhile_are_counted():
    def lane():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.execute("SELECT 2")
        finally:
            connections.close_all()

    with count_queries() as counted:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        thread = threading.Thread(target=lane)
        thread.start()
        thread.join(30)

    assert counted["n"] == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert counted["n"] == 3  # not after the block
