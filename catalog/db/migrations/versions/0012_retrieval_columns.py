"""In-database retrieval: what candidate questions read, in columns beside each service

- `services.active`, `kinds`, `place_keys`, `languages`, `interpretation`, `lifted`,
  `digest`: the service's status, kinds, normalised place keys (`p:<country>:<area>`,
  `r:<country>` for remote, `c:<country>`), staff languages, whether it interprets, its
  (kind, required kind) edges and content hash. Text arrays with GIN indexes on
  PostgreSQL; JSON on SQLite (where in-database retrieval is refused).
- `organizations.digest`, `catalog_state.version_sum`: the catalog version's running sum,
  so a database-backed catalog gives the same version the in-memory one does.

Existing rows are filled in here (each service's JSON read once, in batches).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ARRAYS = ("kinds", "place_keys", "languages", "lifted")
_GIN = ("kinds", "place_keys", "languages")
_BATCH = 2000


def _list_type(pg: bool) -> sa.types.TypeEngine:  # type: ignore[type-arg]
    return postgresql.ARRAY(sa.Text()) if pg else sa.JSON()


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    # plain ALTER TABLE on both databases (a batch copy would trip the foreign keys on SQLite)
    op.add_column("services", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.false()))
    for name in _ARRAYS:
        default = sa.text("'{}'") if pg else sa.text("'[]'")
        op.add_column("services", sa.Column(name, _list_type(pg), nullable=False, server_default=default))
    op.add_column("services", sa.Column("interpretation", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("services", sa.Column("digest", sa.String(64), nullable=True))
    op.add_column("organizations", sa.Column("digest", sa.String(64), nullable=True))
    op.add_column("catalog_state", sa.Column("version_sum", sa.String(64), nullable=True))
    _backfill(bind, pg)
    for name in _GIN:  # GIN on PostgreSQL (SQLite: a plain index, unused: retrieval there is in memory)
        op.create_index(f"ix_services_{name}", "services", [name], postgresql_using="gin")
    op.create_index("ix_services_active", "services", ["active"])


def _backfill(bind: sa.Connection, pg: bool) -> None:
    from freechoice.catalog.db.retrieval_columns import organization_digest, service_columns
    from freechoice.catalog.index import version_term
    from freechoice.catalog.models import Organization, Service

    meta = sa.MetaData()
    services = sa.Table(
        "services",
        meta,
        sa.Column("id", sa.String(128)),
        sa.Column("data", sa.JSON()),
        sa.Column("active", sa.Boolean()),
        *(sa.Column(name, _list_type(pg)) for name in _ARRAYS),
        sa.Column("interpretation", sa.Boolean()),
        sa.Column("digest", sa.String(64)),
    )
    orgs = sa.Table("organizations", meta, sa.Column("id", sa.String(128)), sa.Column("data", sa.JSON()), sa.Column("digest", sa.String(64)))
    state = sa.Table("catalog_state", meta, sa.Column("id", sa.Integer()), sa.Column("version_sum", sa.String(64)))
    total = 0
    for oid, data in bind.execute(sa.select(orgs.c.id, orgs.c.data)).all():
        try:
            digest = organization_digest(Organization.model_validate(data))
        except ValueError:  # a record no catalog could load: left for whoever repairs it
            continue
        bind.execute(sa.update(orgs).where(orgs.c.id == oid).values(digest=digest))
        total += version_term("o", oid, digest)
    last = ""
    while True:
        rows = bind.execute(
            sa.select(services.c.id, services.c.data).where(services.c.id > last).order_by(services.c.id).limit(_BATCH)
        ).all()
        if not rows:
            break
        for sid, data in rows:
            try:
                cols = service_columns(Service.model_validate(data))
            except ValueError:
                continue
            bind.execute(sa.update(services).where(services.c.id == sid).values(**cols))
            total += version_term("s", sid, cols["digest"])
        last = rows[-1][0]
    if bind.execute(sa.select(state.c.id).where(state.c.id == 1)).first() is not None:
        bind.execute(sa.update(state).where(state.c.id == 1).values(version_sum=f"{total % (1 << 256):064x}"))


def downgrade() -> None:
    for name in _GIN:
        op.drop_index(f"ix_services_{name}", table_name="services")
    op.drop_index("ix_services_active", table_name="services")
    op.execute("ALTER TABLE catalog_state DROP COLUMN version_sum")
    op.execute("ALTER TABLE organizations DROP COLUMN digest")
    for name in ("digest", "interpretation", *reversed(_ARRAYS), "active"):
        op.execute(f"ALTER TABLE services DROP COLUMN {name}")
