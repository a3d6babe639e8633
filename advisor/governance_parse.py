"""The words of target and note commands, shared by Slack (`/kpi target ...`) and the terminal.

    target set engagement_rate 5% by 2027-03-31 platform=instagram owner=@maria
    target list [kpi] | target remove 3 | target suggest engagement_rate next_quarter [platform=x]
    note 2026-11-18 "LinkedIn feed change" platform=linkedin
    note 2026-11-16..2026-11-20 "Spring launch" | note list [platform=linkedin] | note remove 7

Only the words are read here; the engine resolves KPIs, filters and periods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from .errors import BadQuestion

__all__ = [
    "NOTE_HELP",
    "TARGET_HELP",
    "NoteRequest",
    "TargetRequest",
    "normalise_owner",
    "parse_note_command",
    "parse_note_reply",
    "parse_target_command",
    "parse_target_value",
]

TARGET_HELP = ("`target set engagement_rate 5% by 2027-03-31 platform=instagram owner=@maria`, "
               "`target list`, `target remove <id>` or `target suggest engagement_rate next_quarter`")
NOTE_HELP = ('`note 2026-11-18 "LinkedIn feed change" platform=linkedin`, `note list` or `note remove <id>`')
_TARGET_VERBS = {"set": "set", "add": "set", "update": "set", "list": "list", "ls": "list", "show": "list",
                 "remove": "remove", "rm": "remove", "delete": "remove", "suggest": "suggest"}
_NOTE_VERBS = {"add": "add", "list": "list", "ls": "list", "show": "list", "remove": "remove", "rm": "remove",
               "delete": "remove"}
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'"})
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_SLACK_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$")
_SLACK_LINK = re.compile(r"<(?:[#!][^|>]*\|)?([^|>]*)>")


@dataclass(frozen=True)
class TargetRequest:
    verb: str  # set | list | remove | suggest
    kpi: str | None = None
    value: str | None = None
    period: str | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)
    owner: str | None = None
    owner_label: str | None = None
    target_id: int | None = None


@dataclass(frozen=True)
class NoteRequest:
    verb: str  # add | list | remove
    start: date | None = None
    end: date | None = None
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    note_id: int | None = None


def _tokens(text: str, help_text: str) -> list[str]:
    """Words, with "double-quoted text" kept whole; apostrophes are text ("LinkedIn's feed")."""
    text = (text or "").translate(_QUOTES)
    if text.count('"') % 2:
        raise BadQuestion(f"A quote is not closed. Try {help_text}.")
    return [quoted if quoted is not None and word == "" else word
            for quoted, word in ((m.group(1), m.group(2) or "") for m in _TOKEN.finditer(text))]


def normalise_owner(text: str) -> tuple[str | None, str | None]:
    """(owner, label): '<@U123|maria>' -> ('U123', '@maria'), a Slack user to DM; '@maria' stays a name."""
    text = text.strip()
    if not text:
        return None, None
    m = _SLACK_USER.match(text)
    if m:
        return m.group(1), (f"@{m.group(2)}" if m.group(2) else None)
    name = _SLACK_LINK.sub(r"\1", text)[:64]
    return name, name


def _split_options(tokens: list[str]) -> tuple[list[str], dict[str, list[str]], dict[str, str]]:
    """Words, filters (dim=a,b) and the known options (owner=...)."""
    words: list[str] = []
    filters: dict[str, list[str]] = {}
    options: dict[str, str] = {}
    for tok in tokens:
        key, eq, value = tok.partition("=")
        if not eq or not key or " " in tok:  # quoted text is never an option
            words.append(tok)
            continue
        key = key.strip().lower()
        if key in ("owner", "by", "period", "for"):
            options[key] = value
        else:
            vals = [_SLACK_LINK.sub(r"\1", v).strip() for v in value.split(",") if v.strip()]
            if not vals:
                raise BadQuestion(f"'{tok}' has no value; write {key}=VALUE.")
            filters.setdefault(key, []).extend(vals)
    return words, filters, options


def _int_id(word: str | None, what: str, help_text: str) -> int:
    raw = (word or "").lstrip("#")
    if not raw.isdigit():
        raise BadQuestion(f"Which {what}? Give its number as `list` shows it, e.g. `{what} remove 3`.")
    return int(raw)


def parse_target_command(text: str) -> TargetRequest:
    """`set|list|remove|suggest ...` (the words after `target`)."""
    tokens = _tokens(text, TARGET_HELP)
    if not tokens:
        return TargetRequest(verb="list")
    verb = _TARGET_VERBS.get(tokens[0].lower())
    if verb is None:
        raise BadQuestion(f"Unknown target command '{tokens[0]}'. Use {TARGET_HELP}.")
    words, filters, options = _split_options(tokens[1:])
    owner, owner_label = normalise_owner(options["owner"]) if "owner" in options else (None, None)
    period_opt = options.get("by") and f"by {options['by']}" or options.get("period") or options.get("for")
    if verb == "remove":
        return TargetRequest(verb=verb, target_id=_int_id(words[0] if words else None, "target", TARGET_HELP))
    if verb == "list":
        return TargetRequest(verb=verb, kpi=words[0] if words else None, filters=filters)
    if not words:
        raise BadQuestion(f"Which KPI? Try {TARGET_HELP}.")
    kpi, rest = words[0], words[1:]
    value = None
    if verb == "set":
        if not rest:
            raise BadQuestion(f"What target for {kpi}? Write a value, e.g. `target set {kpi} 5% by 2027-03-31`.")
        value, rest = rest[0], rest[1:]
    if rest and rest[0].lower() in ("for", "in", "over", "during"):
        rest = rest[1:]
    period = period_opt or (" ".join(rest) if rest else None)
    return TargetRequest(verb=verb, kpi=kpi, value=value, period=period, filters=filters, owner=owner,
                         owner_label=owner_label)


_NUMBER = re.compile(
    r"^(?P<cur>[$\u20ac\u00a3])?\s*(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)"
    r"\s*(?P<sfx>k|m|mn|b|bn|%|pct|percent|pp|min|mins|minutes|h|hours?|s|sec|secs|seconds)?$", re.IGNORECASE)


def parse_target_value(text: str, unit: str, kpi_name: str) -> float:
    """A target typed in the KPI's own unit: '5%' (percent), '1.2M' or '12,000' (counts), '30min'."""
    m = _NUMBER.match((text or "").strip().replace(" ", ""))
    if not m:
        raise BadQuestion(f"'{text}' is not a number. Write the target for {kpi_name} like 5%, 12000, 1.2M or 30min.")
    value = float(m.group("num").replace(",", ""))
    sfx = (m.group("sfx") or "").lower()
    if sfx in ("%", "pct", "percent", "pp") and unit != "percent":
        raise BadQuestion(f"{kpi_name} is not a percentage; write the target as a plain number.")
    if sfx in ("k", "m", "mn", "b", "bn"):
        if unit == "minutes" and sfx == "m":
            return value  # 30m of response time: minutes
        value *= {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9}[sfx]
    elif sfx.startswith("h"):
        value *= 60 if unit == "minutes" else 3600 if unit == "seconds" else 1
    elif sfx in ("min", "mins", "minutes") and unit == "seconds":
        value *= 60
    elif sfx in ("s", "sec", "secs", "seconds") and unit == "minutes":
        value /= 60
    if m.group("cur") and unit != "currency":
        raise BadQuestion(f"{kpi_name} is not money; write the target as a plain number.")
    return value


