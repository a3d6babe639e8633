CREATE TABLE public.bot_seen_events (
    team_id character varying(64) NOT NULL,
    event_id character varying(128) NOT NULL,
    seen_at double precision NOT NULL
);
CREATE TABLE public.conversation_turns (
    id integer NOT NULL,
    team_id character varying(64) NOT NULL,
    thread_key character varying(255) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    question text NOT NULL,
    summary text NOT NULL,
    context text NOT NULL
);
CREATE SEQUENCE public.conversation_turns_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.conversation_turns_id_seq OWNED BY public.conversation_turns.id;
CREATE TABLE public.digest_deliveries (
    id integer NOT NULL,
    subscription_id integer NOT NULL,
    team_id character varying(64) NOT NULL,
    period_key character varying(64) NOT NULL,
    scheduled_for timestamp with time zone NOT NULL,
    late boolean NOT NULL,
    state character varying(8) NOT NULL,
    final boolean NOT NULL,
    claim_token character varying(40) NOT NULL,
    claimed_at timestamp with time zone NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamp with time zone,
    marker character varying(80) NOT NULL,
    channel character varying(64),
    message_ts character varying(32),
    chart_posted boolean NOT NULL,
    error text,
    completed_at timestamp with time zone
);
CREATE SEQUENCE public.digest_deliveries_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.digest_deliveries_id_seq OWNED BY public.digest_deliveries.id;
CREATE TABLE public.digest_jobs (
    id character varying(191) NOT NULL,
    next_run_time double precision,
    job_state bytea NOT NULL
);
CREATE TABLE public.digest_subscriptions (
    id integer NOT NULL,
    team_id character varying(64) NOT NULL,
    channel_id character varying(64) NOT NULL,
    target character varying(8) NOT NULL,
    owner_id character varying(64) NOT NULL,
    kind character varying(8) NOT NULL,
    cadence character varying(8) NOT NULL,
    cron character varying(120),
    day character varying(8),
    "time" character varying(5) NOT NULL,
    timezone character varying(64) NOT NULL,
    period character varying(40) NOT NULL,
    goal character varying(40),
    kpis json NOT NULL,
    filters json NOT NULL,
    quiet character varying(8) NOT NULL,
    threshold_kind character varying(8),
    threshold_value double precision,
    alert_direction character varying(8) NOT NULL,
    alert_state character varying(8) NOT NULL,
    spec_text text NOT NULL,
    status character varying(8) NOT NULL,
    paused_reason text,
    active_since timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);
