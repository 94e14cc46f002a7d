import { ROLLBACK_MODAL_CALLBACK_ID, ROLLBACK_MODAL_FIELDS as F } from '../../../src/slack/action-ids';
import { readRollbackModal, renderText, rollbackModal } from '../../../src/slack/blocks';
import type { ModalStateValues } from '../../../src/slack/blocks';
import { validateView } from '../../../src/standins/slack/block-kit';
import { huge } from './fixtures';

const services = [{ name: 'dr-amal', displayName: 'Dr Amal Clinical OS' }, { name: 'billing-api' }];

/** view.state.values as Slack sends it on view_submission. */
function submitted(answers: { service?: string; what?: string; target?: string; reason?: string }): ModalStateValues {
  return {
    [F.service.blockId]: {
      [F.service.actionId]: {
        type: 'static_select',
        selected_option: answers.service ? { value: answers.service } : null,
      },
    },
    [F.what.blockId]: {
      [F.what.actionId]: { type: 'radio_buttons', selected_option: answers.what ? { value: answers.what } : null },
    },
    [F.target.blockId]: { [F.target.actionId]: { type: 'plain_text_input', value: answers.target ?? null } },
    [F.reason.blockId]: { [F.reason.actionId]: { type: 'plain_text_input', value: answers.reason ?? null } },
  };
}

describe('rollbackModal', () => {
  it('asks for service, what, an optional target (default last known good) and a reason', () => {
    const view = rollbackModal({ services });
    expect(validateView(view, 'modal')).toEqual([]);
    expect(view.callback_id).toBe(ROLLBACK_MODAL_CALLBACK_ID);
    const text = renderText(view.blocks);
    expect(text).toContain('Service: [select: Choose a service]');
    expect(text).toContain('(x) Application (Vercel)  ( ) Code revert (git Option A)  ( ) Schema migration');
    expect(text).toContain(
      'Target (optional): [Deployment id or URL, version, commit, or migration name]\n  default: last known good',
    );
    expect(text).toMatchSnapshot();
    const ids = view.blocks.flatMap((b) => ('block_id' in b && b.block_id ? [b.block_id] : []));
    expect(ids).toEqual(Object.values(F).map((f) => f.blockId));
  });

  it('preselects the only service and fills initial answers', () => {
    const view = rollbackModal({
      services: [services[1]!],
      initial: { what: 'schema', target: '2026_x', reason: 'broken' },
    });
    const text = renderText(view.blocks);
    expect(text).toContain('Service: [select: billing-api]');
    expect(text).toContain('(x) Schema migration');
    expect(text).toContain('[2026_x]');
  });

  it('stays valid with 150 services of huge names and huge initial values', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({
      name: `svc-${i}-${'a'.repeat(200)}`,
      displayName: huge(500),
    }));
    const view = rollbackModal({
      services: many,
      initial: { service: many[3]!.name, target: huge(5000), reason: huge(5000) },
      privateMetadata: huge(5000),
    });
    expect(validateView(view, 'modal')).toEqual([]);
  });
});

describe('readRollbackModal', () => {
  const known = services.map((s) => s.name);

  it('reads a complete submission into a rollback request', () => {
    expect(
      readRollbackModal(submitted({ service: 'dr-amal', what: 'application', reason: '  sign-in broken ' }), known),
    ).toEqual({
      ok: true,
      service: 'dr-amal',
      request: { kind: 'application', target: undefined, reason: 'sign-in broken' },
    });
    expect(
      readRollbackModal(submitted({ service: 'dr-amal', what: 'revert', target: 'b90de38', reason: 'x' }), known),
    ).toMatchObject({
      ok: true,
      request: { kind: 'revert', target: 'b90de38' },
    });
  });

  it('answers per-field errors keyed by block id', () => {
    const answer = readRollbackModal(submitted({ service: 'nope', what: 'schema', reason: '   ' }), known);
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(Object.keys(answer.errors).sort()).toEqual([F.reason.blockId, F.service.blockId, F.target.blockId].sort());
    expect(answer.errors[F.target.blockId]).toContain('migration name');
  });

  it('refuses an unknown "what", a revert without commit and a target with spaces', () => {
    expect(readRollbackModal(submitted({ service: 'dr-amal', what: 'reset', reason: 'x' }), known)).toMatchObject({
      ok: false,
      errors: { [F.what.blockId]: expect.any(String) },
    });
    expect(readRollbackModal(submitted({ service: 'dr-amal', what: 'revert', reason: 'x' }), known)).toMatchObject({
      ok: false,
      errors: { [F.target.blockId]: expect.stringContaining('commit') },
    });
    expect(
      readRollbackModal(submitted({ service: 'dr-amal', what: 'application', target: 'to 1.9.0', reason: 'x' }), known),
    ).toMatchObject({ ok: false });
  });

  it('treats a malformed payload (missing blocks) as unanswered fields, not a crash', () => {
    expect(readRollbackModal({}, known)).toMatchObject({
      ok: false,
      errors: {
        [F.service.blockId]: expect.any(String),
        [F.what.blockId]: expect.any(String),
        [F.reason.blockId]: expect.any(String),
      },
    });
  });
});
