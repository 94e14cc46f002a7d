-- A running step is owned through a lease, not through a session advisory lock:
-- the worker renews lease_expires_at while it works (heartbeat), and every write
-- of the step's outcome names lease_token. A worker whose connection, process or
-- heartbeat died loses the lease when it expires; only then may another worker
-- reconcile the step, under a new token that the first one's writes no longer match.
CREATE SEQUENCE step_lease_token_seq;

ALTER TABLE steps
  ADD COLUMN lease_token bigint,
  ADD COLUMN lease_expires_at timestamptz;
