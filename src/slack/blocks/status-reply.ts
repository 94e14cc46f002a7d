/**
 * `/rollback status`: per service, what production runs (version, commit,
 * when, by whom), the target a rollback would choose now, whether an earlier
 * instant rollback pinned production, and the open incident if any.
 */
import { describeService, describeTarget, unavailableField } from './describe';
import { type Block, type SlackMessage, capBlocks, context, divider, fieldSections, section } from './elements';
import { formatDateTime } from './format';
import { LIMITS, escapeMrkdwn, fallback, link, linkMrkdwn, mention, oneLine, truncate } from './text';
import { pinnedBlocks } from './pinned';
import type { ServiceStatusView } from './view-models';

function production(view: ServiceStatusView): string {
  if (view.productionError)
    return `⚠️ Could not read production: ${escapeMrkdwn(truncate(oneLine(view.productionError), 800))}`;
  const now = view.production;
  if (!now) return '_unknown_';
  const parts = [linkMrkdwn(now.url, describeTarget(now))];
  if (now.deployedAt) parts.push(`deployed ${formatDateTime(now.deployedAt, view.timeZone)}`);
  if (now.deployedBy) parts.push(`by ${mention(now.deployedBy)}`);
  const note = now.versionNote ? `\n⚠️ Version unknown: ${escapeMrkdwn(truncate(oneLine(now.versionNote), 800))}` : '';
  return parts.join(', ') + note;
}

function pinned(view: ServiceStatusView): string {
  if (!view.pinned) return 'No: new production deployments go live as usual';
  const since = view.pinned.since ? ` since ${formatDateTime(view.pinned.since, view.timeZone)}` : '';
  const by = view.pinned.incidentId
    ? ` (instant rollback of ${escapeMrkdwn(view.pinned.incidentId)})`
    : ' (an earlier instant rollback)';
  return `📌 Yes${since}${by}: new pushes do not reach production until someone promotes a deployment`;
}

function incident(view: ServiceStatusView): string {
  const open = view.openIncident;
  if (!open) return 'None';
  const issue = open.issue ? `: ${escapeMrkdwn(truncate(oneLine(open.issue), 300))}` : '';
  const problem = open.threadProblem ? `\n⚠️ ${escapeMrkdwn(open.threadProblem)}` : '';
  return (
    `${link(open.url, open.id)} (${escapeMrkdwn(open.state)}, opened ` +
    `${formatDateTime(open.openedAt, view.timeZone)})${issue}${problem}`
  );
}

function serviceBlocks(view: ServiceStatusView): Block[] {
  const target = view.wouldRollBackTo;
  const wouldChoose = target
    ? `${describeTarget(target)}${target.why ? ` (${escapeMrkdwn(truncate(oneLine(target.why), 300))})` : ''}`
    : '_no earlier good deployment known_';
  return [
    section(`*${describeService(view.service)}*`),
    ...fieldSections([
      ['Production now', production(view)],
      ['A rollback would go to', wouldChoose],
      ['Pinned by an instant rollback', pinned(view)],
      ['Open incident', incident(view)],
      ...unavailableField(view.unavailable),
    ]),
    ...(view.pinned ? pinnedBlocks(view.service, view.pinned) : []),
  ];
}

/** The notification text of a reply about one service. */
function serviceText(view: ServiceStatusView): string {
  const now = view.production ? describeTarget(view.production) : 'unknown';
  const open = view.openIncident ? `, open incident ${escapeMrkdwn(view.openIncident.id)}` : '';
  return `Status of ${describeService(view.service)}: production ${now}${open}.`;
}

export function statusReply(services: readonly ServiceStatusView[]): SlackMessage {
  if (services.length === 0)
    return { text: 'No services are configured.', blocks: [section('No services are configured.')] };
  const blocks: Block[] = [];
  services.forEach((view, i) => {
    if (i > 0) blocks.push(divider());
    blocks.push(...serviceBlocks(view));
  });
  blocks.push(context(['Read live from Vercel and the incident store. Nothing was changed.']));
  const text =
    services.length === 1 ? serviceText(services[0] as ServiceStatusView) : `Status of ${services.length} services.`;
  return { text: fallback(text), blocks: capBlocks(blocks, LIMITS.messageBlocks) };
}
