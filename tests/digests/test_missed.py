"""After downtime the late digest names and summarises every period it missed; nothing is silently dropped."""

from __future__ import annotations

from sqlalchemy import text

from tests.digests.conftest import SAMPLE_END, Clock, make_service, utc
from tests.digests.static_advisor import StaticAdvisor

SPEC = "weekly mon 09:00 UTC goal=awareness quiet=full"


def _log(engine, sub_id: int) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT period_key, state FROM digest_deliveries WHERE subscription_id = :s ORDER BY period_key"),
            {"s": sub_id})]


def test_late_digest_names_the_periods_missed_while_the_service_was_down(state_db, slack, sleeps):
    clock = Clock(utc(2025, 6, 1))  # subscribed Sunday 1 June; the service then stays down until 17 June
    adv = StaticAdvisor()
    svc = make_service(state_db=state_db, advisor=adv, slack=slack, clock=clock, sleeps=sleeps)
    sub = svc.subscribe("T1", "C1", "U1", SPEC)
    clock.now = utc(2025, 6, 17, 10, 0)
    report = svc.run_due()
    (post,) = report.posted
    assert post["late"] and post["period"] == "2025-06-09..2025-06-15"
    assert post["missed"] == ["2025-05-26..2025-06-01", "2025-06-02..2025-06-08"]
    msg = slack.posts("C1")[-1]["text"]
    assert "Missed: 2 Jun, 9 Jun (the service was down or could not post then)" in msg
    # each missed period is summarised with its own numbers (computed as of its own last day)
    assert "- 2 Jun (26 May to 1 Jun): Reach 12.3k" in msg and "- 9 Jun (2 Jun to 8 Jun): Reach 12.3k" in msg
    assert {c["as_of"].isoformat() for c in adv.calls} == {"2025-06-01", "2025-06-08", "2025-06-15"}
    assert _log(state_db, sub.id) == [("2025-05-26..2025-06-01", "missed"), ("2025-06-02..2025-06-08", "missed"),
                                      ("2025-06-09..2025-06-15", "posted")]
    assert report.missed == [{"subscription": sub.id, "team": "T1",
                              "periods": ["2025-05-26..2025-06-01", "2025-06-02..2025-06-08"]}]
    # the next digest (on time) names nothing: the gap was reported once
    clock.now = utc(2025, 6, 23, 9, 0)
    (post,) = svc.run_due().posted
    assert post["missed"] == [] and "Missed" not in slack.posts("C1")[-1]["text"]


def test_a_short_outage_that_misses_one_fire_is_named_in_the_next_on_time_digest(state_db, slack, sleeps):
    clock = Clock(utc(2025, 6, 1))
    svc = make_service(state_db=state_db, advisor=StaticAdvisor(), slack=slack, clock=clock, sleeps=sleeps)
    sub = svc.subscribe("T1", "C1", "U1", "daily 09:00 UTC goal=awareness quiet=full")
    clock.now = utc(2025, 6, 2, 9, 0)
    svc.run_due()
    clock.now = utc(2025, 6, 4, 9, 1)  # down over 3 June 09:00, back in time for 4 June
    (post,) = svc.run_due().posted
    assert not post["late"] and post["missed"] == ["2025-06-02..2025-06-02"]
    assert "Missed: 3 Jun" in slack.posts("C1")[-1]["text"]
    assert ("2025-06-02..2025-06-02", "missed") in _log(state_db, sub.id)


def test_missed_periods_older_than_the_summarised_ones_are_still_named(state_db, slack, sleeps):
    clock = Clock(utc(2025, 6, 1, 10, 0))  # after that day's 09:00
    svc = make_service(state_db=state_db, advisor=StaticAdvisor(), slack=slack, clock=clock, sleeps=sleeps)
    sub = svc.subscribe("T1", "C1", "U1", "daily 09:00 UTC goal=awareness quiet=full")
    clock.now = utc(2025, 6, 8, 12, 0)  # seven days down: six missed before the latest
    (post,) = svc.run_due().posted
    assert len(post["missed"]) == 6
    msg = slack.posts("C1")[-1]["text"]
    assert "Missed: 2 Jun, 3 Jun, 4 Jun, 5 Jun, 6 Jun, 7 Jun" in msg
    assert msg.count("not summarised (older)") == 2 and msg.count(": Reach 12.3k") == 4
    assert [s for _, s in _log(state_db, sub.id)].count("missed") == 6


def test_quiet_skip_still_records_the_missed_periods(state_db, slack, sleeps):
    clock = Clock(utc(2025, 6, 1))
    svc = make_service(state_db=state_db, advisor=StaticAdvisor(material=False), slack=slack, clock=clock,
                       sleeps=sleeps)
    sub = svc.subscribe("T1", "C1", "U1", "weekly mon 09:00 UTC goal=awareness quiet=skip")
    clock.now = utc(2025, 6, 17, 10, 0)
    report = svc.run_due()
    assert report.posted == [] and report.skipped[0]["reason"] == "quiet"
    assert slack.posts() == []  # nothing material in any of them: quiet=skip holds
    assert [s for _, s in _log(state_db, sub.id)] == ["missed", "missed", "skipped"]


def test_a_missed_period_is_summarised_with_the_engines_numbers(state_db, advisor, slack, sleeps):
    from advisor.format import fmt_value

    clock = Clock(utc(2025, 6, 8))  # subscribed, then down from before 9 June until 30 June
    svc = make_service(state_db=state_db, advisor=advisor, slack=slack, clock=clock, sleeps=sleeps)
    svc.subscribe("T1", "CMISS", "UOWNER", "weekly mon 09:00 UTC kpis=reach quiet=full")
    clock.now = utc(2025, 6, 30, 10, 0)
    (post,) = svc.run_due().posted
    assert post["period"] == "2025-06-23..2025-06-29"
    assert post["missed"] == ["2025-06-02..2025-06-08", "2025-06-09..2025-06-15", "2025-06-16..2025-06-22"]
    msg = slack.posts("CMISS")[0]["text"]
    for monday, (start, end) in (("9 Jun", ("2025-06-02", "2025-06-08")), ("16 Jun", ("2025-06-09", "2025-06-15")),
                                 ("23 Jun", ("2025-06-16", "2025-06-22"))):
        eng = advisor.engine("T1", as_of=SAMPLE_END)
        value = eng.compute_value("reach", f"{start}..{end}")
        line = next(x for x in msg.splitlines() if x.startswith(f"- {monday} "))
        assert fmt_value(value.value, value.unit) in line, line
