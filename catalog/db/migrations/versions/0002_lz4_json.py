"""PostgreSQL: compress the large JSON columns with lz4

Option lists are stored exactly as offered (tens of kilobytes of JSON each). PostgreSQL
compresses values that large with pglz unless told otherwise; lz4 does the same job in
a fraction of the server's time. PostgreSQL 14 and newer, when built with lz4; on
anything else (and on SQLite) this revision changes nothing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

COLUMNS = [("option_lists", "data"), ("assessments", "data"), ("idempotency", "body")]


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    values = bind.execute(sa.text(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")).scalar()
    return bool(values) and "lz4" in values


def upgrade() -> None:
    if _lz4_available():
        for table, column in COLUMNS:
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4')


def downgrade() -> None:
    if _lz4_available():
        for table, column in COLUMNS:
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION default')
