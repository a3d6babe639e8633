"""Words and their stems for reading questions: one tokeniser, one stemmer, and a stem cache on disk.

The pure-Python Snowball stemmer costs a cold start about 0.5 s over the cue vocabulary, so the
stems an earlier process computed are read from (and written back to) a cache file.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

from .goal_lexicon import OWN_STEMS

__all__ = ["stems", "use_stem_cache"]

_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer

    return snowballstemmer.stemmer("english").stemWord


_STEMS: dict[str, str] = {}  # word -> stem, seeded from the cache file of an earlier process
_STEM_FILE: list[Path] = []
_STEMS_SAVED = [0]


def _stem(word: str) -> str:
    stem = _STEMS.get(word)
    if stem is None:
        own = OWN_STEMS.get(word)
        stem = own if own is not None else _stemmer()(word)
        if len(_STEMS) < 200_000:
            _STEMS[word] = stem
    return stem


def use_stem_cache(path: Path) -> None:
    """Read (and later write) stems from ``path``: the pure-Python stemmer costs a cold start ~0.5 s."""
    _STEM_FILE[:] = [path]
    _STEMS_SAVED[0] = 0
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("version") == _stem_version() and isinstance(data.get("stems"), dict):
        _STEMS.update({str(k): str(v) for k, v in data["stems"].items()})
        _STEMS_SAVED[0] = len(_STEMS)


def _save_stems() -> None:
    if not _STEM_FILE or len(_STEMS) <= _STEMS_SAVED[0]:
        return
    path = _STEM_FILE[0]
    try:  # best effort: a read-only home only costs the next cold start its stemming
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"version": _stem_version(), "stems": _STEMS}), encoding="utf-8")
        os.replace(tmp, path)
        _STEMS_SAVED[0] = len(_STEMS)
    except OSError:
        pass


def _stem_version() -> str:
    import snowballstemmer

    return f"{getattr(snowballstemmer, '__version__', '?')}:{sorted(OWN_STEMS.items())!r}"


def _words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("'", "")
    return _TOKEN.findall(text)


def stems(text: str) -> list[str]:
    """Lowercase word stems of ``text`` (stop words kept: cues such as 'know who we are' need them)."""
    return [_stem(w) for w in _words(text)]
