"""Every table of the app-state database, declared once, on one MetaData.

This package sits below every other layer (it imports SQLAlchemy only), so the
advisor's tables (conversations, workspace settings), the bot's (event
de-duplication, digest subscriptions and delivery log) and the third-party ones
the app keeps in the same database (slack_sdk's installation and OAuth-state
stores, APScheduler's job store) are all known here without ``advisor``
importing ``bot``. ORM classes in those packages map onto these tables
(``__table__ = tables.X``), and the Alembic migrations in
``advisor/state/migrations`` create them; ``metadata`` is the autogenerate target.

To change the schema: edit the table here, then ``kpi-advisor db revision -m
"what changed"`` writes a migration for it (see the README).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
    func,
)

__all__ = [
    "THIRD_PARTY",
    "bot_seen_events",
    "bot_seen_requests",
    "conversation_turns",
    "digest_deliveries",
    "digest_jobs",
    "digest_subscriptions",
    "kpi_notes",
    "kpi_targets",
    "metadata",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
    "workspace_settings",
]

metadata = MetaData()

# ---------------------------------------------------------------- advisor

conversation_turns = Table(
    "conversation_turns", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(64), nullable=False),
    Column("thread_key", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("question", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("context", Text, nullable=False),
    Index("ix_turns_thread", "team_id", "thread_key", "id"),
)

workspace_settings = Table(
    "workspace_settings", metadata,
    Column("team_id", String(64), primary_key=True),
    Column("config", Text, nullable=False),
)

# ---------------------------------------------------------------- advisor: KPI targets and notes (per workspace)

kpi_targets = Table(
    "kpi_targets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(64), nullable=False),
    Column("kpi_id", String(64), nullable=False),
    Column("filters", JSON, nullable=False, default=dict),
    Column("scope_key", String(255), nullable=False, default=""),  # the filters, canonical (uniqueness)
    Column("value", Float, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("period_label", String(64), nullable=False),
    Column("period_kind", String(16), nullable=False, default="custom"),
    Column("owner", String(64), nullable=True),  # a Slack user id (U...), or a name
    Column("owner_label", String(80), nullable=True),  # "@maria", as typed
    Column("created_by", String(64), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # the pace status the owner was last told about (or that needed no telling): alerts fire once
    Column("last_status", String(20), nullable=True),
    Column("status_changed_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("team_id", "kpi_id", "scope_key", "period_start", "period_end", name="uq_kpi_target"),
    Index("ix_kpi_targets_team", "team_id", "kpi_id"),
)

kpi_notes = Table(
    "kpi_notes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(64), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("filters", JSON, nullable=False, default=dict),
    Column("author", String(64), nullable=False, default=""),
    Column("source", String(16), nullable=False, default="cli"),  # cli | slack | home | thread
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_kpi_notes_team_day", "team_id", "start_date"),
)

# ---------------------------------------------------------------- bot

bot_seen_events = Table(
    "bot_seen_events", metadata,
    Column("team_id", String(64), primary_key=True),
    Column("event_id", String(128), primary_key=True),
    Column("seen_at", Float, nullable=False, index=True),
)

# Signed commands and interactions already acted on: a replayed copy (same timestamp and signature,
# inside Slack's 5-minute window) is acknowledged and ignored, whichever process receives it.
bot_seen_requests = Table(
    "bot_seen_requests", metadata,
    Column("timestamp", String(20), primary_key=True),
    Column("signature", String(100), primary_key=True),
    Column("seen_at", Float, nullable=False, index=True),
)

digest_subscriptions = Table(
    "digest_subscriptions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(64), nullable=False, index=True),
    Column("channel_id", String(64), nullable=False),  # C.../G... channel, or U... for a DM
    Column("target", String(8), nullable=False, default="channel"),  # channel | dm
    Column("owner_id", String(64), nullable=False),
    Column("kind", String(8), nullable=False, default="digest"),  # digest | alert
    Column("cadence", String(8), nullable=False),  # daily | weekly | monthly | cron
    Column("cron", String(120), nullable=True),
    Column("day", String(8), nullable=True),  # mon..sun, 1..31, last
    Column("time", String(5), nullable=False, default="09:00"),  # HH:MM local
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("period", String(40), nullable=False),  # engine period words, e.g. last_week
    Column("goal", String(40), nullable=True),
    Column("kpis", JSON, nullable=False, default=list),
    Column("filters", JSON, nullable=False, default=dict),
    Column("quiet", String(8), nullable=False, default="brief"),  # brief | skip | full
    Column("threshold_kind", String(8), nullable=True),  # below | above | change | unusual
    Column("threshold_value", Float, nullable=True),
    Column("alert_direction", String(8), nullable=False, default="bad"),  # bad | good | both
    Column("alert_state", String(8), nullable=False, default="normal"),  # normal | alarm
    Column("spec_text", Text, nullable=False, default=""),
    Column("status", String(8), nullable=False, default="active"),
    Column("paused_reason", Text, nullable=True),
    # fire times at or before this instant are never due (no back-fill on create/resume/update)
    Column("active_since", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

digest_deliveries = Table(
    "digest_deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # no foreign key on purpose: removing a subscription keeps its history readable
    Column("subscription_id", Integer, nullable=False, index=True),
    Column("team_id", String(64), nullable=False, index=True),
    Column("period_key", String(64), nullable=False),
    Column("scheduled_for", DateTime(timezone=True), nullable=False),
    Column("late", Boolean, nullable=False, default=False),
    # claimed | posted | skipped | failed | missed (summarised in a later, late digest)
    Column("state", String(8), nullable=False, default="claimed"),
    Column("final", Boolean, nullable=False, default=False),  # failed for good
    Column("claim_token", String(40), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    # deterministic marker put in the message metadata; recovery looks for it in the channel
    Column("marker", String(80), nullable=False),
    Column("channel", String(64), nullable=True),  # resolved (D... for DMs)
    Column("message_ts", String(32), nullable=True),
    Column("chart_posted", Boolean, nullable=False, default=False),
    Column("error", Text, nullable=True),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("subscription_id", "period_key", name="uq_digest_delivery"),
)

# ---------------------------------------------------------------- third-party tables in the same database
# Same shapes as slack_sdk's SQLAlchemy stores and APScheduler's SQLAlchemyJobStore build for
# themselves (tests/digests/test_migrations.py compares them), created here by the migrations
# so that no library creates tables at start-up, where two processes would race.

slack_installations = Table(
    "slack_installations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_installations_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
)

slack_bots = Table(
    "slack_bots", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)

digest_jobs = Table(  # APScheduler 3 SQLAlchemyJobStore(tablename="digest_jobs")
    "digest_jobs", metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)

THIRD_PARTY = ("slack_installations", "slack_bots", "slack_oauth_states", "digest_jobs")
