"""advisor: from a question to a grounded answer.

Importing the package is cheap; the Advisor and its collaborators load on use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Advisor": "advisor.core",
    "Answer": "advisor.answer",
    "ChartSpec": "advisor.answer",
    "Action": "advisor.answer",
    "AdvisorError": "advisor.errors",
    "Settings": "advisor.settings",
}

__all__ = [
    "Action",
    "Advisor",
    "AdvisorError",
    "Answer",
    "ChartSpec",
    "Settings",
]


if TYPE_CHECKING:  # what type checkers and IDEs see; at run time names load on first use
    from advisor.answer import Action, Answer, ChartSpec
    from advisor.core import Advisor
    from advisor.errors import AdvisorError
    from advisor.settings import Settings


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'advisor' has no attribute {name!r}")
