"""The production settings plus one bench-only URL (the floor view); used only by `make bench`."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