CREATE SEQUENCE public.digest_subscriptions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.digest_subscriptions_id_seq OWNED BY public.digest_subscriptions.id;
CREATE TABLE public.slack_bots (
    id integer NOT NULL,
    client_id character varying(32) NOT NULL,
    app_id character varying(32) NOT NULL,
    enterprise_id character varying(32),
    enterprise_name character varying(200),
    team_id character varying(32),
    team_name character varying(200),
    bot_token character varying(200),
    bot_id character varying(32),
    bot_user_id character varying(32),
    bot_scopes character varying(1000),
    bot_refresh_token character varying(200),
    bot_token_expires_at timestamp without time zone,
    is_enterprise_install boolean NOT NULL,
    installed_at timestamp without time zone NOT NULL
);
CREATE SEQUENCE public.slack_bots_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.slack_bots_id_seq OWNED BY public.slack_bots.id;
CREATE TABLE public.slack_installations (
    id integer NOT NULL,
    client_id character varying(32) NOT NULL,
    app_id character varying(32) NOT NULL,
    enterprise_id character varying(32),
    enterprise_name character varying(200),
    enterprise_url character varying(200),
    team_id character varying(32),
    team_name character varying(200),
    bot_token character varying(200),
    bot_id character varying(32),
    bot_user_id character varying(32),
    bot_scopes character varying(1000),
    bot_refresh_token character varying(200),
    bot_token_expires_at timestamp without time zone,
    user_id character varying(32) NOT NULL,
    user_token character varying(200),
    user_scopes character varying(1000),
    user_refresh_token character varying(200),
    user_token_expires_at timestamp without time zone,
    incoming_webhook_url character varying(200),
    incoming_webhook_channel character varying(200),
    incoming_webhook_channel_id character varying(200),
    incoming_webhook_configuration_url character varying(200),
    is_enterprise_install boolean NOT NULL,
    token_type character varying(32),
    installed_at timestamp without time zone NOT NULL
);
CREATE SEQUENCE public.slack_installations_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.slack_installations_id_seq OWNED BY public.slack_installations.id;
CREATE TABLE public.slack_oauth_states (
    id integer NOT NULL,
    state character varying(200) NOT NULL,
    expire_at timestamp without time zone NOT NULL
);
CREATE SEQUENCE public.slack_oauth_states_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.slack_oauth_states_id_seq OWNED BY public.slack_oauth_states.id;
CREATE TABLE public.workspace_settings (
    team_id character varying(64) NOT NULL,
    config text NOT NULL
);
ALTER TABLE ONLY public.conversation_turns ALTER COLUMN id SET DEFAULT nextval('public.conversation_turns_id_seq'::regclass);
ALTER TABLE ONLY public.digest_deliveries ALTER COLUMN id SET DEFAULT nextval('public.digest_deliveries_id_seq'::regclass);
ALTER TABLE ONLY public.digest_subscriptions ALTER COLUMN id SET DEFAULT nextval('public.digest_subscriptions_id_seq'::regclass);
ALTER TABLE ONLY public.slack_bots ALTER COLUMN id SET DEFAULT nextval('public.slack_bots_id_seq'::regclass);
ALTER TABLE ONLY public.slack_installations ALTER COLUMN id SET DEFAULT nextval('public.slack_installations_id_seq'::regclass);
ALTER TABLE ONLY public.slack_oauth_states ALTER COLUMN id SET DEFAULT nextval('public.slack_oauth_states_id_seq'::regclass);
ALTER TABLE ONLY public.bot_seen_events
    ADD CONSTRAINT bot_seen_events_pkey PRIMARY KEY (team_id, event_id);
ALTER TABLE ONLY public.conversation_turns
    ADD CONSTRAINT conversation_turns_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.digest_deliveries
    ADD CONSTRAINT digest_deliveries_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.digest_jobs
    ADD CONSTRAINT digest_jobs_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.digest_subscriptions
    ADD CONSTRAINT digest_subscriptions_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.slack_bots
    ADD CONSTRAINT slack_bots_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.slack_installations
    ADD CONSTRAINT slack_installations_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.slack_oauth_states
    ADD CONSTRAINT slack_oauth_states_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.digest_deliveries
    ADD CONSTRAINT uq_digest_delivery UNIQUE (subscription_id, period_key);
ALTER TABLE ONLY public.workspace_settings
    ADD CONSTRAINT workspace_settings_pkey PRIMARY KEY (team_id);
CREATE INDEX ix_bot_seen_events_seen_at ON public.bot_seen_events USING btree (seen_at);
CREATE INDEX ix_digest_deliveries_subscription_id ON public.digest_deliveries USING btree (subscription_id);
CREATE INDEX ix_digest_deliveries_team_id ON public.digest_deliveries USING btree (team_id);
CREATE INDEX ix_digest_jobs_next_run_time ON public.digest_jobs USING btree (next_run_time);
CREATE INDEX ix_digest_subscriptions_team_id ON public.digest_subscriptions USING btree (team_id);
CREATE INDEX ix_turns_thread ON public.conversation_turns USING btree (team_id, thread_key, id);
CREATE INDEX slack_bots_idx ON public.slack_bots USING btree (client_id, enterprise_id, team_id, installed_at);
CREATE INDEX slack_installations_idx ON public.slack_installations USING btree (client_id, enterprise_id, team_id, user_id, installed_at);
