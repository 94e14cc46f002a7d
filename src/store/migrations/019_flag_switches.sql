-- The feature-flag kill switch's one row per (service, flag): the switch under way or the last one done.
-- A switch claims the row first (compare-and-set: no fresh 'switching' claim, and not already done to the
-- same state), so two presses of "Disable <flag>" or a press and a /rollback flag on two replicas make one
-- write to the provider; the other is told the switch is in progress or the flag is already in that state.
-- A claim older than the flag's read-back time (a replica that died mid-switch) can be taken over.
CREATE TABLE flag_switches (
  service     text        NOT NULL,
  flag        text        NOT NULL,
  state       text        NOT NULL CHECK (state IN ('on', 'off')),
  status      text        NOT NULL CHECK (status IN ('switching', 'done', 'failed')),
  actor       text        NOT NULL,
  at          timestamptz NOT NULL,
  incident_id text,
  token       text        NOT NULL,
  PRIMARY KEY (service, flag)
);
