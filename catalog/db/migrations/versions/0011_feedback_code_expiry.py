"""Client feedback codes expire

- `feedback_tokens.expires_at`: when the client's single-use feedback code (and the
  link or QR code that carries it) stops working. Codes issued before have none and
  keep working until used.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_tokens") as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback_tokens") as batch_op:
        batch_op.drop_column("expires_at")
