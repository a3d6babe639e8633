"""The digest layer's exception: a message written for the person who typed the command."""

from __future__ import annotations

from kpi_engine.errors import KpiAdvisorError

__all__ = ["DigestError"]


class DigestError(KpiAdvisorError):
    """Bad subscription text, unknown subscription, or a digest that cannot be delivered."""
