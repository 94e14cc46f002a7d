-- Detection (the runbook's "Rollback Triggers"): what the alert tools said,
-- the trigger rules' memory between intervals, and one detection record per
-- service per episode, so a storm or a lasting alert is one incident or one
-- proposal, updated in place.

-- Each alert as last heard, one row per (service, fingerprint). A firing alert
-- stays firing until its resolve arrives or it goes quiet for 4 hours
-- (Alertmanager's default repeat_interval); readers apply the 4 hours.
CREATE TABLE alert_states (
  service        text NOT NULL,
  fingerprint    text NOT NULL,
  source         text NOT NULL,
  kind           text NOT NULL,
  value          double precision,
  firing         boolean NOT NULL,
  severity       text,
  feature        text,
  summary        text NOT NULL,
  -- First notification of the current firing spell (reset when a resolved or expired alert fires again).
  first_seen_at  timestamptz NOT NULL,
  last_seen_at   timestamptz NOT NULL,
  -- When the source says the problem began (startsAt).
  started_at     timestamptz,
  resolved_at    timestamptz,
  -- Firing notifications received in the current spell: a storm is one row with a large count.
  repeats        integer NOT NULL DEFAULT 0,
  PRIMARY KEY (service, fingerprint)
);

CREATE INDEX alert_states_firing ON alert_states (service, last_seen_at) WHERE firing;
CREATE INDEX alert_states_recent ON alert_states (service, last_seen_at);

-- The trigger rules' state per service between evaluation intervals.
CREATE TABLE detection_states (
  service            text PRIMARY KEY,
  -- Consecutive intervals with the 5xx rate above the MUST threshold.
  five_xx_intervals  integer NOT NULL DEFAULT 0,
  -- The last evaluated cron slot: a slot is evaluated once, whichever replica runs it.
  last_slot          timestamptz,
  last_verdict       text CHECK (last_verdict IN ('must', 'should', 'may', 'inconclusive', 'ok')),
  last_rule          text,
  last_reason        text,
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- One record per service per episode (from the first trigger until every alert
-- resolved): the proposal, the incident it opened or joined, the Monitor choice.
CREATE TABLE detections (
  id             bigserial PRIMARY KEY,
  service        text NOT NULL,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'ended')),
  level          text NOT NULL CHECK (level IN ('must', 'should', 'may')),
  rule           text,
  reason         text NOT NULL,
  -- Alerts seen since this instant belong to the episode (its earliest firing alert).
  since          timestamptz NOT NULL,
  opened_at      timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  ended_at       timestamptz,
  end_reason     text,
  incident_id    text REFERENCES incidents (id),
  -- detection: the bot opened the incident; proposal: a person opened it from the MAY post;
  -- joined: the incident was already open (a person's), so the bot only follows it.
  incident_origin text CHECK (incident_origin IN ('detection', 'proposal', 'joined')),
  proposal_posted boolean NOT NULL DEFAULT false,
  monitor_by     text,
  monitor_at     timestamptz,
  monitor_until  timestamptz,
  asked_again    integer NOT NULL DEFAULT 0,
  CHECK ((incident_id IS NULL) = (incident_origin IS NULL))
);

CREATE UNIQUE INDEX detections_one_open_per_service ON detections (service) WHERE status = 'open';
CREATE INDEX detections_by_incident ON detections (incident_id) WHERE incident_id IS NOT NULL;