def _day(word: str, today: date) -> date | None:
    w = word.lower()
    if w == "today":
        return today
    if w == "yesterday":
        return today - timedelta(days=1)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", w):
        try:
            return date.fromisoformat(w)
        except ValueError:
            raise BadQuestion(f"'{word}' is not a valid date; write it as YYYY-MM-DD.") from None
    return None


def _dates(word: str, today: date) -> tuple[date, date] | None:
    if ".." in word:
        a, _, b = word.partition("..")
        start, end = _day(a, today), _day(b, today)
        if start is None or end is None:
            raise BadQuestion(f"'{word}' is not a date range; write START..END as 2026-11-16..2026-11-20.")
        return start, end
    d = _day(word, today)
    return (d, d) if d else None


def parse_note_command(text: str, *, today: date) -> NoteRequest:
    """`[add] DATE[..END] "text" [dim=value]`, `list [dim=value] [START..END]`, `remove ID`."""
    tokens = _tokens(text, NOTE_HELP)
    if not tokens:
        return NoteRequest(verb="list")
    verb = _NOTE_VERBS.get(tokens[0].lower())
    rest = tokens[1:] if verb else tokens
    verb = verb or "add"
    words, filters, _ = _split_options(rest)
    if verb == "remove":
        return NoteRequest(verb=verb, note_id=_int_id(words[0] if words else None, "note", NOTE_HELP))
    if verb == "list":
        span = _dates(words[0], today) if words else None
        return NoteRequest(verb=verb, start=span[0] if span else None, end=span[1] if span else None,
                           filters=filters)
    span = _dates(words[0], today) if words else None
    if span is None:
        raise BadQuestion(f"When did it happen? Start with a date: {NOTE_HELP}.")
    note = " ".join(words[1:]).strip()
    if not note:
        raise BadQuestion(f'What happened on {words[0]}? Add the text in quotes: {NOTE_HELP}.')
    return NoteRequest(verb=verb, start=span[0], end=span[1], text=note, filters=filters)


_REPLY = re.compile(r"^\s*note\s*:\s*(?P<body>.+)$", re.IGNORECASE | re.DOTALL)


def parse_note_reply(text: str, *, today: date) -> NoteRequest | None:
    """A thread reply 'note: LinkedIn feed change' (optionally 'note: 2026-11-18 ...'), else None."""
    m = _REPLY.match(text or "")
    if not m:
        return None
    body = m.group("body").strip()
    first, _, rest = body.partition(" ")
    span = _dates(first, today) if re.match(r"^(?:\d{4}-|today$|yesterday$)", first.lower()) else None
    words, filters, _ = _split_options(_tokens(rest if span else body, NOTE_HELP))
    note = " ".join(words).strip()
    if not note:
        raise BadQuestion("The note is empty: write `note: what happened`, e.g. `note: LinkedIn feed change`.")
    return NoteRequest(verb="add", start=span[0] if span else None, end=span[1] if span else None,
                       text=note, filters=filters)
