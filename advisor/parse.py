"""Deterministic question parser: intent, goal, KPI, period, filters, breakdown.

Design note (issue 9 follow-up, i9b): precedence between cues, rather than more cues.
- A KPI is the one named first; the catalog's names are also read on stems in any order when that
  names more of the same KPI ("an inquiry that's qualified" -> qualified inquiries), a plural name in
  the singular after a determiner ("a lead"), and never a KPI word naming a team ("our sales team").
- Any judgement word after "X is our KPI" makes a verdict ("is that ok / dumb / a success?").
- A definition asked outright ("define X", "what does X mean", "what are UTM tags" for a term the
  knowledge base explains as a concept) beats goal words and a bare "kpi?"; "the best way to" does not.
- A number asked for outright ("can you give me X for last month") beats "report" in a preamble.
- Tasks on the accounts ("can you schedule / post / translate") are out of scope, "we write a blog"
  is not a request to write, and an off-topic word does not unmake a question that states a goal.

Works with no model at all. Text is normalised (markup, mentions and emoji
removed, lowercase, punctuation folded), light typo correction maps words
close to the vocabulary onto it, then cues are scored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kpi_engine.catalog import Catalog

from .answer import CompareTo, Context, Intent, ParsedQuestion
from .briefing_cues import asks_for_briefing
from .goal_lexicon import GOAL_CUES
from .goals import GoalEstimate, load_goal_model
from .vocab import (
    DIMENSION_WORDS,
    INTENT_CUES,
    KPI_PATTERNS,
    KPI_PHRASES,
    OFF_TOPIC,
    OFF_TOPIC_STRONG,
    PERIOD_PATTERNS,
    PLATFORM_WORDS,
)

__all__ = ["parse_question", "parse_with_notes", "ParseNotes", "follow_up", "kpi_phrases", "normalise", "MAX_QUESTION_CHARS"]

MAX_QUESTION_CHARS = 2000

_SLACK_MARKUP = re.compile(r"<[@#!][^>]*>|<(https?://[^|>]+)(?:\|[^>]*)?>|:[a-z0-9_+\-]+:")


def normalise(text: str) -> str:
    """Lowercase words and numbers only; Slack markup, emoji and punctuation removed."""
    text = _SLACK_MARKUP.sub(" ", text[:MAX_QUESTION_CHARS])
    text = text.lower().replace("’", "'").replace("&amp;", "&").replace("%", " percent ").replace("$", " money ")
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text)
    text = re.sub(r"[^a-z0-9/]+", " ", text)
    text = re.sub(r"(?<![a-z0-9])/(?=[a-z])", "/", text)  # keep a leading "/kpi"
    text = text.replace("/", " / ").replace(" /kpi", " kpi")
    text = re.sub(r"\b(what|how|where|who|that|it|there|here)s\b", r"\1 s", text)  # "whats" = "what's"
    text = re.sub(r"\bwat\b", "what", text)
    return re.sub(r"\s+", " ", text).strip().lstrip("/ ").strip()


_VOCAB: dict[int, tuple[Catalog, dict[str, str], set[str]]] = {}


def _vocabulary(catalog: Catalog) -> tuple[dict[str, str], set[str]]:
    cached = _VOCAB.get(id(catalog))
    if cached and cached[0] is catalog:
        return cached[1], cached[2]
    phrases: dict[str, str] = {}
    for kpi in catalog.kpis.values():
        phrases[normalise(kpi.id.replace("_", " "))] = kpi.id
        phrases[normalise(kpi.name)] = kpi.id
        for s in kpi.synonyms:
            phrases.setdefault(normalise(s), kpi.id)
    phrases.update({normalise(k): v for k, v in KPI_PHRASES.items() if v in catalog.kpis})
    words = {w for p in phrases for w in p.split()}
    for cues in GOAL_CUES.values():
        words.update(w for c in cues for w in normalise(c).split())
    words.update(PLATFORM_WORDS)
    words.update(w for d in DIMENSION_WORDS for w in d.split())
    known = {w for w in words if len(w) >= 4}
    if len(_VOCAB) > 8:
        _VOCAB.clear()
    _VOCAB[id(catalog)] = (catalog, phrases, known)
    return phrases, known


def kpi_phrases(catalog: Catalog) -> dict[str, str]:
    """Every normalised wording of a KPI the parser knows -> KPI id."""
    return _vocabulary(catalog)[0]


def _intent_words() -> set[str]:
    """Whole words of the intent cues ("tanking", "climbing"): real words the typo reader must keep."""
    out: set[str] = set()
    for patterns in INTENT_CUES.values():
        for p in patterns:
            out.update(re.findall(r"(?<![a-z\\])[a-z]{4,}(?=[|)\s?]|\\b|$)", p))
    return out


_COMMAND_WORDS = ("define", "explain", "compare", "quarter", "month", "week", "yesterday", "breakdown",
                  "platform", "campaign", "previous", "versus", "should", "calculate", "digest", "scorecard")


def _correct_typos(text: str, known: set[str], catalog: Catalog) -> tuple[str, list[tuple[str, str]]]:
    # Damerau distance 1 (2 for long words) to a KPI, goal, platform or command word, and only for
    # words the knowledge base does not use: real words ("climbing", "cakes") are never "corrected".
    model = load_goal_model(catalog)
    if not getattr(model, "_parser_targets", False):
        model.add_targets([*known, *_COMMAND_WORDS, *_intent_words()])
        model._parser_targets = True  # type: ignore[attr-defined]
    words, fixed = model.correct(text.split())
    return " ".join(words), fixed


_PHRASE_RE: dict[int, tuple[Catalog, re.Pattern[str]]] = {}


def _phrase_pattern(catalog: Catalog) -> re.Pattern[str]:
    """All KPI wordings as one regex; longest first, so at a position the longest wording wins."""
    cached = _PHRASE_RE.get(id(catalog))
    if not cached or cached[0] is not catalog:
        phrases = sorted(_vocabulary(catalog)[0], key=len, reverse=True)
        pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![a-z0-9])")
        if len(_PHRASE_RE) > 8:
            _PHRASE_RE.clear()
        cached = _PHRASE_RE[id(catalog)] = (catalog, pattern)
    return cached[1]


def _find_kpi(text: str, phrases: dict[str, str], catalog: Catalog) -> str | None:
    """The KPI named first in the text (longest phrase at a position wins).

    Exact wordings first; then the catalog's names read on stems and in any order ("an inquiry that
    is qualified", "the rate of video completion"), which wins when it names more words of a KPI;
    and a plural KPI name in the singular after a determiner ("a lead", "every inquiry").
    """
    for pattern, kpi_id in KPI_PATTERNS:  # specific wordings first ("how fast do we answer dms")
        if re.search(pattern, text):
            return kpi_id
    # a KPI word naming people or a department ("our sales team", "the leads list owner") names no KPI
    m = next((x for x in _phrase_pattern(catalog).finditer(text) if not _NOT_A_KPI.match(text, x.end())), None)
    found = phrases[m.group(0)] if m else None
    words = text.split()
    stemmed = [_stem_of(w) for w in words]
    bag = _bag_match(words, stemmed, catalog)
    if bag is not None and (m is None or (bag[1] > len(_content(m.group(0).split()))
                                          and bag[2] <= len(text[:m.start()].split()))):
        return bag[0]  # a longer name of the KPI named first, in other words
    if found is None:
        singular = _singular_match(words, stemmed, catalog)
        if singular is not None:
            return singular
    return found


_NOT_A_KPI = re.compile(r" (?:team|teams|department|dept|reps?|people|folks|org|manager|director|lead)\b")
_KPI_STOP = frozenset("of the a an to by per on in for our from with and".split())
_DETERMINERS = frozenset("a an one each every per single any".split())
# plural KPI names that are everyday words in the singular ("a post", "a like", "a view")
_EVERYDAY = frozenset("posts likes views comments followers shares saves reposts plays fans bookmarks assists "
                      "interactions engagements engagement output reach retention sentiment pipeline buzz".split())


def _stem_of(word: str) -> str:
    from .stemming import stems

    out = stems(word)
    return out[0] if out else word


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w not in _KPI_STOP]


_STEM_INDEX: dict[int, tuple[Catalog, list[tuple[frozenset[str], int, str]], dict[str, str]]] = {}


def _stem_index(catalog: Catalog) -> tuple[list[tuple[frozenset[str], int, str]], dict[str, str]]:
    """KPI names as bags of stems (two content words or more), and single plural names by stem."""
    cached = _STEM_INDEX.get(id(catalog))
    if cached and cached[0] is catalog:
        return cached[1], cached[2]
    bags: dict[frozenset[str], tuple[int, str]] = {}
    singles: dict[str, str] = {}
    for phrase, kpi_id in _vocabulary(catalog)[0].items():
        content = _content(phrase.split())
        if len(content) >= 2:
            key = frozenset(_stem_of(w) for w in content)
            if len(key) == len(content):
                bags.setdefault(key, (len(content), kpi_id))
        elif len(content) == 1 and phrase.endswith("s") and len(phrase) >= 5 and phrase not in _EVERYDAY:
            singles.setdefault(_stem_of(phrase), kpi_id)
    index = sorted(((k, n, kpi) for k, (n, kpi) in bags.items()), key=lambda t: -t[1])
    if len(_STEM_INDEX) > 8:
        _STEM_INDEX.clear()
    _STEM_INDEX[id(catalog)] = (catalog, index, singles)
    return index, singles


def _bag_match(words: list[str], stemmed: list[str], catalog: Catalog) -> tuple[str, int, int] | None:
    """The KPI whose name's stems are next to each other in any order (small words between them
    aside): (KPI, words of its name, first word's index); the most words first, then the earliest."""
    present = set(stemmed)
    where = [i for i, w in enumerate(words) if w not in _KPI_STOP]
    best: tuple[int, int, str] | None = None  # (-words, start, kpi)
    for key, n, kpi_id in _stem_index(catalog)[0]:
        if best is not None and n < -best[0]:
            break
        if not key <= present:
            continue
        for j in range(len(where) - n + 1):
            if {stemmed[i] for i in where[j:j + n]} == key:
                cand = (-n, where[j], kpi_id)
                best = cand if best is None or cand < best else best
                break
    return (best[2], -best[0], best[1]) if best else None


def _singular_match(words: list[str], stemmed: list[str], catalog: Catalog) -> str | None:
    singles = _stem_index(catalog)[1]
    for i in range(1, len(words)):
        if words[i - 1] in _DETERMINERS and not words[i].endswith("s") and stemmed[i] in singles:
            return singles[stemmed[i]]
    return None


def _goal_scores(text: str, catalog: Catalog) -> tuple[dict[str, float], GoalEstimate]:
    """Cue strength per goal family (the lexicon, plus a goal named by its catalog id or synonym)."""
    estimate = load_goal_model(catalog).estimate(text, vote=False)  # the vote is for goal questions only
    scores = dict(estimate.cue_scores)
    for goal in catalog.goals.values():
        if goal.id in GOAL_CUES:
            continue  # bundled goals: the lexicon knows their words
        for name in (goal.id, goal.name, *goal.synonyms):  # a team's own goals: their catalog words
            if re.search(rf"\b{re.escape(normalise(name.replace('_', ' ')))}\b", text):
                scores[goal.id] = scores.get(goal.id, 0.0) + 3
    return scores, estimate


def _period(text: str) -> tuple[str | None, CompareTo | None]:
    compare_to: CompareTo | None = None
    if re.search(r"\b(?:last year|yoy|year over year|a year ago)\b", text):
        compare_to = "last_year"
    elif re.search(r"\b(?:vs|versus|compared? to|than) (?:the )?(?:last|previous|prior) (?:week|month|quarter)\b"
                   r"|\b(?:week|month|quarter) before\b", text):
        compare_to = "previous"
    for pattern, template in PERIOD_PATTERNS:
        m = re.search(pattern, text)
        if m:
            if template.startswith("{0}.."):
                return f"{m.group(1).replace(' ', '-')}..{m.group(2).replace(' ', '-')}", compare_to
            if template == "last_{0}_weeks":
                return f"last_{int(m.group(1)) * 7}_days", compare_to
            period = template.format(*m.groups())
            if compare_to == "previous" and period == "last_month" and "this month" in text:
                period = "this_month"
            return period, compare_to
    return None, compare_to


def _platforms(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for word, platform in PLATFORM_WORDS.items():
        for m in re.finditer(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text):
            found.append((m.start(), platform))
    # "x" alone is ambiguous ("3x"); accept it next to platform-ish words
    for m in re.finditer(r"\b(?:on|for|or|and|vs|to) x\b|\bx (?:only|vs|or)\b", text):
        found.append((m.start(), "x"))
    # "threads" is also a word ("reddit threads", "comment threads"): the platform when used as one
    for m in re.finditer(r"\b(?:on|for|via|or|and|vs|from|across|to) threads\b(?! (?:on|in) )"
                         r"|\b(?:meta|instagram s|ig) threads\b|\bthreads (?:vs|only|account|app|posts?)\b", text):
        found.append((m.start(), "threads"))
    return list(dict.fromkeys(p for _, p in sorted(found)))


def _breakdown(text: str) -> str | None:
    words = "|".join(sorted((re.escape(w) for w in DIMENSION_WORDS), key=len, reverse=True))
    m = re.search(rf"\b(?:by|per|across|split by|broken down by|breakdown by|each) (?:{words})\b", text)
    if m:
        tail = m.group(0).split(" ", 1)[1]
        for w in sorted(DIMENSION_WORDS, key=len, reverse=True):
            if tail.endswith(w):
                return DIMENSION_WORDS[w]
    if re.search(r"\b(?:reels|carousels|static|videos|shorts) vs\b", text):
        return "content_type"
    return None


def _any(patterns: list[str], text: str) -> bool:
    return any(re.search(p, text) for p in patterns)


def _strip_kpis(text: str, catalog: Catalog) -> str:
    """``text`` without the KPI wordings it contains (longest first)."""
    return re.sub(r"\s+", " ", _phrase_pattern(catalog).sub(" ", text)).strip()


def _literal_goal(text: str, phrases: dict[str, str], catalog: Catalog) -> str | None:
    """A goal named by its own name ("how's awareness doing"), outside any KPI phrase."""
    text = _strip_kpis(text, catalog)
    for goal in catalog.goals.values():
        if re.search(rf"\b{re.escape(goal.id.replace('_', ' '))}\b", text):
            return goal.id
    return None


@dataclass(frozen=True)
class ParseNotes:
    """What the rules saw besides the parse: the normalised text, goal evidence, intent cues."""

    text: str
    estimate: GoalEstimate
    goal_scores: dict[str, float] = field(default_factory=dict)
    cues: dict[str, bool] = field(default_factory=dict)
    subject_kpi: str | None = None  # the KPI a verdict question is about
    own: ParsedQuestion | None = None  # the parse before thread context filled anything in
    corrected: tuple[tuple[str, str], ...] = ()  # typos read as known words


def parse_question(question: str, *, catalog: Catalog, context: Context | None = None) -> ParsedQuestion:
    """Parse a question, resolving follow-ups against the thread's ``context``."""
    return parse_with_notes(question, catalog=catalog, context=context)[0]


def parse_with_notes(question: str, *, catalog: Catalog,
                     context: Context | None = None) -> tuple[ParsedQuestion, ParseNotes]:
    """The rule parse and what it was based on (the resolution pipeline reads both)."""
    phrases, known = _vocabulary(catalog)
    text, corrected = _correct_typos(normalise(question), known, catalog)
    kpi_id = _find_kpi(text, phrases, catalog)
    scores, estimate = _goal_scores(text, catalog)
    named_goal = _literal_goal(text, phrases, catalog)
    # Goal cues that are a KPI's own words ("follower growth", "reach") do not make a goal question
    # of "how do you calculate follower growth rate"; and one weak cue ("content") does not either.
    intent_scores = _goal_scores(_strip_kpis(text, catalog), catalog)[0] if kpi_id else dict(scores)
    if named_goal:
        intent_scores[named_goal] = intent_scores.get(named_goal, 0.0) + 2
    top = max(intent_scores, key=lambda g: intent_scores[g]) if intent_scores else None
    goal = top if top is not None and intent_scores[top] >= 2 else None
    period, compare_to = _period(text)
    platforms = _platforms(text)
    by = _breakdown(text)
    if len(platforms) > 1 and re.search(r"\b(?:vs|versus|or)\b", text):
        by = by or "platform"
    filters = {"platform": platforms} if platforms else {}

    cues = {name: _any(p, text) for name, p in INTENT_CUES.items()}
    in_thread = bool(context and context.kpi_id and _FOLLOW_UP.search(text))
    intent = _intent(text, cues, kpi_id, goal, named_goal, period, by, filters, compare_to, in_thread)
    subject = None

    if intent == "verdict":
        subject, goal = kpi_id, None
    elif intent in ("recommend", "digest"):
        if goal is None and kpi_id:
            goal = catalog.kpis[kpi_id].families[0]
        if goal:
            kpi_id = catalog.goals[goal].primary
    else:
        # only a question phrased around a goal ("why is brand health down") carries one
        # (explaining a goal's own word, "define brand awareness", is a concept, not a goal)
        goal = named_goal if intent in ("value", "compare", "why") or (intent == "explain" and kpi_id) else None
        if goal and not kpi_id and intent != "explain":
            kpi_id = catalog.goals[goal].primary
    if intent in ("help", "out_of_scope"):
        goal, kpi_id = None, None

    parsed = ParsedQuestion(
        intent=intent, goal=goal, kpi_id=kpi_id, period=period, filters=filters, by=by,
        compare_to=compare_to, topic=text if intent == "explain" and not kpi_id else None,
    )
    notes = ParseNotes(text=text, estimate=estimate, goal_scores=scores, cues=cues, subject_kpi=subject,
                       own=parsed, corrected=tuple(corrected))
    return (follow_up(parsed, text, cues, context) if context else parsed), notes


def _intent(text: str, cues: dict[str, bool], kpi_id: str | None, goal: str | None, named_goal: str | None,
            period: str | None, by: str | None, filters: dict[str, list[str]], compare_to: CompareTo | None,
            in_thread: bool) -> Intent:
    # what a value / compare / why question can be about: named here, or the thread's KPI
    subject = kpi_id or named_goal or in_thread
    if cues["help"]:
        return "help"
    # a word from elsewhere ("our mobile game", "an error") does not unmake a KPI question with a goal
    if _any(OFF_TOPIC_STRONG, text) or (_any(OFF_TOPIC, text) and not kpi_id and not (cues["recommend"] and goal)):
        return "out_of_scope"
    if kpi_id and cues["verdict"] and not cues["why"]:
        return "verdict"
    if kpi_id and cues["value_request"] and (period or by) and not cues["digest_named"] \
            and not (cues["recommend"] or cues["recommend_weak"]):
        return "value"  # "I'm doing the monthly report: can you give me X for last month?"
    if not kpi_id and not named_goal and not in_thread and asks_for_briefing(text):
        return "brief"  # "how are we doing on linkedin?": no KPI or goal named, the team's goals
    if cues["digest"] and (goal or (kpi_id and cues["digest_strong"])) and not cues["explain"] \
            and not re.search(r"\bhow do (?:i|we)\b", text):
        return "digest"
    if subject and cues["why"] and not cues["explain_contrast"] and (
        cues["movement"] or re.search(r"\bwhat s going on|what happen|driving|drove|caused", text)
    ):
        return "why"
    if cues["explain_contrast"] and re.search(r"\bwhy\b", text):
        return "explain"
    if subject and (cues["compare"] or compare_to) and not cues["explain"] and not cues["recommend"]:
        return "compare"
    asks_kpi = cues["recommend"] or cues["recommend_weak"]
    if subject and cues["value_strong"] and not asks_kpi:
        return "value"
    # a period or a breakdown asks for numbers ("what is engagement rate last 28 days")
    explain = cues["explain"] or cues["explain_weak"]
    # a definition asked outright ("define X", "what does X mean", "what are UTM tags") is one even
    # when X is a goal's word
    if explain and (kpi_id or not goal or cues["explain"] or _concept_asked(text)) and not (period or by or (cues["value"] and filters)):
        if not cues["recommend"] or (kpi_id and cues["explain"]):
            return "explain"
    if kpi_id and (cues["value"] or period or by) and not asks_kpi:
        return "value"
    if asks_kpi or goal:
        return "recommend"
    if kpi_id:
        return "value" if (period or by or filters) else "explain"
    return "out_of_scope"


_WHAT_IS = re.compile(r"^(?:so |ok |okay |hey |quick q )?(?:what s|whats|what is|what are) (?:a |an |the )?"
                      r"((?:[a-z0-9]+ ){0,2}[a-z0-9]+?)(?= and\b| or\b| vs\b| for\b| in\b| on\b|$)")


def _concept_asked(text: str) -> bool:
    """'what are UTM tags (and ...)': the subject is a term the knowledge base explains as a concept."""
    from .goals import _GENERIC_TITLE_WORDS, concept_stems
    from .stemming import stems

    m = _WHAT_IS.match(text)
    if not m:
        return False
    words = [w for w in m.group(1).split() if w not in _GENERIC_TITLE_WORDS]
    known = concept_stems()
    return bool(words) and all(st in known for st in stems(words[-1]))  # its head noun: "a conversion window"


_FOLLOW_UP = re.compile(
    r"^(?:and|what about|how about|ok|okay|same|now|then|also|but)\b"
    r"|\b(?:that one|that|it|this one|those|them|this kpi|that kpi)\b"
)


def _after_briefing(parsed: ParsedQuestion, ctx: Context) -> ParsedQuestion | None:
    """A briefing asked in a thread covers the thread's period and scope unless it names its own
    ("what changed?" under a weekly digest: that week). In a briefing's thread, "and on instagram?"
    re-scopes the briefing and "why did reach drop?" keeps its period and scope. None: resolve as
    after any other answer."""
    scope = {"period": parsed.period or ctx.period, "filters": parsed.filters or dict(ctx.filters)}
    rescoped = ctx.intent == "brief" and parsed.intent == "out_of_scope" and bool(parsed.period or parsed.filters)
    if parsed.intent == "brief" or rescoped:
        return parsed.model_copy(update={"intent": "brief", "kpi_id": None, "goal": None, "by": None, **scope})
    if ctx.intent == "brief" and parsed.kpi_id is not None and parsed.intent in ("value", "compare", "why"):
        return parsed.model_copy(update=scope)  # names its KPI; the briefing's period and scope stand
    return None


def follow_up(parsed: ParsedQuestion, text: str, cues: dict[str, bool], ctx: Context) -> ParsedQuestion:
    """Fill what a follow-up leaves out ("and on tiktok?", "why did it drop?") from the last turn."""
    if parsed.intent == "help" or not (ctx.kpi_id or ctx.goal):
        return parsed
    if ctx.intent == "brief" or parsed.intent == "brief":
        after = _after_briefing(parsed, ctx)
        if after is not None:
            return after
    if parsed.kpi_id is not None and parsed.intent not in ("recommend", "digest"):
        return parsed  # names its own KPI
    if parsed.intent in ("recommend", "digest") and (cues["recommend"] or cues["recommend_weak"] or cues["digest"]):
        return parsed  # a new goal question
    scope_only = parsed.intent == "out_of_scope" and bool(parsed.period or parsed.filters or parsed.by)
    if not (_FOLLOW_UP.search(text) or scope_only):
        return parsed  # a new question about something else ("what's a vanity metric")
    intent = parsed.intent
    if intent in ("out_of_scope", "recommend", "value"):
        intent = ctx.intent if ctx.intent in ("value", "compare", "why") else "value"
    return parsed.model_copy(update={
        "intent": intent,
        "kpi_id": ctx.kpi_id,
        "goal": ctx.goal if intent in ("recommend", "digest") else None,
        "period": parsed.period or ctx.period,
        "filters": parsed.filters or dict(ctx.filters),
        "by": parsed.by or (ctx.by if not parsed.filters else None),
        "topic": None,
    })
