"""URLs of commitments (RTL): included into meetings.urls under the `meetings` namespace."""

urlpatterns: list = []
