"""Cross-app integration tests of the whole project: the route x persona matrix over every URL
(admin included), the scope content checks and the no-500 properties, run in a world of two
kabupaten (two_kabupaten.py) with objects of every installed app. They live here, not in
portal/tests, because the core names no app (portal/tests/test_layout.py)."""
