"""The client's address, also behind the reverse proxy (nginx) of the production setup.

Django sees the proxy's address in REMOTE_ADDR. With `TRUSTED_PROXY_COUNT = N` (the number of
proxies in front of the portal that append to X-Forwarded-For, usually 1 for nginx with
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`), the client is the Nth entry from
the right of X-Forwarded-For: entries further left come from the client and may be forged.
With 0 (the default, no proxy) X-Forwarded-For is ignored. Login throttling (django-axes,
`AXES_CLIENT_IP_CALLABLE`) and password-reset throttling (django-ratelimit,
`RATELIMIT_IP_META_KEY`) both key on this address.

django-ipware is not used: in its 8.0 "proxy_count" mode an honest request through one proxy
(X-Forwarded-For with the client alone) yields no address at all.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    return hops[-count] if len(hops) >= count else remote
