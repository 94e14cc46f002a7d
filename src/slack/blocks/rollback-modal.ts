/**
 * The `/rollback` form: service, what to roll back, target (default: last
 * known good) and reason; and the reader of its view_submission, which
 * answers with per-field errors Slack shows under the inputs.
 */
import type { types } from '@slack/bolt';
import type { RollbackRequestData } from '../../rollback/ports/incident-store';
import { ROLLBACK_MODAL_CALLBACK_ID, ROLLBACK_MODAL_FIELDS as FIELDS } from '../action-ids';
import { plainText, section } from './elements';
import { LIMITS, truncate } from './text';
import type { ModalWhat, RollbackModalView } from './view-models';

const WHAT: Record<ModalWhat, { text: string; description: string }> = {
  application: {
    text: 'Application (Vercel)',
    description: 'Move production back to an earlier deployment. 2-5 minutes.',
  },
  revert: {
    text: 'Code revert (git Option A)',
    description: 'Revert commits on the deploy branch and redeploy. 5-10 minutes.',
  },
  schema: { text: 'Schema migration', description: 'Roll back one migration; needs CTO approval. 15-30 minutes.' },
};

const MAX_REASON = 2000;

function option(text: string, value: string, description?: string): types.PlainTextOption {
  const built: types.PlainTextOption = {
    text: plainText(text, LIMITS.optionText),
    value: value.slice(0, LIMITS.optionValue),
  };
  if (description) built.description = plainText(description, LIMITS.optionText);
  return built;
}

function whatOption(what: ModalWhat): types.PlainTextOption {
  return option(WHAT[what].text, what, WHAT[what].description);
}

export function rollbackModal(view: RollbackModalView): types.ModalView {
  const initial = view.initial ?? {};
  const services = view.services
    .slice(0, LIMITS.selectOptions)
    .map((s) => option(s.displayName ? `${s.displayName} (${s.name})` : s.name, s.name));
  const select: types.StaticSelect = {
    type: 'static_select',
    action_id: FIELDS.service.actionId,
    placeholder: plainText('Choose a service', LIMITS.placeholder),
    options: services.length > 0 ? services : [option('No services configured', '-')],
  };
  const chosen = services.find((o) => o.value === initial.service) ?? (services.length === 1 ? services[0] : undefined);
  if (chosen) select.initial_option = chosen;
  const target: types.PlainTextInput = {
    type: 'plain_text_input',
    action_id: FIELDS.target.actionId,
    placeholder: plainText('Deployment id or URL, version, commit, or migration name', LIMITS.placeholder),
  };
  if (initial.target) target.initial_value = truncate(initial.target, 3000);
  const reason: types.PlainTextInput = {
    type: 'plain_text_input',
    action_id: FIELDS.reason.actionId,
    multiline: true,
    max_length: MAX_REASON,
    placeholder: plainText("What broke? This becomes the incident's Issue.", LIMITS.placeholder),
  };
  if (initial.reason) reason.initial_value = truncate(initial.reason, MAX_REASON);
  const modal: types.ModalView = {
    type: 'modal',
    callback_id: ROLLBACK_MODAL_CALLBACK_ID,
    title: plainText('Roll back production', LIMITS.modalTitle),
    submit: plainText('Roll back', LIMITS.modalTitle),
    close: plainText('Cancel', LIMITS.modalTitle),
    blocks: [
      section('Roll back a service. Approvals follow the runbook: a schema rollback waits for the CTO.'),
      {
        type: 'input',
        block_id: FIELDS.service.blockId,
        label: plainText('Service', LIMITS.inputLabel),
        element: select,
      },
      {
        type: 'input',
        block_id: FIELDS.what.blockId,
        label: plainText('What to roll back', LIMITS.inputLabel),
        element: {
          type: 'radio_buttons',
          action_id: FIELDS.what.actionId,
          options: (Object.keys(WHAT) as ModalWhat[]).map(whatOption),
          initial_option: whatOption(initial.what ?? 'application'),
        },
      },
      {
        type: 'input',
        block_id: FIELDS.target.blockId,
        optional: true,
        label: plainText('Target', LIMITS.inputLabel),
        hint: plainText('default: last known good', LIMITS.inputLabel),
        element: target,
      },
      {
        type: 'input',
        block_id: FIELDS.reason.blockId,
        label: plainText('Reason', LIMITS.inputLabel),
        element: reason,
      },
    ],
  };
  if (view.privateMetadata !== undefined) modal.private_metadata = view.privateMetadata.slice(0, 3000);
  return modal;
}

/** The part of `view.state.values` the modal's inputs fill, as Slack sends it. */
export type ModalStateValues = Record<
  string,
  Record<string, { type?: string; value?: string | null; selected_option?: { value: string } | null }>
>;

type ModalAnswer =
  { ok: true; service: string; request: RollbackRequestData } | { ok: false; errors: Record<string, string> };

// Own keys only: `constructor` or `__proto__` from a forged submission is not a choice.
const isWhat = (value: string | undefined): value is ModalWhat => value !== undefined && Object.hasOwn(WHAT, value);

/**
 * Reads a view_submission. On `ok: false`, answer with
 * `ack({ response_action: 'errors', errors })`: the keys are the block ids.
 */
export function readRollbackModal(values: ModalStateValues, knownServices: readonly string[]): ModalAnswer {
  const get = (field: (typeof FIELDS)[keyof typeof FIELDS]) => values[field.blockId]?.[field.actionId];
  const service = get(FIELDS.service)?.selected_option?.value;
  const what = get(FIELDS.what)?.selected_option?.value;
  const target = get(FIELDS.target)?.value?.trim() || undefined;
  const reason = get(FIELDS.reason)?.value?.trim() || undefined;
  const errors: Record<string, string> = {};
  if (!service || !knownServices.includes(service))
    errors[FIELDS.service.blockId] = 'Choose one of the configured services.';
  if (!isWhat(what)) errors[FIELDS.what.blockId] = 'Choose application, code revert or schema.';
  if (what === 'revert' && !target)
    errors[FIELDS.target.blockId] = 'A code revert needs the commit to revert, e.g. b90de38.';
  if (what === 'schema' && !target)
    errors[FIELDS.target.blockId] = 'A schema rollback needs the migration name, e.g. 20260117_add_ai_features.';
  if (target && /\s/.test(target))
    errors[FIELDS.target.blockId] =
      'A target is one word: a deployment id or URL, a version, a commit or a migration name.';
  if (!reason) errors[FIELDS.reason.blockId] = "Say what broke: it becomes the incident's Issue.";
  else if (reason.length > MAX_REASON)
    errors[FIELDS.reason.blockId] = `Keep the reason under ${MAX_REASON} characters.`;
  if (Object.keys(errors).length > 0 || !service || !isWhat(what)) return { ok: false, errors };
  return { ok: true, service, request: { kind: what, target, reason } };
}

/** What the form shows after a submission it handled: the result, in the modal the user is looking at. */
export function rollbackResultModal(text: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: `${ROLLBACK_MODAL_CALLBACK_ID}_result`,
    title: plainText('Rollback', LIMITS.modalTitle),
    close: plainText('Close', LIMITS.button),
    blocks: [section(truncate(text, LIMITS.sectionText))],
  };
}
