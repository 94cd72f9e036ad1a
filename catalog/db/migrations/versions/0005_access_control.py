"""Access control: organisations can be deactivated, key changes reach every worker,
feedback that feeds the ranking is tied to a real referral

- `organizations.deactivated_at`: set while an admin has the organisation deactivated
  (its keys stop; its data stay).
- `access_state`: one row whose revision every revocation and (de)activation moves;
  each worker checks it and forgets the keys it remembers when it moved.
- `feedback_tokens`: the single-use feedback code of a referral (its hash only).
- `feedback.via`: "referral" or "token" for feedback tied to a real referral (older
  feedback with a referral counts as "referral"; older feedback without one no longer
  feeds the ranking).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('organizations', sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
    state = op.create_table('access_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(state, [{"id": 1, "revision": 0}])
    op.create_table('feedback_tokens',
    sa.Column('referral_id', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=128), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('referral_id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index('ix_feedback_tokens_organization_id', 'feedback_tokens', ['organization_id'], unique=False)
    op.add_column('feedback', sa.Column('via', sa.String(length=8), nullable=True))
    op.execute("UPDATE feedback SET via = 'referral' WHERE referral_id IS NOT NULL")


def downgrade() -> None:
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL), as in 0003
    op.execute("ALTER TABLE feedback DROP COLUMN via")
    op.drop_index('ix_feedback_tokens_organization_id', table_name='feedback_tokens')
    op.drop_table('feedback_tokens')
    op.drop_table('access_state')
    op.execute("ALTER TABLE organizations DROP COLUMN deactivated_at")
