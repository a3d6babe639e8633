"""bot_seen_requests: signed commands and interactions already acted on (replay protection)

Revision ID: 0003_bot_seen_requests
Revises: 0002_add_kpi_targets_and_notes
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from advisor.state.errors import SchemaError

revision = "0003_bot_seen_requests"
down_revision = "0002_add_kpi_targets_and_notes"
branch_labels = None
depends_on = None


_COLUMNS = ("timestamp", "signature", "seen_at")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "bot_seen_requests" in inspector.get_table_names():
        # made by a development build before this migration existed: adopt it, as the baseline does
        have = {c["name"] for c in inspector.get_columns("bot_seen_requests")}
        missing = [c for c in _COLUMNS if c not in have]
        if missing:
            raise SchemaError(
                f"Table bot_seen_requests exists but lacks {', '.join(missing)}: it was not made by "
                "kpi-advisor, so it cannot be adopted. Point DATABASE_URL at the right database, or back "
                "it up and drop the table.")
        return
    op.create_table(
        "bot_seen_requests",
        sa.Column("timestamp", sa.String(20), primary_key=True),
        sa.Column("signature", sa.String(100), primary_key=True),
        sa.Column("seen_at", sa.Float, nullable=False),
    )
    op.create_index("ix_bot_seen_requests_seen_at", "bot_seen_requests", ["seen_at"])


def downgrade() -> None:
    op.drop_table("bot_seen_requests")
