-- After the rollback: the runbook's post-rollback checklist per incident,
-- what the bot knows of archived values put back, and who looks at App Home.

-- One row per checklist item; `position` keeps the runbook's order. Changes
-- are made row-locked (SELECT ... FOR UPDATE), so two clicks never lose one.
CREATE TABLE follow_ups (
  incident_id    text NOT NULL REFERENCES incidents (id),
  item           text NOT NULL,
  position       integer NOT NULL,
  title          text NOT NULL,
  due_at         timestamptz NOT NULL,
  done_at        timestamptz,
  done_by        text,
  snoozed_until  timestamptz,
  reminded_at    timestamptz,
  PRIMARY KEY (incident_id, item),
  CHECK ((done_at IS NULL) = (done_by IS NULL))
);

-- The reminder job's question: which open items are past their deadline?
CREATE INDEX follow_ups_open ON follow_ups (due_at) WHERE done_at IS NULL;

-- Archives a schema rollback made, as the app database's rollback_archive.manifest
-- reports them (row count, restored or not). The steps' outputs say what was
-- archived; this table learns what restore-archive put back since.
CREATE TABLE archive_facts (
  service        text NOT NULL REFERENCES services (name),
  archive_table  text NOT NULL,
  incident_id    text,
  rows           bigint,
  restored_at    timestamptz,
  checked_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service, archive_table)
);

-- Everyone who opened the bot's App Home, so a change to an incident can
-- refresh what they see; the hash skips a publish that would change nothing.
CREATE TABLE app_home_views (
  user_id         text PRIMARY KEY,
  opened_at       timestamptz NOT NULL,
  published_at    timestamptz,
  published_hash  text
);
