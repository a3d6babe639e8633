"""Keep secrets and request bodies out of logs.

slack_sdk's debug logs print OAuth responses that carry tokens; slack_bolt logs the body
of a request whose signature it rejects. Every record passes :class:`RedactSecrets` on
its way to a handler.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from advisor.settings import MIN_SECRET_LENGTH, mask_passwords

__all__ = ["RedactSecrets", "install_redaction", "redact", "register_secrets"]

# Secrets of this process's configuration (tokens, keys, database passwords), masked wherever
# text leaves the process: log records and messages shown to people (bot.render.errors).
_KNOWN: set[str] = set()


def register_secrets(values: Iterable[str]) -> None:
    """Remember configured secrets, so :func:`redact` masks them even where nobody passes them."""
    _KNOWN.update(v for v in values if v and len(v) >= MIN_SECRET_LENGTH)  # a short one would mask words

# Slack tokens (bot, user, app-level, refresh, config) and OAuth client secrets/codes in bodies.
_PATTERNS = [
    re.compile(r"\bxox[abposre]-[A-Za-z0-9-]+"),
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),
    re.compile(r"(?i)(client_secret|signing_secret|refresh_token|access_token)(['\"]?\s*[:=]\s*['\"]?)[^'\"&,\s}]+"),
]
# slack_bolt messages that end with a request body: "... body: {...})", "request body: ...".
_BODY = re.compile(r"(?is)\b(request body|body)\s*[:=].*$")


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with every token-like string, URL password and known secret replaced."""
    for secret in sorted({*extra, *_KNOWN}, key=len, reverse=True):  # longest first: no partial leftovers
        if len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, "[redacted]")
    text = _PATTERNS[0].sub("xox?-[redacted]", text)
    text = _PATTERNS[1].sub("xapp-[redacted]", text)
    text = _PATTERNS[2].sub(r"\1\2[redacted]", text)
    return mask_passwords(text)


class RedactSecrets(logging.Filter):
    """A handler filter that rewrites each record's message with secrets (and bolt's bodies) removed."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if record.name.startswith("slack_bolt"):
            cleaned = _BODY.sub(r"\1: [not logged]", cleaned)
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
    secrets = [s for s in secrets if s]
    register_secrets(secrets)
    flt = RedactSecrets(secrets)
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        handler.addFilter(flt)
    return flt
