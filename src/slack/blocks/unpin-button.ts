/**
 * The Unpin button (closing message, /rollback status, App Home): its value
 * names the service, the incident that pinned production (if known) and the
 * deployment to promote (if known; otherwise the newest READY one at click time).
 */
import { UNPIN } from '../action-ids';
import type { types } from '@slack/bolt';
import { actions, button } from './elements';

interface UnpinValue {
  readonly service: string;
  readonly incidentId?: string;
  readonly deploymentId?: string;
}

function unpinButton(value: UnpinValue, label?: string): types.Button {
  return button({
    actionId: UNPIN,
    text: 'Unpin',
    value: [value.service, value.incidentId ?? '', value.deploymentId ?? ''].join('|'),
    confirm: {
      title: 'Unpin production?',
      text:
        `This promotes ` +
        `${label ?? 'the newest READY production deployment (typically the fix)'} to ` +
        `production, so later pushes go live again.`,
      confirm: 'Promote',
      deny: 'Cancel',
    },
  });
}

export function parseUnpinValue(raw: string): UnpinValue {
  const [service = '', incidentId = '', deploymentId = ''] = raw.split('|');
  return { service, ...(incidentId ? { incidentId } : {}), ...(deploymentId ? { deploymentId } : {}) };
}

/** The Unpin button in its own actions block (block_id unique per service). */
export const unpinActions = (value: UnpinValue, label?: string): types.ActionsBlock =>
  actions(`unpin:${value.service}`, [unpinButton(value, label)]);
