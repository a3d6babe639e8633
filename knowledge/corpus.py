"""Load guidance documents (markdown with YAML front matter) into `Document`s."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from knowledge.errors import BadDocument

__all__ = [
    "BUNDLED_DIR",
    "FAMILIES",
    "TIMINGS",
    "Document",
    "load_directory",
    "load_document",
    "load_documents",
    "stale_documents",
]

FAMILIES: tuple[str, ...] = (
    "awareness",
    "engagement",
    "traffic",
    "leads",
    "ecommerce",
    "local",
    "community",
    "brand_health",
    "efficiency",
)

TIMINGS: tuple[str, ...] = ("leading", "lagging")

BUNDLED_DIR = Path(__file__).resolve().parent / "docs"

Origin = Literal["bundled", "team"]

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_LIST_FIELDS = ("families", "kpis", "platforms")


@dataclass(frozen=True)
class Document:
    """One guidance document: metadata from front matter plus its markdown body."""

    slug: str
    title: str
    families: tuple[str, ...]
    kpis: tuple[str, ...]
    platforms: tuple[str, ...]
    body: str
    path: Path
    origin: Origin
    # `as_of`: the date the document's facts were last checked. Platform facts go stale
    # (metric renames, API retirements), so dated guidance can be listed for review.
    as_of: dt.date | None = None
    # `timing`: leading or lagging, for a KPI's own document; checked against the catalog.
    timing: str | None = None


def slugify(stem: str) -> str:
    """A file stem as a slug: lowercase words joined by hyphens."""
    slug = re.sub(r"[^a-z0-9_]+", "-", stem.lower()).strip("-_")
    return slug or "document"


def _as_ids(path: Path, field: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        # `families: engagement` is an easy slip; accept a single id.
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadDocument(
            path, f"front matter '{field}' must be a list of ids, e.g. {field}: [a, b] (got {value!r})"
        )
    ids = tuple(v.strip().lower().replace("-", "_") if field != "platforms" else v.strip().lower()
                for v in value if v.strip())
    for v in ids:
        if field != "platforms" and not _ID.match(v):
            raise BadDocument(path, f"'{v}' in front matter '{field}' is not an id (use snake_case)")
    if field == "families":
        unknown = [f for f in ids if f not in FAMILIES]
        if unknown:
            raise BadDocument(
                path,
                f"unknown goal family {', '.join(map(repr, unknown))} in front matter 'families'; "
                f"use any of: {', '.join(FAMILIES)}",
            )
    return ids


def _as_date(path: Path, value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BadDocument(
        path, f"front matter 'as_of' must be a date written as YYYY-MM-DD, e.g. as_of: 2026-11-30 (got {value!r})"
    )


def _as_timing(path: Path, value: Any) -> str | None:
    if value is None:
        return None
    timing = value.strip().lower() if isinstance(value, str) else value
    if timing not in TIMINGS:
        raise BadDocument(path, f"front matter 'timing' must be leading or lagging (got {value!r})")
    return str(timing)


def _first_heading(body: str) -> str | None:
    m = re.search(r"^#\s+(.+?)\s*#*\s*$", body, re.MULTILINE)
    return m.group(1).strip() if m else None


def load_document(path: Path, origin: Origin = "bundled") -> Document:
    """Parse one markdown file; bundled documents must have front matter with a title."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadDocument(path, "is not UTF-8 text; save it as UTF-8 markdown") from None
    except OSError as exc:
        raise BadDocument(path, f"cannot be read ({exc.strerror or exc})") from None

    meta: dict[str, Any] = {}
    body = raw
    m = _FRONT_MATTER.match(raw)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" (front matter line {where.line + 1})" if where is not None else ""
            raise BadDocument(
                path, f"front matter is not valid YAML{line}; write it as `key: value` lines between `---` lines"
            ) from None
        except ValueError as exc:  # YAML reads 2025-13-01 as a date and the date is impossible
            raise BadDocument(
                path, f"front matter holds an impossible date ({exc}); write dates as YYYY-MM-DD, e.g. 2026-11-30"
            ) from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise BadDocument(path, "front matter must be `key: value` lines (title, families, kpis, platforms, as_of, timing)")
        meta = loaded
        body = raw[m.end():]
    elif raw.lstrip().startswith("---"):
        raise BadDocument(path, "front matter is not closed; add a line with `---` after the last key")
    elif origin == "bundled":
        raise BadDocument(
            path, "has no front matter; start the file with `---`, `title: ...`, `families: [...]`, `kpis: [...]`, `---`"
        )

    title = meta.get("title")
    if title is None:
        title = _first_heading(body) if origin == "team" else None
        if title is None and origin == "team":
            title = path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    if not isinstance(title, str) or not title.strip():
        raise BadDocument(path, "front matter needs a non-empty `title: ...`")
    if not body.strip():
        raise BadDocument(path, "has no text after the front matter; write at least one section")

    return Document(
        slug=slugify(path.stem),
        title=title.strip(),
        families=_as_ids(path, "families", meta.get("families")),
        kpis=_as_ids(path, "kpis", meta.get("kpis")),
        platforms=_as_ids(path, "platforms", meta.get("platforms")),
        body=body.strip() + "\n",
        path=path,
        origin=origin,
        as_of=_as_date(path, meta.get("as_of")),
        timing=_as_timing(path, meta.get("timing")),
    )


def load_directory(directory: Path, origin: Origin = "team") -> list[Document]:
    """Every `*.md` file under `directory` (recursively), sorted by path."""
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise BadDocument(directory, "is not a folder; give the folder that holds your markdown playbook")
    files = sorted(p for p in directory.rglob("*.md") if p.is_file() and not p.name.startswith("."))
    return [load_document(p, origin) for p in files]


def load_documents(
    *,
    bundled_dir: Path | None = BUNDLED_DIR,
    team_dirs: Sequence[Path] | Iterable[Path] = (),
) -> list[Document]:
    """Bundled guidance plus every team folder; slugs must be unique across them."""
    docs: list[Document] = []
    if bundled_dir is not None and Path(bundled_dir).is_dir():
        docs += load_directory(Path(bundled_dir), "bundled")
    seen_dirs: set[Path] = set()
    for d in team_dirs:
        resolved = Path(d).expanduser().resolve()
        if resolved in seen_dirs:
            continue
        seen_dirs.add(resolved)
        docs += load_directory(resolved, "team")
    by_slug: dict[str, Document] = {}
    for doc in docs:
        other = by_slug.get(doc.slug)
        if other is not None:
            raise BadDocument(
                doc.path, f"has the same name (slug '{doc.slug}') as {other.path}; rename one of the files"
            )
        by_slug[doc.slug] = doc
    return docs


def stale_documents(docs: Iterable[Document], today: dt.date, max_age_months: int) -> list[Document]:
    """Dated documents (`as_of`) checked longer than `max_age_months` ago, oldest first.

    Undated documents are explanations that do not age with platform changes, so they
    are never listed.
    """
    if max_age_months < 0:
        raise ValueError("max_age_months must be 0 or more")
    months = today.year * 12 + today.month - 1 - max_age_months
    year, month = divmod(months, 12)
    month += 1
    # The same day N months back, clamped to the month's length (31 March - 1 month = 28/29 Feb).
    last_day = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    cutoff = dt.date(year, month, min(today.day, last_day))
    dated = [d for d in docs if d.as_of is not None and d.as_of < cutoff]
    return sorted(dated, key=lambda d: (d.as_of, d.slug))
