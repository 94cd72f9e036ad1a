"""freechoice.catalog.db: persistence (SQLAlchemy 2, Alembic migrations shipped in the package)."""

from .engine import Database, alembic_config

__all__ = ["Database", "alembic_config"]
