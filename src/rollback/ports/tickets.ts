/**
 * Where the runbook's incident ticket lives. Small on purpose, so GitHub
 * Issues (src/github) can be joined by Linear or Jira: open, find again by
 * incident (a restart must not open a second), comment, close.
 */
import type { ServiceConfig } from '../../config/service-schema';

export interface TicketRef {
  /** The tracker's own id, e.g. "acme/web#12". */
  readonly key: string;
  readonly url: string;
  readonly open: boolean;
}

export interface TicketContent {
  readonly incidentId: string;
  readonly title: string;
  /** Markdown. */
  readonly body: string;
}

export interface TicketTracker {
  /** Whether the service has a tracker configured (tickets in the services file). */
  serves(service: ServiceConfig): boolean;
  /** The ticket opened earlier for this incident, if any. */
  find(service: ServiceConfig, incidentId: string): Promise<TicketRef | undefined>;
  open(service: ServiceConfig, content: TicketContent): Promise<TicketRef>;
  comment(service: ServiceConfig, ticket: TicketRef, body: string): Promise<void>;
  close(service: ServiceConfig, ticket: TicketRef): Promise<void>;
}
