"""Parsing of `/kpi` text into subcommands; the advisor does the understanding, this only routes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from advisor.parse import MAX_QUESTION_CHARS  # the advisor's limit: one number for every front end
from kpi_engine.errors import KpiAdvisorError

__all__ = ["CommandError", "KpiCommand", "DigestCommand", "parse_command", "parse_digest",
           "question_for", "strip_mentions", "check_length", "parse_scorecard", "MAX_QUESTION_CHARS"]

SUBCOMMANDS = ("value", "scorecard", "explain", "recommend", "list", "digest", "help", "target", "note", "brief")
DIGEST_VERBS = ("subscribe", "list", "pause", "resume", "remove", "update")
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


class CommandError(KpiAdvisorError):
    """The command text could not be understood; the message says how to write it."""


@dataclass(frozen=True)
class KpiCommand:
    name: str  # "ask" (free text) or one of SUBCOMMANDS
    args: str = ""


@dataclass(frozen=True)
class DigestCommand:
    verb: str
    sub_id: str | None = None
    spec: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def strip_mentions(text: str) -> str:
    """Remove `<@U123>` mentions (the bot's own, in app_mention text) and tidy whitespace."""
    return " ".join(_MENTION.sub(" ", text or "").split())


def check_length(text: str) -> str:
    if len(text) > MAX_QUESTION_CHARS:
        raise CommandError(
            f"That's {len(text):,} characters; please keep a question under {MAX_QUESTION_CHARS:,}."
        )
    return text


def parse_command(text: str) -> KpiCommand:
    """`/kpi <text>` -> subcommand; anything that is not a subcommand is a question."""
    text = check_length(" ".join((text or "").split()))
    if not text:
        return KpiCommand("help")
    head, _, rest = text.partition(" ")
    name = head.lower()
    if name in SUBCOMMANDS:
        if name in ("value", "explain") and not rest:
            raise CommandError(f"Which KPI? Try `/kpi {name} engagement_rate` or `/kpi list`.")
        if name == "recommend" and not rest:
            raise CommandError("For which goal? Try `/kpi recommend awareness`.")
        return KpiCommand(name, rest.strip())
    return KpiCommand("ask", text)


def question_for(cmd: KpiCommand) -> str:
    """The question the advisor's router understands for a subcommand."""
    if cmd.name == "value":
        return f"value {cmd.args}"  # reads as a value question whatever the words
    if cmd.name == "explain":
        return f"explain {cmd.args}"
    if cmd.name == "recommend":
        return f"which KPI for {cmd.args}?"
    if cmd.name == "list":
        return "list kpis"
    if cmd.name == "brief":
        return f"brief {cmd.args}".strip()  # `/kpi brief [platform] [period]`: the advisor reads the scope
    return cmd.args


def parse_scorecard(args: str) -> tuple[str | None, str]:
    """`[goal=]<goal> [period words]` -> (goal, period)."""
    goal: str | None = None
    words = args.split()
    rest: list[str] = []
    for word in words:
        if word.lower().startswith("goal="):
            goal = word.split("=", 1)[1] or None
        elif goal is None and not rest and not re.match(r"(last|this|past|previous|\d)", word, re.I):
            goal = word
        else:
            rest.append(word)
    return goal, " ".join(rest) or "last_week"


def parse_digest(args: str) -> DigestCommand:
    """`digest <verb> [id] [spec]` -> DigestCommand; the spec itself is parsed by the digest service."""
    verb, _, rest = " ".join(args.split()).partition(" ")
    verb = verb.lower() or "list"
    if verb in ("unsubscribe", "delete", "rm"):
        verb = "remove"
    if verb not in DIGEST_VERBS:
        raise CommandError(
            f"Unknown digest command '{verb}'. Use one of: {', '.join(DIGEST_VERBS)}, "
            "e.g. `/kpi digest subscribe weekly mon 09:00 Europe/Berlin goal=awareness`."
        )
    if verb == "subscribe":
        if not rest:
            raise CommandError("When? Try `/kpi digest subscribe weekly mon 09:00 goal=awareness`.")
        return DigestCommand(verb, spec=rest)
    if verb == "list":
        return DigestCommand(verb)
    sub_id, _, spec = rest.partition(" ")
    sub_id = sub_id.lstrip("#")
    if not sub_id.isdigit():
        raise CommandError(f"Which subscription? `/kpi digest {verb} <id>` with the number "
                           "`/kpi digest list` shows.")
    if verb == "update" and not spec:
        raise CommandError("Update it to what? `/kpi digest update <id> weekly fri 16:00`.")
    return DigestCommand(verb, sub_id=sub_id, spec=spec)
