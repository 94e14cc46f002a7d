import type { Query } from '../pool';

/** Returns a row only for the first delivery with this key: retries and other replicas get none. */
export const claimDelivery = (key: string, kind: string): Query => ({
  text: `INSERT INTO slack_deliveries (delivery_key, kind) VALUES ($1, $2)
         ON CONFLICT (delivery_key) DO NOTHING RETURNING delivery_key`,
  values: [key, kind],
});

/** Deliveries older than Slack retries (minutes) could still bring again; returns how many went. */
export const pruneDeliveries = (olderThanHours: number): Query => ({
  text: `WITH gone AS (DELETE FROM slack_deliveries WHERE received_at < now() - make_interval(hours => $1) RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
  values: [olderThanHours],
});

/** Many claims in one statement: returns the keys stored now (the first delivery of each). */
export const claimDeliveries = (claims: readonly { key: string; kind: string }[]): Query => ({
  text: `INSERT INTO slack_deliveries (delivery_key, kind)
         SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (delivery_key) DO NOTHING RETURNING delivery_key`,
  values: [claims.map((c) => c.key), claims.map((c) => c.kind)],
});
