"""The advisor's exception tree; messages are written for the person who asked."""

from __future__ import annotations

from kpi_engine.errors import KpiAdvisorError

__all__ = ["KpiAdvisorError", "AdvisorError", "BadQuestion", "ConfigError", "LlmUnavailable", "WorkspaceError"]


class AdvisorError(KpiAdvisorError):
    """Base of every error the advisor raises on purpose."""


class BadQuestion(AdvisorError):
    """The question is empty or cannot be read."""


class LlmUnavailable(AdvisorError):
    """The language model could not be reached; the template answer is used instead."""


class WorkspaceError(AdvisorError):
    """A workspace setting is invalid (data source, timezone, catalog override)."""


class ConfigError(AdvisorError):
    """A setting (environment variable or `.env`) is missing, malformed or unusable; the message names it."""
