"""The KPI catalog: YAML data loaded into strict models."""

from .loader import BUNDLED_CATALOG, default_catalog, load_catalog
from .models import Catalog, Formula, Goal, Kpi

__all__ = ["BUNDLED_CATALOG", "Catalog", "Formula", "Goal", "Kpi", "default_catalog", "load_catalog"]
