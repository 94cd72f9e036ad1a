"""data protection: retention per organisation, maintenance runs, sealed client data

- ``organizations.retention_days``: days option lists and assessments are kept (NULL:
  the service default, ``FREECHOICE_RETENTION_DAYS``);
- ``maintenance_runs``: when the retention purge last ran (one worker runs it per
  interval);
- indexes on ``assessments.created_at`` (the purge finds old rows by it) and
  ``audit_log.resource_id`` (an erasure finds the entries about erased records);
- when the database has a data key (``FREECHOICE_DATA_KEY``) as it is migrated, every
  client-data value stored in plain text is encrypted; on the way down, with the key,
  every sealed value is decrypted again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from freechoice.catalog import DataKeyError
from freechoice.catalog.db.sealing import has_sealed, reseal, sealer_of

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE on both databases (a batch copy of organizations would trip the
    # foreign keys that point at it on SQLite)
    op.add_column('organizations', sa.Column('retention_days', sa.Integer(), nullable=True))
    op.create_table('maintenance_runs',
    sa.Column('task', sa.String(length=32), nullable=False),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('task')
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_resource_id'), ['resource_id'], unique=False)
    bind = op.get_bind()
    sealer = sealer_of(bind.dialect)
    if sealer is not None:
        reseal(bind, sealer)


def downgrade() -> None:
    bind = op.get_bind()
    sealer = sealer_of(bind.dialect)
    if sealer is not None:
        reseal(bind, sealer, open_only=True)
    elif has_sealed(bind):
        raise DataKeyError("client data is stored encrypted: set FREECHOICE_DATA_KEY so the downgrade can decrypt "
                           "it (the older schema reads plain values only)")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_resource_id'))
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_created_at'))
    op.drop_table('maintenance_runs')
    op.drop_column('organizations', 'retention_days')
