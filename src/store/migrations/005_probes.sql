-- The bot's own health probes (src/probes/probe-run.ts): one row per check
-- per run, with what production said it served. The trigger rules read them
-- (auth, database writes, 5xx share, P95 per deployment); the probe job keeps
-- only the last days of them, deleting old rows in batches.

CREATE TABLE probe_results (
  id             bigserial PRIMARY KEY,
  service        text NOT NULL,
  at             timestamptz NOT NULL,
  -- health | version | db_write | smoke:<name of the smoke test>
  check_name     text NOT NULL CHECK (check_name IN ('health', 'version', 'db_write') OR check_name ~ '^smoke:.+'),
  -- False when the check could not be made at all (a missing environment
  -- variable, an unusable table name): a fault of the bot's setup, which is
  -- reported but is not evidence about production.
  ran            boolean NOT NULL DEFAULT true,
  ok             boolean NOT NULL,
  -- The smoke test that signs in (the runbook's "auth completely broken").
  sign_in        boolean NOT NULL DEFAULT false,
  status_code    integer,
  latency_ms     integer NOT NULL CHECK (latency_ms >= 0),
  -- What production served when the run read its version endpoint; NULL when it could not tell.
  deployment_id  text,
  version        text,
  commit_sha     text,
  error          text,
  CHECK (ran OR NOT ok)
);

CREATE INDEX probe_results_by_service_time ON probe_results (service, at);
CREATE INDEX probe_results_by_deployment ON probe_results (service, deployment_id, at) WHERE ok AND check_name <> 'db_write';
