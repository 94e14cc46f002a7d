/**
 * The approval request's view model: the plan, data loss, notes and shadow check an approver must see, and the
 * flags the incident names that "Disable <flag>" offers. Pure, like the other incident views.
 */
import { type FlagSwitchSeen, flagsNamedBy } from '../rollback/incident/flag-switch';
import type { FlagOffer } from './blocks/flag-switched';
import type { ServiceConfig } from '../config/service-schema';
import { buildPlan } from '../rollback/incident/plan';
import type { ApprovalRecord, IncidentRecord, StepRecord } from '../rollback/ports/incident-store';
import type { LossEstimate } from '../rollback/ports/schema';
import type { ApprovalRequestView } from './blocks';
import { serviceRef } from './incident-views';

/** The shadow check's verdict, as the approver must see it before approving. */
function shadowVerdict(plan: {
  verifiedWithData?: boolean;
  shadowDifferences?: string[];
  sampledRows?: { table: { name: string }; rows: number }[];
}): string {
  const rows = (plan.sampledRows ?? []).map((s) => `${s.table.name} ${s.rows}`).join(', ') || 'no rows';
  if (plan.verifiedWithData)
    return `Shadow check with live rows (${rows}): verified, the schema and every sampled value came back.`;
  return (
    `Shadow check with live rows (${rows}): NOT verified: ` +
    `${(plan.shadowDifferences ?? []).join('; ') || 'no verdict'}`
  );
}

export function approvalView(
  incident: IncidentRecord,
  approval: ApprovalRecord,
  step: StepRecord | undefined,
  service: ServiceConfig,
  /** The flags to offer, as the announcer read them (timeline and provider); default those the incident names. */
  offers?: readonly FlagOffer[],
): ApprovalRequestView {
  const kind = approval.action === 'git-reset' ? 'reset' : 'schema';
  const plan = step?.input.plan as
    | {
        dataLoss?: LossEstimate[];
        alternatives?: string[];
        risks?: string[];
        irreversible?: { statement: string; reason: string }[];
        steps?: { sql: string }[];
        source?: { origin: string; description: string };
        verifiedWithData?: boolean;
        shadowDifferences?: string[];
        sampledRows?: { table: { name: string }; rows: number }[];
      }
    | undefined;
  const state: ApprovalRequestView['state'] =
    approval.decision === 'pending'
      ? { status: 'pending' }
      : approval.decision === 'expired'
        ? { status: 'expired', at: approval.expiresAt }
        : {
            status: approval.decision,
            by: approval.decidedBy ?? 'unknown',
            at: approval.decidedAt ?? approval.expiresAt,
          };
  const target = incident.data.request.target ?? '';
  return {
    timeZone: service.workingHours.timeZone,
    approvalId: approval.id,
    incident: { id: incident.id },
    service: serviceRef(service),
    kind,
    target,
    planSteps: plan?.steps?.map((s) => s.sql) ?? buildPlan(kind).steps.map((s) => s.title),
    dataLoss: kind === 'schema' ? plan?.dataLoss : [],
    dataLossNote:
      kind === 'reset'
        ? 'History after the target commit is removed from the deploy branch (kept in the bot’s clone and in reflogs).'
        : undefined,
    notes: [
      // Where the inverse's SQL came from matters when it is not the serving commit's folder (after an application
      // rollback).
      ...(plan?.source && plan.source.origin !== 'folder' ? [`Migration SQL: ${plan.source.description}`] : []),
      ...(plan?.alternatives ?? []).map((a) => `Alternative: ${a}`),
      ...(plan?.risks ?? []),
      ...(plan?.irreversible ?? []).map((i) => `Cannot be undone: ${i.statement} (${i.reason})`),
      ...(plan ? [shadowVerdict(plan)] : []),
    ],
    requestedBy: approval.requestedBy,
    reason: incident.data.request.reason,
    requestedAt: approval.requestedAt,
    expiresAt: approval.expiresAt,
    state,
    retryCommand: `/rollback ${kind} ${service.name} ${target}`,
    ...(kind === 'schema'
      ? { flags: offers ?? flagOffers(incident, service), flagNames: service.flags.map((f) => f.name) }
      : {}),
  };
}

/**
 * The service's flags the incident names (its issue, trigger, reason, target): what "Disable <flag>" offers;
 * one whose latest switch on the incident (`switches`, from its timeline) is off carries who turned it off and when.
 */
export function flagOffers(
  incident: IncidentRecord,
  service: ServiceConfig,
  switches: ReadonlyMap<string, FlagSwitchSeen> = new Map(),
): FlagOffer[] {
  const { reason, target } = incident.data.request;
  const features = incident.data.features ?? [];
  const text = [incident.issue, incident.trigger, reason ?? '', target ?? '', ...features].join(' ');
  return flagsNamedBy(service, text).map((flag) => {
    const last = switches.get(flag.name);
    const off = last?.state === 'off' ? { off: { by: last.by, at: last.at } } : {};
    return { name: flag.name, description: flag.description, ...off };
  });
}
