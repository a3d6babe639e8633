"""A full scorecard: the engine per question, the engine in a batch, hand-written DuckDB SQL and polars.

The scorecard is every catalog KPI over the last 28 days (with the previous 28
days and the same period last year, verdicts and their tests), by platform, and
a 13-week weekly trend with anomaly flags. DuckDB (both threads, on its own
copy of the raw tables) and polars compute the numbers only: current and
previous totals, per-platform current values and the weekly values of every
additive or percentile KPI, from one query per table and window (plus, for
ratios with a matched denominator such as save rate, the platforms reporting
the numerator and per-platform sums). Everything runs in the same process on
the same generated data; the numbers are cross-checked to 1e-9. Medians of
--repeat runs. Also: building the in-memory source against one DuckDB GROUP BY,
its peak memory against the raw frames, and a single KPI value.

    .venv/bin/python bench/bench_scorecard.py [--rows 1000000] [--repeat 5] [--skip-plain]

--skip-plain leaves out the per-question path (minutes at 10M rows).
Needs the bench extra (duckdb, polars): pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
import tracemalloc
from datetime import date, timedelta

from kpi_engine import Engine, MemorySource
from kpi_engine.periods import Period, previous_period
from kpi_engine.sample import generate_sample
from kpi_engine.schema import TABLES

END = date(2025, 6, 29)  # a Sunday: the 13 weekly buckets are whole ISO weeks
ROWS_AT_SCALE_1 = 111_000
CURRENT = Period(start=END - timedelta(days=27), end=END, label="last 28 days")
PREVIOUS = previous_period(CURRENT)
WEEKS = Period(start=END - timedelta(days=7 * 13 - 1), end=END, label="last 13 weeks")


def _timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def engine_scorecard(engine: Engine) -> dict:
    out = {}
    for kpi_id, kpi in engine.catalog.kpis.items():
        if not engine.source.has_table(kpi.formula.table):
            continue
        report = engine.compute_report(kpi_id, CURRENT)
        by = (engine.compute_breakdown(kpi_id, "platform", CURRENT)
              if "platform" in TABLES[kpi.formula.table].dimensions else None)
        trend = engine.compute_trend(kpi_id, WEEKS, "week")
        out[kpi_id] = {
            "current": report.current.value,
            "previous": report.previous.reference.value,
            "platform": {s.key: s.value for s in by.segments} if by else {},
            "weeks": [p.value for p in trend.points],
        }
    return out


def _value(kpi, sums: dict[str, float]) -> float | None:
    f = kpi.formula
    num = sum(sign * sums[m] for sign, m in f.numerator_terms)
    if f.kind == "sum":
        return num
    den = sum(sign * sums[m] for sign, m in f.denominator_terms)
    return num / den * f.scale if den > 0 else None


def _reference_kpis(engine: Engine) -> list:
    return [k for k in engine.catalog.kpis.values()
            if k.formula.kind in ("sum", "ratio", "percentile") and engine.source.has_table(k.formula.table)]


def _matched(kpi, rows: dict, reporting: set[str]):
    """A matched-denominator ratio from per-platform sums: only platforms that report the numerator."""
    keep = [d for p, d in rows.items() if p in reporting]
    if not keep:
        return None
    return {m: sum(d[m] or 0.0 for d in keep) for m in kpi.formula.measures}


def _reporting(sums_by_platform: dict[str, dict], kpi) -> set[str]:
    """Platforms with any of the KPI's numerator anywhere in the data (the engine's matched filter)."""
    names = [m for _, m in kpi.formula.numerator_terms]
    return {p for p, d in sums_by_platform.items() if sum(abs(d[m] or 0.0) for m in names) > 0}


def duckdb_scorecard(con, kpis) -> dict:
    """Hand-written SQL on the raw tables: per table one query for totals by window and platform, one for weeks.

    Ratios with a matched denominator (save rate: impressions only on platforms that report saves) add one
    query for the platforms reporting each numerator, and take their totals and weeks from per-platform sums.
    """
    out: dict = {}
    for table in ("posts", "accounts", "interactions"):
        mine = [k for k in kpis if k.formula.table == table]
        measures = sorted({m for k in mine if k.formula.kind != "percentile" for m in k.formula.measures})
        pct = [k for k in mine if k.formula.kind == "percentile"]
        matched = [k for k in mine if k.formula.matched_denominator]
        cols = ", ".join([f'sum("{m}") AS "{m}"' for m in measures]
                         + [f'quantile_cont("{k.formula.measure}", {k.formula.quantile}) AS "{k.id}"' for k in pct])
        window = (f"CASE WHEN date >= DATE '{CURRENT.start}' THEN 'cur' ELSE 'prev' END")
        rows = con.execute(
            f"SELECT {window} AS w, platform, {cols} FROM {table} "
            f"WHERE date BETWEEN DATE '{PREVIOUS.start}' AND DATE '{CURRENT.end}' "
            "GROUP BY GROUPING SETS ((w), (w, platform))").fetchall()
        names = ["w", "platform", *measures, *[k.id for k in pct]]
        week_sets = "GROUPING SETS ((wk), (wk, platform))" if matched else "wk"
        weeks = con.execute(
            f"SELECT date_trunc('week', date) AS wk, {'platform, ' if matched else ''}{cols} FROM {table} "
            f"WHERE date BETWEEN DATE '{WEEKS.start}' AND DATE '{WEEKS.end}' GROUP BY {week_sets} "
            "ORDER BY wk").fetchall()
        wnames = ["wk", *(["platform"] if matched else []), *measures, *[k.id for k in pct]]
        if matched:
            num = sorted({m for k in matched for _, m in k.formula.numerator_terms})
            everywhere = {r[0]: dict(zip(num, r[1:], strict=True)) for r in con.execute(
                f"SELECT platform, {', '.join(f'sum({m})' for m in num)} FROM {table} GROUP BY platform"
            ).fetchall()}
            by_week: dict = {}
            for r in weeks:
                d = dict(zip(wnames, r, strict=True))
                if d["platform"] is not None:
                    by_week.setdefault(d["wk"], {})[d["platform"]] = d
            weeks = [r for r in weeks if r[1] is None]
        for k in mine:
            def val(row, names=names, k=k, measures=measures):
                d = dict(zip(names, row, strict=True))
                return d[k.id] if k.formula.kind == "percentile" else _value(k, {m: d[m] or 0.0 for m in measures})
            dicts = [dict(zip(names, r, strict=True)) for r in rows]
            if k.formula.matched_denominator:
                reporting = _reporting(everywhere, k)

                def mval(per_platform, k=k, reporting=reporting):
                    sums = _matched(k, per_platform, reporting)
                    return None if sums is None else _value(k, sums)
                tot = {w: mval({d["platform"]: d for d in dicts if d["w"] == w and d["platform"] is not None})
                       for w in ("cur", "prev")}
                plat = {d["platform"]: _value(k, {m: d[m] or 0.0 for m in measures}) for d in dicts
                        if d["w"] == "cur" and d["platform"] in reporting}
                out[k.id] = {"current": tot["cur"], "previous": tot["prev"], "platform": plat,
                             "weeks": [mval(by_week.get(r[0], {})) for r in weeks]}
                continue
            tot = {r[0]: val(r) for r in rows if r[1] is None}
            plat = {r[1]: val(r) for r in rows if r[0] == "cur" and r[1] is not None}
            out[k.id] = {"current": tot.get("cur"), "previous": tot.get("prev"), "platform": plat,
                         "weeks": [val(r, wnames) for r in weeks]}
    return out


def polars_scorecard(frames: dict, kpis) -> dict:
    import polars as pl

    out: dict = {}
    for table, frame in frames.items():
        mine = [k for k in kpis if k.formula.table == table]
        measures = sorted({m for k in mine if k.formula.kind != "percentile" for m in k.formula.measures})
        pct = [k for k in mine if k.formula.kind == "percentile"]
        matched = [k for k in mine if k.formula.matched_denominator]
        aggs = ([pl.col(m).sum() for m in measures]
                + [pl.col(k.formula.measure).quantile(k.formula.quantile, "linear").alias(k.id) for k in pct])
        sel = frame.filter(pl.col("date").is_between(PREVIOUS.start, CURRENT.end)).with_columns(
            pl.when(pl.col("date") >= CURRENT.start).then(pl.lit("cur")).otherwise(pl.lit("prev")).alias("w"))
        tot = {r["w"]: r for r in sel.group_by("w").agg(aggs).iter_rows(named=True)}
        plat = {r["platform"]: r for r in sel.filter(pl.col("w") == "cur").group_by("platform").agg(aggs)
                .iter_rows(named=True)}
        in_weeks = frame.filter(pl.col("date").is_between(WEEKS.start, WEEKS.end)).with_columns(
            pl.col("date").dt.truncate("1w").alias("wk"))
        weeks = list(in_weeks.group_by("wk").agg(aggs).sort("wk").iter_rows(named=True))
        if matched:
            num = sorted({m for k in matched for _, m in k.formula.numerator_terms})
            everywhere = {r["platform"]: r for r in frame.group_by("platform").agg([pl.col(m).sum() for m in num])
                          .iter_rows(named=True)}
            sums = [pl.col(m).sum() for m in measures]
            by_w: dict = {}
            for r in sel.group_by(["w", "platform"]).agg(sums).iter_rows(named=True):
                by_w.setdefault(r["w"], {})[r["platform"]] = r
            by_week: dict = {}
            for r in in_weeks.group_by(["wk", "platform"]).agg(sums).iter_rows(named=True):
                by_week.setdefault(r["wk"], {})[r["platform"]] = r
        for k in mine:
            def val(d, k=k, measures=measures):
                if d is None:
                    return None
                return d[k.id] if k.formula.kind == "percentile" else _value(k, {m: d[m] or 0.0 for m in measures})
            if k.formula.matched_denominator:
                reporting = _reporting(everywhere, k)

                def mval(per_platform, k=k, reporting=reporting):
                    s = _matched(k, per_platform, reporting)
                    return None if s is None else _value(k, s)
                out[k.id] = {"current": mval(by_w.get("cur", {})), "previous": mval(by_w.get("prev", {})),
                             "platform": {p: val(d) for p, d in plat.items() if p in reporting},
                             "weeks": [mval(by_week.get(d["wk"], {})) for d in weeks]}
                continue
            out[k.id] = {"current": val(tot.get("cur")), "previous": val(tot.get("prev")),
                         "platform": {p: val(d) for p, d in plat.items()}, "weeks": [val(d) for d in weeks]}
    return out


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check(name: str, got: dict, expected: dict) -> int:
    """Compare the reference numbers with the engine's; returns how many were compared."""
    n = 0
    for kpi_id, ref in got.items():
        eng = expected[kpi_id]
        pairs = [("current", ref["current"], eng["current"]), ("previous", ref["previous"], eng["previous"])]
        pairs += [(f"platform {p}", v, eng["platform"].get(p)) for p, v in ref["platform"].items()
                  if v is not None and eng["platform"]]
        pairs += [(f"week {i}", v, w) for i, (v, w) in enumerate(zip(ref["weeks"], eng["weeks"], strict=True))]
        for what, a, b in pairs:
            assert _close(a, b), f"{name} {kpi_id} {what}: {a} vs engine {b}"
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-plain", action="store_true",
                    help="Skip the per-question path (minutes at 10M rows); DuckDB/polars still cross-check the batch.")
    args = ap.parse_args()
    import duckdb
    import polars as pl

    t = time.perf_counter()
    data = generate_sample(end=END, scale=max(args.rows / ROWS_AT_SCALE_1, 0.01))
    print(f"generated {len(data.posts):,} post-day rows, {len(data.interactions):,} interactions "
          f"in {time.perf_counter() - t:.1f} s")
    raw_bytes = sum(int(data.table(n).memory_usage(deep=False).sum()) for n in TABLES if data.table(n) is not None)

    tracemalloc.start()
    t = time.perf_counter()
    source = MemorySource(data)
    build = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    engine = Engine(source=source, today=END + timedelta(days=1))

    con = duckdb.connect()
    t = time.perf_counter()
    for name in TABLES:
        frame = data.table(name)
        if frame is None:
            continue
        view = frame.drop(columns=[c for c in frame.columns if str(frame[c].dtype).startswith("datetime64[ns, ")])
        con.register("_frame", view)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _frame")
        con.unregister("_frame")
    duck_load = time.perf_counter() - t
    t = time.perf_counter()
    con.execute("SELECT date, platform, sum(impressions), sum(engagements) FROM posts GROUP BY ALL").fetchall()
    duck_group = time.perf_counter() - t
    frames = {n: pl.from_pandas(data.table(n).drop(columns=[c for c in data.table(n).columns
                                                           if "UTC" in str(data.table(n)[c].dtype)]))
              .with_columns(pl.col("date").cast(pl.Date))
              for n in TABLES if data.table(n) is not None}
    for n, f in frames.items():
        frames[n] = f.with_columns([pl.col(c).cast(pl.Utf8) for c in f.columns if f[c].dtype == pl.Categorical])

    kpis = _reference_kpis(engine)
    plain_s, plain = (None, None) if args.skip_plain else _timed(lambda: engine_scorecard(engine), args.repeat)

    def batched():
        with engine.batch(engine.catalog.kpis):
            return engine_scorecard(engine)

    batch_s, batch = _timed(batched, args.repeat)
    duck_s, duck = _timed(lambda: duckdb_scorecard(con, kpis), args.repeat)
    polars_s, pol = _timed(lambda: polars_scorecard(frames, kpis), args.repeat)
    compared = check("batch vs plain engine", {k: v for k, v in batch.items()}, plain) if plain else 0
    compared_ref = check("duckdb", duck, batch) + check("polars", pol, batch)

    print(f"\nscorecard: {len(batch)} KPIs x (value, previous, last year, verdicts, by platform, 13-week trend)")
    for label, secs in (("engine per question", plain_s), ("engine in a batch", batch_s)):
        if secs is not None:
            print(f"  {label:<20} {secs:7.3f} s   {secs / duck_s:5.2f}x DuckDB  {secs / polars_s:5.2f}x polars")
    if plain_s is not None:
        print(f"  (the batch is {plain_s / batch_s:.2f}x the speed of the per-question path)")
    print(f"  DuckDB SQL on raw    {duck_s:7.3f} s   (numbers only: {len(kpis)} KPIs, {duckdb.__version__}, "
          f"threads {con.execute('SELECT current_setting(' + repr('threads') + ')').fetchone()[0]})")
    print(f"  polars               {polars_s:7.3f} s   ({pl.__version__})")
    print(f"  checked: {compared} batch numbers equal the per-question path's, {compared_ref} DuckDB/polars "
          "numbers equal the engine's (1e-9)")
    print(f"\nbuild: MemorySource {build:.2f} s ({build / duck_group:.1f}x one DuckDB GROUP BY date, platform of "
          f"{duck_group:.3f} s; DuckDB's own load {duck_load:.2f} s)")
    print(f"peak memory while building: raw frames {raw_bytes / 1e6:.0f} MB + {peak / 1e6:.0f} MB allocated = "
          f"{(raw_bytes + peak) / raw_bytes:.2f}x the raw frames (target <= 1.5x)")
    t50, _ = _timed(lambda: engine.compute_value("engagement_rate", CURRENT), 30)
    print(f"single value (engagement rate, 28 days): {t50 * 1000:.2f} ms (target < 5 ms)")


if __name__ == "__main__":
    main()
