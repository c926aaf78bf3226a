"""Keep one-tap tokens out of logs.

A one-tap link's token is in its URL (e.g. `/<app>/3/rsvp/<token>/`), so any log line with the
path would let its reader act as the recipient. `RedactTokens` (a logging filter, on the
console handler in `settings.LOGGING`) and `GunicornLogger` (gunicorn's access log:
`gunicorn --logger-class portal.logs.GunicornLogger`) replace every token by "…". The reverse
proxy's access log needs the same (see SECURITY.md).
"""

from __future__ import annotations

import logging

from gunicorn.glogging import Logger

from .tokens import TOKEN_RE, redact


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN_RE.search(message):
            record.msg, record.args = redact(message), ()
        return True


class GunicornLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
