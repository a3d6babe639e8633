"""baseline: the state tables of release 0.1.0

Creates every table a database of the previous release held (that release made
them with ``create_all``, slack_sdk's ``create_tables`` and APScheduler's job
store). On such a database the tables are already there: each one that exists
is adopted as it is, after checking it has the columns this baseline expects,
and only missing tables are created. Written out in full rather than imported
from ``advisor.state.tables``, so the baseline never changes when the tables do.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from advisor.state.errors import SchemaError

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def _conversation_turns() -> None:
    op.create_table(
        "conversation_turns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("thread_key", sa.String(255), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("context", sa.Text, nullable=False),
    )
    op.create_index("ix_turns_thread", "conversation_turns", ["team_id", "thread_key", "id"])


def _workspace_settings() -> None:
    op.create_table(
        "workspace_settings",
        sa.Column("team_id", sa.String(64), primary_key=True),
        sa.Column("config", sa.Text, nullable=False),
    )


def _bot_seen_events() -> None:
    op.create_table(
        "bot_seen_events",
        sa.Column("team_id", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.String(128), primary_key=True),
        sa.Column("seen_at", sa.Float, nullable=False),
    )
    op.create_index("ix_bot_seen_events_seen_at", "bot_seen_events", ["seen_at"])


def _digest_subscriptions() -> None:
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("target", sa.String(8), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("cadence", sa.String(8), nullable=False),
        sa.Column("cron", sa.String(120), nullable=True),
        sa.Column("day", sa.String(8), nullable=True),
        sa.Column("time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("goal", sa.String(40), nullable=True),
        sa.Column("kpis", sa.JSON, nullable=False),
        sa.Column("filters", sa.JSON, nullable=False),
        sa.Column("quiet", sa.String(8), nullable=False),
        sa.Column("threshold_kind", sa.String(8), nullable=True),
        sa.Column("threshold_value", sa.Float, nullable=True),
        sa.Column("alert_direction", sa.String(8), nullable=False),
        sa.Column("alert_state", sa.String(8), nullable=False),
        sa.Column("spec_text", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("paused_reason", sa.Text, nullable=True),
        sa.Column("active_since", _TZ, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
    )
    op.create_index("ix_digest_subscriptions_team_id", "digest_subscriptions", ["team_id"])


def _digest_deliveries() -> None:
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subscription_id", sa.Integer, nullable=False),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("period_key", sa.String(64), nullable=False),
        sa.Column("scheduled_for", _TZ, nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("final", sa.Boolean, nullable=False),
        sa.Column("claim_token", sa.String(40), nullable=False),
        sa.Column("claimed_at", _TZ, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", _TZ, nullable=True),
        sa.Column("marker", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(64), nullable=True),
        sa.Column("message_ts", sa.String(32), nullable=True),
        sa.Column("chart_posted", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("completed_at", _TZ, nullable=True),
        sa.UniqueConstraint("subscription_id", "period_key", name="uq_digest_delivery"),
    )
    op.create_index("ix_digest_deliveries_subscription_id", "digest_deliveries", ["subscription_id"])
    op.create_index("ix_digest_deliveries_team_id", "digest_deliveries", ["team_id"])


def _slack_installations() -> None:
    op.create_table(
        "slack_installations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(32), nullable=False),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("enterprise_name", sa.String(200)),
        sa.Column("enterprise_url", sa.String(200)),
        sa.Column("team_id", sa.String(32)),
        sa.Column("team_name", sa.String(200)),
        sa.Column("bot_token", sa.String(200)),
        sa.Column("bot_id", sa.String(32)),
        sa.Column("bot_user_id", sa.String(32)),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", sa.String(200)),
        sa.Column("bot_token_expires_at", sa.DateTime),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("user_token", sa.String(200)),
        sa.Column("user_scopes", sa.String(1000)),
        sa.Column("user_refresh_token", sa.String(200)),
        sa.Column("user_token_expires_at", sa.DateTime),
        sa.Column("incoming_webhook_url", sa.String(200)),
        sa.Column("incoming_webhook_channel", sa.String(200)),
        sa.Column("incoming_webhook_channel_id", sa.String(200)),
        sa.Column("incoming_webhook_configuration_url", sa.String(200)),
        sa.Column("is_enterprise_install", sa.Boolean, nullable=False),
        sa.Column("token_type", sa.String(32)),
        sa.Column("installed_at", sa.DateTime, nullable=False),
    )
    op.create_index("slack_installations_idx", "slack_installations",
                    ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"])


def _slack_bots() -> None:
    op.create_table(
        "slack_bots",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(32), nullable=False),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("enterprise_name", sa.String(200)),
        sa.Column("team_id", sa.String(32)),
        sa.Column("team_name", sa.String(200)),
        sa.Column("bot_token", sa.String(200)),
        sa.Column("bot_id", sa.String(32)),
        sa.Column("bot_user_id", sa.String(32)),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", sa.String(200)),
        sa.Column("bot_token_expires_at", sa.DateTime),
        sa.Column("is_enterprise_install", sa.Boolean, nullable=False),
        sa.Column("installed_at", sa.DateTime, nullable=False),
    )
    op.create_index("slack_bots_idx", "slack_bots", ["client_id", "enterprise_id", "team_id", "installed_at"])


def _slack_oauth_states() -> None:
    op.create_table(
        "slack_oauth_states",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("state", sa.String(200), nullable=False),
        sa.Column("expire_at", sa.DateTime, nullable=False),
    )


def _digest_jobs() -> None:
    op.create_table(
        "digest_jobs",
        sa.Column("id", sa.Unicode(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25)),
        sa.Column("job_state", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_digest_jobs_next_run_time", "digest_jobs", ["next_run_time"])


# table -> (creator, the columns an adopted table must have)
_TABLES: dict[str, tuple[Callable[[], None], tuple[str, ...]]] = {
    "conversation_turns": (_conversation_turns, ("id", "team_id", "thread_key", "created_at", "question",
                                                 "summary", "context")),
    "workspace_settings": (_workspace_settings, ("team_id", "config")),
    "bot_seen_events": (_bot_seen_events, ("team_id", "event_id", "seen_at")),
    "digest_subscriptions": (_digest_subscriptions, (
        "id", "team_id", "channel_id", "target", "owner_id", "kind", "cadence", "cron", "day", "time",
        "timezone", "period", "goal", "kpis", "filters", "quiet", "threshold_kind", "threshold_value",
        "alert_direction", "alert_state", "spec_text", "status", "paused_reason", "active_since",
        "created_at", "updated_at")),
    "digest_deliveries": (_digest_deliveries, (
        "id", "subscription_id", "team_id", "period_key", "scheduled_for", "late", "state", "final",
        "claim_token", "claimed_at", "attempts", "next_attempt_at", "marker", "channel", "message_ts",
        "chart_posted", "error", "completed_at")),
    "slack_installations": (_slack_installations, ("id", "client_id", "team_id", "bot_token", "user_id",
                                                   "installed_at")),
    "slack_bots": (_slack_bots, ("id", "client_id", "team_id", "bot_token", "installed_at")),
    "slack_oauth_states": (_slack_oauth_states, ("id", "state", "expire_at")),
    "digest_jobs": (_digest_jobs, ("id", "next_run_time", "job_state")),
}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    existing = set(inspector.get_table_names())
    for name, (create, columns) in _TABLES.items():
        if name not in existing:
            create()
            continue
        have = {c["name"] for c in inspector.get_columns(name)}
        missing = [c for c in columns if c not in have]
        if missing:
            raise SchemaError(
                f"Table {name} exists but lacks {', '.join(missing)}: it was not made by kpi-advisor 0.1.0, "
                "so it cannot be adopted. Point DATABASE_URL at the right database, or back it up and "
                "drop the table.")


def downgrade() -> None:
    for name in reversed(list(_TABLES)):
        op.drop_table(name)
