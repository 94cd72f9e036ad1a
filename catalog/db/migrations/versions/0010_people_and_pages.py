"""People who sign in to the pages, their sessions, intake drafts (issue 11)

- `people`: one account per person (argon2id password hash, organisation, role,
  failed sign-ins and the lock they lead to).
- `web_sessions`: signed-in browsers (the SHA-256 of the cookie, the CSRF token,
  expiry); deleted on sign-out or password reset.
- `intake_drafts`: an intake being filled in with a client (sealed like client data).
- `api_keys.person_id`: a key issued to one person; `audit_log.person_id`: who acted.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_index("ix_people_organization_id", "people", ["organization_id"], unique=False)
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_sessions_person_id", "web_sessions", ["person_id"], unique=False)
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"], unique=False)
    op.create_table(
        "intake_drafts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=128), nullable=False),
        sa.Column("client_ref", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("option_list_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intake_drafts_organization_id", "intake_drafts", ["organization_id"], unique=False)
    op.create_index("ix_intake_drafts_client_ref", "intake_drafts", ["client_ref"], unique=False)
    op.create_index("ix_intake_drafts_updated_at", "intake_drafts", ["updated_at"], unique=False)
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_api_keys_person_id", ["person_id"], unique=False)
        batch_op.create_foreign_key("fk_api_keys_person_id_people", "people", ["person_id"], ["id"])
    op.add_column("audit_log", sa.Column("person_id", sa.String(length=32), nullable=True))
    op.create_index("ix_audit_log_person_id", "audit_log", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_log_person_id", table_name="audit_log")
    op.execute("ALTER TABLE audit_log DROP COLUMN person_id")
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.drop_constraint("fk_api_keys_person_id_people", type_="foreignkey")
        batch_op.drop_index("ix_api_keys_person_id")
        batch_op.drop_column("person_id")
    op.drop_table("intake_drafts")
    op.drop_table("web_sessions")
    op.drop_table("people")
