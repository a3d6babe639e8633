"""Column mappings: how a platform export's columns become the canonical ones.

A mapping is a YAML file (shipped ones live in ``kpi_engine/mappings``) loaded
into a strict pydantic model; a bad one names the file and the problem. The same
file maps a file export (:mod:`kpi_engine.loaders`) and a warehouse table
(:class:`kpi_engine.sql.SqlSource`, which turns it into a SELECT); ``sql_table``
names the table a pipeline usually builds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kpi_engine.errors import LoadError
from kpi_engine.schema import TABLES, TableSpec

__all__ = ["ColumnMapping", "DateSpec", "ENGAGEMENT_PARTS", "MAPPINGS_DIR", "PLATFORM_ALIASES", "available_mappings",
           "load_mapping"]

# Platform names as exports spell them -> the canonical names (files and SQL sources alike).
PLATFORM_ALIASES = {
    "twitter": "x", "x (twitter)": "x", "ig": "instagram", "fb": "facebook",
    "yt": "youtube", "li": "linkedin", "tik tok": "tiktok",
}
# Engagements, when an export has no such column: the sum of these parts.
ENGAGEMENT_PARTS = ("likes", "comments", "shares", "saves")

MAPPINGS_DIR = Path(__file__).parent / "mappings"


class DateSpec(BaseModel):
    """Where a table's date (or an interaction's received time) comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    column: str
    format: str | None = None  # strptime format, e.g. "%m/%d/%Y %H:%M"; None = ISO 8601 or inferred
    timezone: str | None = None  # timezone of naive timestamps in the export
    dayfirst: bool = False


class ColumnMapping(BaseModel):
    """How a platform export's columns become a canonical table (a YAML file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = ""
    description: str = ""
    table: Literal["posts", "accounts", "interactions"]
    platform: str | None = None  # a constant platform for every row
    platform_column: str | None = None  # or an export column, recoded by values.platform
    date: DateSpec | None = None
    # export column -> canonical column; several export columns may name the same
    # canonical one (alternatives across export versions): the first present wins.
    columns: dict[str, str] = Field(default_factory=dict)
    sums: dict[str, list[str]] = Field(default_factory=dict)  # canonical = sum of columns
    constants: dict[str, str | float] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)  # dimension -> {export: canonical}
    # per canonical platform: export column -> canonical column on that platform's rows only, replacing
    # the general mapping there (YouTube "clicks" that are views: {youtube: {clicks: video_views}});
    # null leaves the column unmapped on that platform
    platform_columns: dict[str, dict[str, str | None]] = Field(default_factory=dict)
    sql_table: str | None = None  # the table's usual name in a database (a setting may point elsewhere)
    keep_rows: dict[str, list[str]] = Field(default_factory=dict)  # export column -> kept values
    skip_rows: int = Field(default=0, ge=0)  # lines above the header (title rows)
    thousands: str | None = None
    decimal: str = "."
    encoding: str = "utf-8-sig"

    @model_validator(mode="after")
    def _check(self) -> ColumnMapping:
        spec = TABLES[self.table]
        allowed = set(spec.dimensions) | set(spec.measures)
        allowed |= {"interaction_id", *spec.timestamps} if self.table == "interactions" else {"date"}
        problems = []
        if self.platform and self.platform_column:
            problems.append("give either platform (a constant) or platform_column, not both")
        for src, dst in self.columns.items():
            if dst not in allowed:
                problems.append(f"columns: '{src}' maps to '{dst}', which is not a {self.table} column")
        for target, parts in self.sums.items():
            if target not in spec.measures or not parts:
                problems.append(f"sums: '{target}' must be a {self.table} measure with at least one part")
        for key in self.constants:
            if key not in allowed:
                problems.append(f"constants: '{key}' is not a {self.table} column")
        for platform_name, moved in self.platform_columns.items():
            for src, moved_to in moved.items():
                if moved_to is not None and moved_to not in spec.measures:
                    problems.append(f"platform_columns.{platform_name}: '{src}' maps to '{moved_to}', which is not a "
                                    f"{self.table} measure")
        for key in self.values:
            if key not in spec.dimensions:
                problems.append(f"values: '{key}' is not a {self.table} dimension")
        if self.date and self.date.timezone:
            try:
                ZoneInfo(self.date.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                problems.append(f"date.timezone: unknown timezone '{self.date.timezone}'")
        if problems:
            raise ValueError("; ".join(problems) + f". Allowed columns: {', '.join(sorted(allowed))}")
        return self

    @property
    def date_target(self) -> str:
        return "received_at" if self.table == "interactions" else "date"

    def targets(self) -> dict[str, list[str]]:
        """Canonical column -> export columns that may hold it, in order of preference."""
        out: dict[str, list[str]] = {}
        for src, dst in self.columns.items():
            out.setdefault(dst, []).append(src)
        return out

    def consumed(self) -> set[str]:
        """Export columns the mapping reads as something else; they never also pass through under their own
        name (a warehouse column called ``clicks`` that holds YouTube views is not link clicks)."""
        moved = {src for by_platform in self.platform_columns.values() for src in by_platform}
        return set(self.columns) | moved

    def required_sources(self, table: TableSpec) -> list[list[str]]:
        """Export columns (alternatives) that must exist for the required canonical ones."""
        provided = set(self.constants) | set(self.sums)
        if self.platform or self.platform_column:
            provided.add("platform")
        if self.date:
            provided.add(self.date_target)
        targets = self.targets()
        return [targets[c] for c in table.required if c not in provided and c in targets]


def available_mappings() -> list[str]:
    """Names of the mappings shipped in kpi_engine/mappings."""
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))


def load_mapping(name_or_path: str | Path) -> ColumnMapping:
    """A shipped mapping by name, or a YAML file by path, validated strictly."""
    if isinstance(name_or_path, ColumnMapping):
        return name_or_path
    path = Path(name_or_path)
    if not path.is_file():
        shipped = MAPPINGS_DIR / f"{path.stem}.yaml"
        if path.parent != Path(".") or not shipped.is_file():
            raise LoadError(
                f"Unknown column mapping '{name_or_path}': no such file and no shipped mapping of that name. "
                f"Shipped mappings: {', '.join(available_mappings())}; or pass the path of your own YAML file."
            )
        path = shipped
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise LoadError(f"{path}:{line}: invalid YAML ({exc.problem}). Fix the syntax there.") from None
    except (OSError, yaml.YAMLError) as exc:
        raise LoadError(f"{path}: cannot read the mapping ({exc}).") from None
    if not isinstance(data, dict):
        raise LoadError(f"{path}: a column mapping must be a YAML mapping with at least `table:` and `columns:`.")
    data.setdefault("name", path.stem)
    try:
        return ColumnMapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'mapping'}: {err['msg']}" for err in exc.errors()
        )
        raise LoadError(f"{path}: invalid column mapping: {problems}.") from None
