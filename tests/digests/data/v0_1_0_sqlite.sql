CREATE TABLE workspace_settings (
	team_id VARCHAR(64) NOT NULL, 
	config TEXT NOT NULL, 
	PRIMARY KEY (team_id)
);
CREATE TABLE conversation_turns (
	id INTEGER NOT NULL, 
	team_id VARCHAR(64) NOT NULL, 
	thread_key VARCHAR(255) NOT NULL, 
	created_at DATETIME NOT NULL, 
	question TEXT NOT NULL, 
	summary TEXT NOT NULL, 
	context TEXT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_turns_thread ON conversation_turns (team_id, thread_key, id);
CREATE TABLE bot_seen_events (
	team_id VARCHAR(64) NOT NULL, 
	event_id VARCHAR(128) NOT NULL, 
	seen_at FLOAT NOT NULL, 
	PRIMARY KEY (team_id, event_id)
);
CREATE INDEX ix_bot_seen_events_seen_at ON bot_seen_events (seen_at);
CREATE TABLE digest_subscriptions (
	id INTEGER NOT NULL, 
	team_id VARCHAR(64) NOT NULL, 
	channel_id VARCHAR(64) NOT NULL, 
	target VARCHAR(8) NOT NULL, 
	owner_id VARCHAR(64) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	cadence VARCHAR(8) NOT NULL, 
	cron VARCHAR(120), 
	day VARCHAR(8), 
	time VARCHAR(5) NOT NULL, 
	timezone VARCHAR(64) NOT NULL, 
	period VARCHAR(40) NOT NULL, 
	goal VARCHAR(40), 
	kpis JSON NOT NULL, 
	filters JSON NOT NULL, 
	quiet VARCHAR(8) NOT NULL, 
	threshold_kind VARCHAR(8), 
	threshold_value FLOAT, 
	alert_direction VARCHAR(8) NOT NULL, 
	alert_state VARCHAR(8) NOT NULL, 
	spec_text TEXT NOT NULL, 
	status VARCHAR(8) NOT NULL, 
	paused_reason TEXT, 
	active_since DATETIME NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_digest_subscriptions_team_id ON digest_subscriptions (team_id);
CREATE TABLE digest_deliveries (
	id INTEGER NOT NULL, 
	subscription_id INTEGER NOT NULL, 
	team_id VARCHAR(64) NOT NULL, 
	period_key VARCHAR(64) NOT NULL, 
	scheduled_for DATETIME NOT NULL, 
	late BOOLEAN NOT NULL, 
	state VARCHAR(8) NOT NULL, 
	final BOOLEAN NOT NULL, 
	claim_token VARCHAR(40) NOT NULL, 
	claimed_at DATETIME NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at DATETIME, 
	marker VARCHAR(80) NOT NULL, 
	channel VARCHAR(64), 
	message_ts VARCHAR(32), 
	chart_posted BOOLEAN NOT NULL, 
	error TEXT, 
	completed_at DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_digest_delivery UNIQUE (subscription_id, period_key)
);
CREATE INDEX ix_digest_deliveries_team_id ON digest_deliveries (team_id);
CREATE INDEX ix_digest_deliveries_subscription_id ON digest_deliveries (subscription_id);
CREATE TABLE slack_bots (
	id INTEGER NOT NULL, 
	client_id VARCHAR(32) NOT NULL, 
	app_id VARCHAR(32) NOT NULL, 
	enterprise_id VARCHAR(32), 
	enterprise_name VARCHAR(200), 
	team_id VARCHAR(32), 
	team_name VARCHAR(200), 
	bot_token VARCHAR(200), 
	bot_id VARCHAR(32), 
	bot_user_id VARCHAR(32), 
	bot_scopes VARCHAR(1000), 
	bot_refresh_token VARCHAR(200), 
	bot_token_expires_at DATETIME, 
	is_enterprise_install BOOLEAN NOT NULL, 
	installed_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX slack_bots_idx ON slack_bots (client_id, enterprise_id, team_id, installed_at);
CREATE TABLE slack_installations (
	id INTEGER NOT NULL, 
	client_id VARCHAR(32) NOT NULL, 
	app_id VARCHAR(32) NOT NULL, 
	enterprise_id VARCHAR(32), 
	enterprise_name VARCHAR(200), 
	enterprise_url VARCHAR(200), 
	team_id VARCHAR(32), 
	team_name VARCHAR(200), 
	bot_token VARCHAR(200), 
	bot_id VARCHAR(32), 
	bot_user_id VARCHAR(32), 
	bot_scopes VARCHAR(1000), 
	bot_refresh_token VARCHAR(200), 
	bot_token_expires_at DATETIME, 
	user_id VARCHAR(32) NOT NULL, 
	user_token VARCHAR(200), 
	user_scopes VARCHAR(1000), 
	user_refresh_token VARCHAR(200), 
	user_token_expires_at DATETIME, 
	incoming_webhook_url VARCHAR(200), 
	incoming_webhook_channel VARCHAR(200), 
	incoming_webhook_channel_id VARCHAR(200), 
	incoming_webhook_configuration_url VARCHAR(200), 
	is_enterprise_install BOOLEAN NOT NULL, 
	token_type VARCHAR(32), 
	installed_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX slack_installations_idx ON slack_installations (client_id, enterprise_id, team_id, user_id, installed_at);
CREATE TABLE slack_oauth_states (
	id INTEGER NOT NULL, 
	state VARCHAR(200) NOT NULL, 
	expire_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE digest_jobs (
	id VARCHAR(191) NOT NULL, 
	next_run_time FLOAT, 
	job_state BLOB NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_digest_jobs_next_run_time ON digest_jobs (next_run_time);
