-- Progressive rollouts (/rollout): one row per release of a canary deployment over a
-- base deployment, with the stage it is at and since when, so the guard job on any
-- replica (or after a restart) continues the release where it was. One release at a
-- time per service. abort_percent is the share of traffic the canary had when the
-- release was aborted (the runbook's blast radius, for the metrics).
CREATE TABLE releases (
  id               text        PRIMARY KEY,
  service          text        NOT NULL,
  state            text        NOT NULL
    CHECK (state IN ('watching', 'awaiting_approval', 'paused', 'aborting', 'aborted', 'completed')),
  canary           jsonb       NOT NULL,
  base             jsonb       NOT NULL,
  stages           jsonb       NOT NULL,
  stage_index      integer     NOT NULL DEFAULT 0,
  stage_started_at timestamptz NOT NULL,
  started_at       timestamptz NOT NULL,
  requested_by     text        NOT NULL,
  trigger_state    jsonb       NOT NULL DEFAULT '{"fiveXxIntervals": 0}',
  note             text,
  abort_percent    integer,
  incident_id      text,
  ended_at         timestamptz,
  overrides        jsonb       NOT NULL DEFAULT '[]',
  -- Bumped by every change: a write names the version it read, so two replicas never both move a release.
  version          integer     NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX releases_one_live_per_service ON releases (service) WHERE state NOT IN ('aborted', 'completed');
CREATE INDEX releases_started_at ON releases (started_at);
