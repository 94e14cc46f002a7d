-- Exactly-once posting and visible refusals for the Slack outbox.
--
-- post_started_at: set (and committed) just before chat.postMessage goes out,
-- cleared once Slack's answer is recorded or the call surely did not post. A
-- row found with it set and no ts had an outcome nobody heard (timeout, crash):
-- before posting again the worker looks for its own message, which carries
-- the outbox key in its metadata, in the channel's recent history.
--
-- refusal: Slack's error code while the channel refuses the message
-- (not_in_channel, channel_not_found, is_archived; invalid_blocks, after which
-- the text alone is sent). Retried slowly; cleared when the message goes out.
ALTER TABLE slack_outbox
  ADD COLUMN post_started_at timestamptz,
  ADD COLUMN refusal text;
