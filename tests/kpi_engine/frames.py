"""Tiny canonical frames for hand-computed engine tests."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from kpi_engine.schema import ACCOUNTS, INTERACTIONS, POSTS
from kpi_engine.source import Dataset


def posts(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    for dim in POSTS.dimensions:
        if dim not in frame:
            frame[dim] = ""
    for m in POSTS.measures:
        if m not in frame:
            frame[m] = 0.0
    return frame


def accounts(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    for m in ACCOUNTS.measures:
        if m not in frame:
            frame[m] = 0.0
    return frame


def interactions(response_minutes: list[float | None], day: date, platform: str = "x") -> pd.DataFrame:
    rows = []
    for i, minutes in enumerate(response_minutes):
        rows.append({
            "interaction_id": f"i{i}", "platform": platform, "account": "care", "channel": "dm",
            "sentiment": "neutral", "date": pd.Timestamp(day), "interactions": 1.0,
            "responded": 0.0 if minutes is None else 1.0, "resolved": 0.0,
            "positive": 0.0, "neutral": 1.0, "negative": 0.0,
            "response_minutes": float("nan") if minutes is None else float(minutes),
            "resolution_minutes": float("nan"),
        })
    frame = pd.DataFrame(rows)
    for col in INTERACTIONS.measures:
        frame[col] = frame[col].astype(float)
    return frame


def days(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def dataset(**tables) -> Dataset:
    return Dataset(**tables)
