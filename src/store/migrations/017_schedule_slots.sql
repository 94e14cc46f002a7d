-- Each cron slot of each job runs once across replicas: the replica that takes the
-- job's advisory lock also records the slot here, and a replica whose tick for that
-- slot comes late (clock skew, a paused event loop, a restart) finds it recorded and
-- does not run it again. Rows older than the retention period are pruned.
CREATE TABLE schedule_slots (
  job         text        NOT NULL,
  slot        timestamptz NOT NULL,
  claimed_by  text        NOT NULL,
  claimed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, slot)
);

CREATE INDEX schedule_slots_claimed_at ON schedule_slots (claimed_at);
CREATE INDEX slack_deliveries_received_at ON slack_deliveries (received_at);
