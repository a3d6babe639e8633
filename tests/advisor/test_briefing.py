"""Briefings on the bundled sample (planted events at known dates) and on flat data."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from advisor.core import Advisor
from advisor.numbers import check_numbers
from advisor.settings import Settings
from advisor.understand import understand
from kpi_engine.catalog import default_catalog
from kpi_engine.sample import PLANTED_EVENTS, generate_flat, write_sample

END = date(2025, 6, 30)
EVENTS = {e.name: e for e in PLANTED_EVENTS}
CAT = default_catalog()
FLAT = "T_FLAT"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def advisor(home):
    adv = Advisor.from_settings(Settings(home=home), sample_end=END)
    flat_dir = Path(home) / "flat"
    write_sample(generate_flat(end=END, days=420, scale=0.5), flat_dir)
    adv.update_workspace(FLAT, data_path=str(flat_dir))
    return adv


def _week(event) -> str:
    start, _ = event.window(END)
    return f"{start}..{start + timedelta(days=6)}"


def _lines_before_detail(answer) -> list[str]:
    first = answer.sections[0] if answer.sections and answer.sections[0].kind == "summary" else None
    return [*answer.summary.splitlines(), *(first.text.splitlines() if first else [])]


def _numbers_trace_to_facts(answer) -> None:
    names = [k.name for k in CAT.kpis.values()]
    for text in [answer.summary, *(s.text for s in answer.sections)]:
        assert check_numbers(text, answer.facts, allowed=names) == [], text


# ---------------------------------------------------------------------------- routing


@pytest.mark.parametrize("question,period,platforms", [
    ("how are we doing?", None, []),
    ("how are we doing on linkedin this month?", "this_month", ["linkedin"]),
    ("anything I should know this week?", "this_week", []),
    ("what changed on tiktok?", None, ["tiktok"]),
    ("give me the weekly update", None, []),
    ("status of our instagram", None, ["instagram"]),
    ("how's tiktok going last week?", "last_week", ["tiktok"]),
    ("how did we do last month on instagram", "last_month", ["instagram"]),
    ("brief linkedin last 28 days", "last_28_days", ["linkedin"]),
    ("Anything we need to worry about?", None, []),
    ("<@U0BOT> how are things", None, []),
])
def test_questions_phrased_many_ways_route_to_the_briefing(question, period, platforms):
    p = understand(question, catalog=CAT).parsed
    assert p.intent == "brief", question
    assert p.period == period and p.filters.get("platform", []) == platforms
    assert p.kpi_id is None and p.goal is None


@pytest.mark.parametrize("question,intent", [
    ("how is engagement rate doing", "value"),
    ("which KPI for awareness?", "recommend"),
    ("why did ER drop on tiktok last week?", "why"),
    ("what changed in engagement rate last month", "why"),
    ("weekly digest for awareness", "digest"),
    ("is reach a good KPI?", "verdict"),
    ("what's the weather", "out_of_scope"),
])
def test_a_named_kpi_or_goal_keeps_its_own_intent(question, intent):
    assert understand(question, catalog=CAT).parsed.intent == intent, question


# ---------------------------------------------------------------------------- the planted events


def test_the_week_of_the_tiktok_engagement_drop_leads_with_it(advisor):
    event = EVENTS["tiktok_engagement_drop"]
    answer = advisor.answer(f"how are we doing on tiktok {_week(event)}?")
    assert answer.intent == "brief" and answer.briefing is not None
    lead = answer.briefing.items[0]
    # Led by the event's KPI: as a move when the week's change survives the false-discovery control over
    # every comparison in the briefing (p = 0.006 here does not, among 18), else as its flagged days.
    assert lead.kpi_id == event.kpi and lead.kind in ("move", "unusual")
    assert answer.summary.startswith("*Engagement rate* on tiktok")
    assert ("meaningful drop" if lead.kind == "move" else "against a usual") in answer.summary
    assert answer.briefing.filters == {"platform": ["tiktok"]}
    assert 2 <= len(_lines_before_detail(answer)) <= 6
    _numbers_trace_to_facts(answer)
    # the quiet KPIs are summarised in one line
    assert any("no meaningful change" in line or "too early to tell" in line for line in _lines_before_detail(answer))


def test_the_week_of_the_response_time_slowdown_leads_with_it(advisor):
    event = EVENTS["response_time_slowdown"]
    answer = advisor.answer(f"anything I should know {_week(event)}?")
    lead = answer.briefing.items[0]
    assert (lead.kind, lead.kpi_id, lead.verdict) == ("move", event.kpi, "up")
    assert "(bad" in lead.text  # slower answers are bad news
    _numbers_trace_to_facts(answer)


def test_the_linkedin_spike_week_leads_with_linkedin_reach(advisor):
    event = EVENTS["linkedin_impressions_spike"]
    answer = advisor.answer(f"what changed on linkedin {_week(event)}")
    # the spike's KPIs lead (its reach as a move or as flagged days, next to what else the spike moved)
    assert "reach" in [i.kpi_id for i in answer.briefing.items[:3]]
    _numbers_trace_to_facts(answer)


def _engine_finds_something(engine, kpis: list[str], period: str) -> bool:
    """Independently of the briefing: any verdict that survives the false-discovery control over these
    KPIs' comparisons, or any day the engine's trend flags that survives the control over the days."""
    from kpi_engine.multiplicity import adjust_reports, unusual_days

    reports = adjust_reports([engine.compute_report(k, period) for k in kpis])
    if any(r.previous.verdict in ("up", "down") for r in reports):
        return True
    return bool(unusual_days([engine.compute_trend(k, period, "day") for k, r in zip(kpis, reports, strict=True)
                              if r.current.value is not None]))


def test_flat_weeks_say_so_in_one_line(advisor):
    """On flat data (no events), a week in which the engine finds nothing is one line; the others
    name only what the engine found. How often flat weeks name something is printed (noise that
    the digest path's false-discovery control is meant to cut)."""
    from advisor.answer import ParsedQuestion
    from advisor.briefing import compose_briefing, team_scope

    engine = advisor.engine(FLAT, as_of=END)  # the flat data ends on END too
    scope = team_scope(engine, FLAT, digest_goals=advisor.digest_goals, targets=advisor.targets, filters={})
    assert len(scope.kpis) == 9 and scope.goals == ()  # nothing set: every goal's primary KPI
    quiet_weeks = 0
    weeks = 12
    for w in range(weeks):
        last = END - timedelta(days=7 * w)
        period = f"{last - timedelta(days=6)}..{last}"
        answer = compose_briefing(engine, ParsedQuestion(intent="brief", period=period), workspace=FLAT,
                                  scope=scope, notes=advisor.notes)
        _numbers_trace_to_facts(answer)
        if _engine_finds_something(engine, list(scope.kpis), period):
            assert answer.briefing.items, period
            continue
        quiet_weeks += 1
        assert answer.briefing.items == []
        assert _lines_before_detail(answer) == [answer.summary]  # one line before the detail
        # nothing to flag, or (at this data volume, a week's intervals are often wide) too early to tell
        span = f"{last - timedelta(days=6)} to {last}"
        assert answer.summary.startswith((f"Nothing to flag for {span}", f"Too early to tell for {span}"))
        assert "no meaningful change" in answer.summary or "not enough data to judge" in answer.summary
        assert len(answer.briefing.quiet) + len(answer.briefing.too_early) == len(answer.briefing.kpis) == 9
        assert {a.id for a in answer.actions} == {"breakdown", "subscribe"}  # nothing to ask "why?" about
    print(f"\nflat data: {weeks - quiet_weeks} of {weeks} weekly briefings name something")
    assert quiet_weeks >= 1


def test_a_flat_workspace_routes_to_the_briefing(advisor):
    answer = advisor.answer("how are we doing?", workspace=FLAT)
    assert answer.intent == "brief" and answer.briefing.kpis
    # its data ends on END and this workspace's engine is not pinned: the engine's "no data" reason
    assert answer.summary.startswith("No data for last 7 days") and "covers" in answer.summary


def test_numbers_come_from_the_engine_batch(advisor):
    event = EVENTS["tiktok_engagement_drop"]
    answer = advisor.answer(f"how are we doing on tiktok {_week(event)}?")
    engine = advisor.engine("local")
    report = engine.compute_report("engagement_rate", _week(event), {"platform": ["tiktok"]})
    value = next(f for f in answer.facts if f.key == "engagement_rate.value")
    assert value.value == pytest.approx(report.current.value)
    lead = answer.briefing.items[0]
    assert all(key.startswith("engagement_rate.") for key in lead.facts) and lead.facts


# ---------------------------------------------------------------------------- the team's goals, targets, notes


def test_the_teams_digests_targets_and_notes_set_the_scope_and_the_ranking(advisor, home):
    from advisor.db import open_database
    from advisor.governance import add_note, set_target
    from bot.digests.subscriptions import Subscriptions

    team = "T_GOALS"
    event = EVENTS["tiktok_engagement_drop"]
    start, _ = event.window(END)
    week = _week(event)
    state = open_database(Settings(home=home).state_url)  # where the digest service keeps subscriptions
    Subscriptions(engine=state, advisor=advisor).subscribe(team, "C1", "U1",
                                                          "weekly mon 09:00 goal=engagement platform=tiktok")
    # a target far out of reach for the period around the drop: off track
    set_target(advisor, team, kpi="comments_per_post", value="500", period="2025-Q2",
               filters={"platform": ["tiktok"]}, owner="@maria")
    add_note(advisor, team, start=start, text="TikTok changed the feed ranking", filters={"platform": ["tiktok"]})

    answer = advisor.answer(f"how are we doing on tiktok {week}?", workspace=team)
    b = answer.briefing
    assert b.goals == ["engagement"] and "digest subscriptions" in b.scope and "targets" in b.scope
    assert set(b.kpis) >= {"engagement_rate", "save_rate", "share_rate", "comments_per_post"}
    kinds = [i.kind for i in b.items]
    assert kinds[0] == "move" and b.items[0].kpi_id == "engagement_rate"
    assert "target" in kinds and "note" in kinds
    assert kinds == sorted(kinds, key=["move", "target", "unusual", "note"].index)  # the ranking
    target = next(i for i in b.items if i.kind == "target")
    assert target.kpi_id == "comments_per_post" and target.status in ("off_track", "missed")
    assert any("feed ranking" in i.text for i in b.items)
    assert len(_lines_before_detail(answer)) <= 6
    _numbers_trace_to_facts(answer)


# ---------------------------------------------------------------------------- follow-ups and buttons


def test_follow_ups_in_the_thread_work_on_the_briefing(advisor):
    event = EVENTS["tiktok_engagement_drop"]
    week = _week(event)
    thread = "brief-thread"
    first = advisor.answer(f"how are we doing on tiktok {week}?", thread=thread)
    assert first.context.intent == "brief" and first.context.kpi_id == "engagement_rate"

    why = advisor.answer("why did engagement rate drop?", thread=thread)
    assert (why.intent, why.kpi_id) == ("why", "engagement_rate")
    assert why.context.period == week and why.context.filters == {"platform": ["tiktok"]}

    advisor.answer(f"how are we doing on tiktok {week}?", thread=thread)
    reach = advisor.answer("why did reach drop?", thread=thread)  # a KPI the briefing showed as quiet
    assert (reach.intent, reach.kpi_id, reach.context.period) == ("why", "reach", week)
    assert reach.context.filters == {"platform": ["tiktok"]}

    again = advisor.answer(f"how are we doing on tiktok {week}?", thread=thread)
    other = advisor.answer("and on instagram?", thread=thread)
    assert other.intent == "brief" and other.briefing.filters == {"platform": ["instagram"]}
    assert other.briefing.period == again.briefing.period == week

    advisor.answer(f"how are we doing on tiktok {week}?", thread="brief-thread-2")
    drop = advisor.answer("why did it drop?", thread="brief-thread-2")
    assert (drop.intent, drop.kpi_id) == ("why", "engagement_rate")


def test_buttons_why_breakdown_and_subscribe(advisor):
    event = EVENTS["tiktok_engagement_drop"]
    answer = advisor.answer(f"how are we doing on tiktok {_week(event)}?")
    actions = {a.id: a for a in answer.actions}
    assert set(actions) == {"why", "breakdown", "subscribe"}
    why = advisor.run_action("why", actions["why"].payload)
    assert (why.intent, why.kpi_id) == ("why", "engagement_rate")
    broken = advisor.run_action("breakdown", actions["breakdown"].payload)
    assert broken.intent == "value" and broken.chart.by == "content_type"  # a platform briefing splits further
    sub = advisor.run_action("subscribe", actions["subscribe"].payload)
    assert "goal=engagement" in sub.summary and "platform=tiktok" in sub.summary


# ---------------------------------------------------------------------------- LLM phrasing


def test_llm_phrasing_refers_to_the_briefings_facts_and_typed_numbers_are_refused(advisor, server):
    from advisor.llm import LlmNarrator
    from tests.advisor.fake_openai import slots_in_prompt, text

    event = EVENTS["tiktok_engagement_drop"]
    briefing = advisor.answer(f"how are we doing on tiktok {_week(event)}?")
    narrator = LlmNarrator(model="fake-model", base_url=server.url, api_key="sk-test", timeout=5.0)
    server.script = [text("The big news: engagement rate on tiktok fell to {engagement_rate.value}, "
                          "{engagement_rate.previous.rel_change} on the previous period.")]
    out = narrator.narrate(briefing)
    slots = slots_in_prompt(server.requests[0].json)
    assert slots["engagement_rate.value"] == next(f.display for f in briefing.facts if f.key == "engagement_rate.value")
    assert out.narrator == "llm", out.fallback_reason
    assert out.briefing == briefing.briefing and out.facts == briefing.facts  # phrasing changes no number
    server.script = [text("Engagement rate on tiktok fell 55% this week.")]  # a number the engine never gave
    refused = narrator.narrate(briefing)
    assert refused.narrator == "template" and refused.fallback_reason


def test_a_briefing_asked_under_a_digest_covers_the_digests_week(advisor):
    digest = advisor.compose_digest(workspace="local", goal="awareness", period="last_week")
    advisor.remember("digest-thread", digest, workspace="local")
    answer = advisor.answer("what changed?", thread="digest-thread")
    assert answer.intent == "brief" and answer.briefing.period == digest.context.period


def test_a_scope_no_kpi_can_be_split_by_says_so(advisor):
    from advisor.answer import ParsedQuestion
    from advisor.briefing import BriefScope, compose_briefing

    engine = advisor.engine("local")
    scope = BriefScope(goals=(), kpis=("share_of_voice",), source="test")  # account-level data: no content types
    answer = compose_briefing(engine, ParsedQuestion(intent="brief", filters={"content_type": ["reel"]}),
                              workspace="local", scope=scope)
    assert answer.briefing.kpis == [] and answer.briefing.unscoped == ["share_of_voice"]
    assert "can be split" in answer.summary


def test_targets_alone_set_the_scope_and_a_digest_of_listed_kpis_counts_too(advisor, home):
    from advisor.briefing import team_scope
    from advisor.db import open_database
    from advisor.governance import set_target
    from bot.digests.subscriptions import Subscriptions

    engine = advisor.engine("T_TARGETS")
    set_target(advisor, "T_TARGETS", kpi="leads", value="400", period="2025-Q3")
    scope = team_scope(engine, "T_TARGETS", digest_goals=advisor.digest_goals, targets=advisor.targets, filters={})
    assert (scope.goals, scope.kpis, scope.source) == ((), ("leads",), "targets")
    on_tiktok = team_scope(engine, "T_TARGETS", digest_goals=advisor.digest_goals, targets=advisor.targets,
                           filters={"platform": ["tiktok"]})
    assert on_tiktok.targets == () and on_tiktok.source.startswith("every goal's")  # a target for all platforms

    state = open_database(Settings(home=home).state_url)
    Subscriptions(engine=state, advisor=advisor).subscribe("T_LISTED", "C1", "U1",
                                                          "weekly mon 09:00 kpis=save_rate,share_rate")
    scope = team_scope(advisor.engine("T_LISTED"), "T_LISTED", digest_goals=advisor.digest_goals,
                       targets=advisor.targets, filters={})
    assert (scope.goals, scope.kpis, scope.source) == ((), ("save_rate", "share_rate"), "digest subscriptions")
