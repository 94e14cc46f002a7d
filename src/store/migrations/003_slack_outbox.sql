-- The Slack outbox: every message the bot means to post or edit is stored
-- here first and sent by a worker (src/slack/outbox/), so a Slack outage or a
-- 429 delays a message and never the rollback that produced it.

CREATE TABLE slack_outbox (
  key              text PRIMARY KEY,
  -- Insertion order: messages go out oldest first, even when created in the same instant.
  seq              bigserial NOT NULL UNIQUE,
  -- The channel id; NULL for a direct message until conversations.open has named it.
  channel          text,
  dm_user          text,
  -- What the per-channel pace is kept on: the channel, or "dm:<user>" for a direct message.
  gate             text NOT NULL,
  thread_key       text,
  text             text NOT NULL,
  blocks           jsonb,
  version          integer NOT NULL DEFAULT 1,
  sent_version     integer NOT NULL DEFAULT 0,
  -- The last version Slack refused for good (channel_not_found, invalid_blocks...): not retried.
  failed_version   integer NOT NULL DEFAULT 0,
  ts               text,
  posted_channel   text,
  next_attempt_at  timestamptz NOT NULL DEFAULT '-infinity',
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (channel IS NOT NULL OR dm_user IS NOT NULL),
  CHECK (key <> '' AND gate <> '')
);

CREATE INDEX slack_outbox_pending ON slack_outbox (gate, seq)
  WHERE version > sent_version AND version > failed_version;

-- One row per channel (gate): when the next call may go out, and which worker
-- holds it meanwhile. Shared by every replica, so the pace holds across them.
CREATE TABLE slack_outbox_gates (
  gate             text PRIMARY KEY,
  next_allowed_at  timestamptz NOT NULL DEFAULT '-infinity',
  holder           text,
  last_sent_at     timestamptz
);
