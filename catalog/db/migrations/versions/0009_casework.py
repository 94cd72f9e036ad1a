"""Cash-plus over time (issue 12): transfers, payments, spending plan versions, follow-ups

- `transfers`: each client's schedule of cash transfers (amounts Numeric(18, 2)).
- `transfer_payments`: a payment per transfer (unique: no transfer is paid twice).
- `spending_plans`: every version of a client's spending plan (lines sealed).
- `follow_ups`: dated follow-up records (sealed: spending, outcomes, the client's words).
- `assessments.follows_id`: a re-ranking at a follow-up is a new assessment linked to
  the client's first one.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from freechoice.catalog.db.sealing import SealedJSON

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assessments", sa.Column("follows_id", sa.String(length=64), nullable=True))
    op.create_index("ix_assessments_follows_id", "assessments", ["follows_id"], unique=False)
    op.create_table(
        "transfers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=128), nullable=False),
        sa.Column("client_ref", sa.String(length=64), nullable=False),
        sa.Column("choice_id", sa.String(length=64), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "client_ref", "number", name="uq_transfers_client_number"),
    )
    op.create_index("ix_transfers_organization_id", "transfers", ["organization_id"], unique=False)
    op.create_index("ix_transfers_client_ref", "transfers", ["client_ref"], unique=False)
    op.create_index("ix_transfers_due_on", "transfers", ["due_on"], unique=False)
    op.create_table(
        "transfer_payments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("transfer_id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=128), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("transfer_id"),
    )
    op.create_index("ix_transfer_payments_organization_id", "transfer_payments", ["organization_id"], unique=False)
    op.create_index("ix_transfer_payments_paid_on", "transfer_payments", ["paid_on"], unique=False)
    op.create_table(
        "spending_plans",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=128), nullable=False),
        sa.Column("client_ref", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("data", SealedJSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "client_ref", "version", name="uq_spending_plans_version"),
    )
    op.create_index("ix_spending_plans_organization_id", "spending_plans", ["organization_id"], unique=False)
    op.create_index("ix_spending_plans_client_ref", "spending_plans", ["client_ref"], unique=False)
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=128), nullable=False),
        sa.Column("client_ref", sa.String(length=64), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("assessment_id", sa.String(length=64), nullable=True),
        sa.Column("data", SealedJSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_follow_ups_organization_id", "follow_ups", ["organization_id"], unique=False)
    op.create_index("ix_follow_ups_client_ref", "follow_ups", ["client_ref"], unique=False)
    op.create_index("ix_follow_ups_held_on", "follow_ups", ["held_on"], unique=False)


def downgrade() -> None:
    op.drop_table("follow_ups")
    op.drop_table("spending_plans")
    op.drop_table("transfer_payments")
    op.drop_table("transfers")
    op.drop_index("ix_assessments_follows_id", table_name="assessments")
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL), as in 0003
    op.execute("ALTER TABLE assessments DROP COLUMN follows_id")
