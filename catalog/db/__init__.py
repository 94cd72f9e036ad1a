"""freechoice.catalog.db: persistence (SQLAlchemy 2, Alembic migrations shipped in the package)."""

from .catalog_store import (
    CATALOG_CHANNEL,
    CatalogFollower,
    ImportSummary,
    bump_revision,
    catalog_changes,
    current_revision,
    current_version_sum,
    import_catalog,
    load_catalog,
    save_organization,
    save_service,
    service_records,
    service_revisions,
    service_rows_match,
    service_source,
)
from .db_catalog import RETRIEVAL_MODES, DatabaseCatalog
from .engine import Database, RawJSON, alembic_config, head_revision, write_transaction

__all__ = [
    "CATALOG_CHANNEL",
    "CatalogFollower",
    "Database",
    "DatabaseCatalog",
    "ImportSummary",
    "RETRIEVAL_MODES",
    "RawJSON",
    "alembic_config",
    "bump_revision",
    "catalog_changes",
    "current_revision",
    "current_version_sum",
    "head_revision",
    "import_catalog",
    "load_catalog",
    "save_organization",
    "save_service",
    "service_records",
    "service_revisions",
    "service_rows_match",
    "service_source",
    "write_transaction",
]
