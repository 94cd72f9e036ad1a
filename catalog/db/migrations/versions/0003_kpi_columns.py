"""Option-list summary columns for the KPIs, and indexes for paged, per-organisation reads

`GET /kpis` used to load every option list of the organisation (tens of kilobytes of
JSON each) to count priority-4 needs with an option. The two counts now sit beside the
list (`engine.kpis.list_summary`), filled here for lists stored before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_option_lists_org_created", "option_lists", ["organization_id", "created_at"]),
    ("ix_referrals_org_created", "referrals", ["organization_id", "created_at"]),
    ("ix_referrals_provider_created", "referrals", ["provider_id", "created_at"]),
    ("ix_feedback_org_created", "feedback", ["organization_id", "created_at"]),
]


def _summary(data: object) -> tuple[int, int]:
    if isinstance(data, (str, bytes)):
        data = json.loads(data)
    needs = data.get("needs", []) if isinstance(data, dict) else []
    p4 = [n for n in needs if n.get("priority") == 4]
    return len(p4), sum(1 for n in p4 if n.get("options"))


def upgrade() -> None:
    op.add_column('option_lists', sa.Column('priority_4_needs', sa.Integer(), nullable=True))
    op.add_column('option_lists', sa.Column('priority_4_with_option', sa.Integer(), nullable=True))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    bind = op.get_bind()
    lists = sa.table('option_lists', sa.column('id', sa.String), sa.column('data', sa.JSON),
                     sa.column('priority_4_needs', sa.Integer), sa.column('priority_4_with_option', sa.Integer))
    last = ""
    while True:  # in batches, so a large database is never read into memory at once
        rows = bind.execute(sa.select(lists.c.id, lists.c.data).where(lists.c.id > last)
                            .order_by(lists.c.id).limit(500)).all()
        if not rows:
            break
        for list_id, data in rows:
            p4, with_option = _summary(data)
            bind.execute(lists.update().where(lists.c.id == list_id)
                         .values(priority_4_needs=p4, priority_4_with_option=with_option))
        last = rows[-1][0]


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of the
    # table would trip the foreign keys of the choices that point at it
    op.execute("ALTER TABLE option_lists DROP COLUMN priority_4_with_option")
    op.execute("ALTER TABLE option_lists DROP COLUMN priority_4_needs")
