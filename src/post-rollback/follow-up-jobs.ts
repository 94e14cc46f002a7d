/**
 * The follow-through's scheduled jobs: `follow-up-reminders` every 5 minutes
 * (one reminder post per incident thread listing its overdue open actions and
 * mentioning the owner), and `archive-restores` every 10 minutes (learns from
 * each app database which archived values restore-archive put back, for the
 * data-loss metric).
 */
import { findService } from '../rollback/services';
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import { takeDueReminders } from '../rollback/follow-up/follow-through';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import type { Notifier } from '../slack/outbox/notifier';
import type { ScheduledJob } from '../schedule/job';
import { messageKey } from '../slack/announcer';
import { followUpReminderMessage } from '../slack/blocks/follow-up-checklist';
import { serviceRef } from '../slack/incident-views';
import { createSlackNotifier } from '../slack/outbox';
import type { Db } from '../store/pool';
import { syncArchiveRestores } from './archive-restores';

interface FollowUpJobDeps {
  db: Db;
  engine: Pick<EngineDeps, 'store' | 'clock' | 'services' | 'env'>;
  logger: Logger;
  /** Where reminders are stored for the outbox; default the outbox over `db`. */
  notifier?: Notifier;
}

/** Whom a reminder mentions: the incident's owner, or the DevOps lead when an alert owns it. */
function reminded(owner: string, service: ServiceConfig): string {
  return /^[UW][A-Z0-9]{2,}$/.test(owner) ? owner : (service.roles.devopsLead[0] ?? owner);
}

async function sendFollowUpReminders(deps: FollowUpJobDeps, slot: Date): Promise<number> {
  const notifier = deps.notifier ?? createSlackNotifier(deps.db);
  const reminders = await takeDueReminders(deps.engine);
  for (const { incident, items } of reminders) {
    if (!incident.channelId) continue;
    const service = findService(deps.engine.services, incident.service);
    await notifier.send({
      // One key per run: a reminder is a new post, never an edit of the last one.
      key: messageKey(incident.id, `reminder:${slot.toISOString()}`),
      channel: incident.channelId,
      threadKey: messageKey(incident.id, 'root'),
      ...followUpReminderMessage({
        timeZone: service.workingHours.timeZone,
        incident: { id: incident.id },
        service: serviceRef(service),
        owner: reminded(incident.data.owner, service),
        items,
      }),
    });
  }
  return reminders.length;
}

export function followUpJobs(deps: FollowUpJobDeps): ScheduledJob[] {
  return [
    {
      name: 'follow-up-reminders',
      cron: '*/5 * * * *',
      run: async ({ slot, logger }) => {
        const sent = await sendFollowUpReminders(deps, slot);
        if (sent > 0) logger.info({ reminders: sent }, 'post-rollback reminders posted');
      },
    },
    {
      name: 'archive-restores',
      // Every minute: it only connects where an archive is still unrestored, and the
      // data-loss figure of /rollback stats should not lag a restore for long.
      cron: '* * * * *',
      run: async ({ logger }) => {
        await syncArchiveRestores({ ...deps, logger });
      },
    },
  ];
}
