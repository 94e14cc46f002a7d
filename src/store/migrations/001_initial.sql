-- The bot's own tables. The runbook's words: incident, trigger, step,
-- approval (authority), timeline (audit trail), last known good.

CREATE TABLE services (
  name          text PRIMARY KEY,
  display_name  text,
  config        jsonb NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Every production deployment the bot has seen, and whether it became "last known good".
CREATE TABLE deployments (
  service             text NOT NULL REFERENCES services (name),
  deployment_id       text NOT NULL,
  url                 text,
  commit_sha          text,
  version             text,
  first_seen_at       timestamptz NOT NULL DEFAULT now(),
  served_from         timestamptz,
  served_until        timestamptz,
  last_known_good_at  timestamptz,
  notes               text,
  PRIMARY KEY (service, deployment_id)
);

CREATE TYPE incident_state AS ENUM ('open', 'rolling_back', 'verifying', 'resolved', 'failed', 'cancelled');

CREATE TABLE incidents (
  id                 text PRIMARY KEY,
  service            text NOT NULL REFERENCES services (name),
  state              incident_state NOT NULL DEFAULT 'open',
  severity           text CHECK (severity IN ('must', 'should', 'may')),
  issue              text NOT NULL,
  trigger            text NOT NULL,
  opened_by          text,
  opened_at          timestamptz NOT NULL DEFAULT now(),
  impact_started_at  timestamptz,
  detected_at        timestamptz,
  decided_at         timestamptz,
  restored_at        timestamptz,
  closed_at          timestamptz,
  channel_id         text,
  thread_ts          text,
  data               jsonb NOT NULL DEFAULT '{}'
);

-- The runbook's "one rollback per service at a time": at most one open incident.
CREATE UNIQUE INDEX incidents_one_open_per_service
  ON incidents (service) WHERE state IN ('open', 'rolling_back', 'verifying');

CREATE TYPE step_state AS ENUM (
  'pending', 'awaiting_approval', 'approved', 'running', 'succeeded', 'failed', 'unknown', 'cancelled'
);

CREATE TABLE steps (
  id           bigserial PRIMARY KEY,
  incident_id  text NOT NULL REFERENCES incidents (id),
  position     integer NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('application', 'code_revert', 'code_reset', 'deploy', 'schema', 'verification')),
  state        step_state NOT NULL DEFAULT 'pending',
  input        jsonb NOT NULL DEFAULT '{}',
  output       jsonb,
  error        jsonb,
  attempts     integer NOT NULL DEFAULT 0,
  claimed_by   text,
  started_at   timestamptz,
  finished_at  timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (incident_id, position)
);

CREATE INDEX steps_runnable ON steps (state) WHERE state IN ('pending', 'approved', 'running');

CREATE TYPE approval_decision AS ENUM ('pending', 'approved', 'rejected', 'expired');

CREATE TABLE approvals (
  id            text PRIMARY KEY,
  incident_id   text NOT NULL REFERENCES incidents (id),
  step_id       bigint REFERENCES steps (id),
  action        text NOT NULL CHECK (action IN ('git-reset', 'schema-rollback')),
  requested_by  text NOT NULL,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  decision      approval_decision NOT NULL DEFAULT 'pending',
  decided_by    text,
  decided_at    timestamptz,
  message_ts    text
);

-- The audit trail the runbook's compliance note asks for. Append-only:
-- the database itself refuses UPDATE, DELETE and TRUNCATE.
CREATE TABLE timeline (
  id           bigserial PRIMARY KEY,
  incident_id  text REFERENCES incidents (id),
  service      text,
  at           timestamptz NOT NULL DEFAULT now(),
  actor        text NOT NULL,
  kind         text NOT NULL,
  message      text NOT NULL,
  data         jsonb NOT NULL DEFAULT '{}'
);

CREATE INDEX timeline_by_incident ON timeline (incident_id, id);

CREATE FUNCTION timeline_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'timeline is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER timeline_no_update_or_delete BEFORE UPDATE OR DELETE ON timeline
  FOR EACH ROW EXECUTE FUNCTION timeline_is_append_only();
CREATE TRIGGER timeline_no_truncate BEFORE TRUNCATE ON timeline
  FOR EACH STATEMENT EXECUTE FUNCTION timeline_is_append_only();

-- Slack deliveries already handled (event id, or trigger id for commands and
-- interactions): a retry, or the same delivery reaching a second replica, is dropped.
CREATE TABLE slack_deliveries (
  delivery_key  text PRIMARY KEY,
  kind          text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now()
);
