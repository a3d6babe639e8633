"""Keep secrets out of logs: slack_sdk's debug logs print OAuth responses that carry tokens."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

__all__ = ["RedactSecrets", "install_redaction", "redact"]

# Slack tokens (bot, user, app-level, refresh, config) and OAuth client secrets/codes in bodies.
_PATTERNS = [
    re.compile(r"\bxox[abposre]-[A-Za-z0-9-]+"),
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),
    re.compile(r"(?i)(client_secret|signing_secret|refresh_token|access_token)(['\"]?\s*[:=]\s*['\"]?)[^'\"&,\s}]+"),
]


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with every token-like string and every known secret replaced."""
    for secret in extra:
        if secret:
            text = text.replace(secret, "[redacted]")
    text = _PATTERNS[0].sub("xox?-[redacted]", text)
    text = _PATTERNS[1].sub("xapp-[redacted]", text)
    return _PATTERNS[2].sub(r"\1\2[redacted]", text)


class RedactSecrets(logging.Filter):
    """A handler filter that rewrites each record's message with secrets removed."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_redaction(handlers: Iterable[logging.Handler] | None = None,
                      secrets: Iterable[str] = ()) -> RedactSecrets:
    """Attach the filter to ``handlers`` (default: the root logger's), where every record passes."""
    flt = RedactSecrets(secrets)
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        handler.addFilter(flt)
    return flt
