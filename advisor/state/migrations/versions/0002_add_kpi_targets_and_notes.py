"""add kpi targets and notes

Revision ID: 0002_add_kpi_targets_and_notes
Revises: 0001_baseline
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002_add_kpi_targets_and_notes'
down_revision = '0001_baseline'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # written by `kpi-advisor db revision` from advisor/state/tables.py, reviewed
    op.create_table('kpi_notes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('team_id', sa.String(length=64), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kpi_notes', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_notes_team_day', ['team_id', 'start_date'], unique=False)

    op.create_table('kpi_targets',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('team_id', sa.String(length=64), nullable=False),
    sa.Column('kpi_id', sa.String(length=64), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('scope_key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('period_label', sa.String(length=64), nullable=False),
    sa.Column('period_kind', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=True),
    sa.Column('owner_label', sa.String(length=80), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_status', sa.String(length=20), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'kpi_id', 'scope_key', 'period_start', 'period_end', name='uq_kpi_target')
    )
    with op.batch_alter_table('kpi_targets', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_targets_team', ['team_id', 'kpi_id'], unique=False)



def downgrade() -> None:
    # written by `kpi-advisor db revision` from advisor/state/tables.py, reviewed
    with op.batch_alter_table('kpi_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_targets_team')

    op.drop_table('kpi_targets')
    with op.batch_alter_table('kpi_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_notes_team_day')

    op.drop_table('kpi_notes')
