/**
 * Group commit for delivery claims: while one INSERT is in flight, the claims
 * that arrive wait and go together in the next one. A lone delivery is claimed
 * at once (no added latency); a burst (an alert storm in the alerts channel)
 * costs one round trip per batch instead of one commit per event, which keeps
 * the backlog of acknowledged-but-unprocessed events, and the memory it holds,
 * small.
 */
import type { Db } from '../../store/pool';
import { claimDeliveries } from '../../store/queries/deliveries';

/** Large enough to absorb a storm, small enough for one quick statement. */
const MAX_BATCH = 500;

interface Pending {
  key: string;
  kind: string;
  resolve(first: boolean): void;
  reject(error: unknown): void;
}

export interface DeliveryClaims {
  /** True for the first delivery with this key, across retries and replicas. */
  claim(key: string, kind: string): Promise<boolean>;
}

export function deliveryClaims(db: Db): DeliveryClaims {
  let queue: Pending[] = [];
  let flushing = false;

  const flush = async (): Promise<void> => {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      // The same key twice in one batch: the later one is a duplicate whatever the table says.
      const unique = new Map<string, Pending>();
      const duplicates: Pending[] = [];
      for (const item of batch) {
        if (unique.has(item.key)) duplicates.push(item);
        else unique.set(item.key, item);
      }
      try {
        const rows = await db.query<{ delivery_key: string }>(claimDeliveries([...unique.values()]));
        const stored = new Set(rows.map((row) => row.delivery_key));
        for (const item of unique.values()) item.resolve(stored.has(item.key));
        for (const item of duplicates) item.resolve(false);
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    flushing = false;
  };

  return {
    claim: (key, kind) =>
      new Promise<boolean>((resolve, reject) => {
        queue.push({ key, kind, resolve, reject });
        if (!flushing) void flush();
      }),
  };
}
