"""Idempotency keys bound to the request (IETF Idempotency-Key draft)

- `idempotency.request_hash`: SHA-256 of the request body the key was first used with;
  the same key with another body (or on another endpoint) is refused, never replayed.
  Records stored before have none and are matched by endpoint only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency") as batch_op:
        batch_op.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency") as batch_op:
        batch_op.drop_column("request_hash")
