/**
 * Every interactive id the bot's messages and modal carry, declared once: the
 * builders put them on buttons and inputs, the listeners register them, and
 * the manifest contract test compares the two lists. Slack caps action_id,
 * block_id and callback_id at 255 characters.
 */

/** Approve a schema rollback or git Option B; the button's value is the approval id. */
export const APPROVE = 'rollback_approve';
/** Reject the same request; value: the approval id. */
export const REJECT = 'rollback_reject';
/** "Hotfix": claim that a fix ships in under 5 minutes; value: the incident id. */
export const HOTFIX = 'rollback_hotfix';
/** "Hotfix is out": the claimed fix shipped and production is healthy; value: the incident id. */
export const HOTFIX_DONE = 'rollback_hotfix_done';
/** "Roll back now": skip or override the hotfix question; value: the incident id. */
export const ROLLBACK_NOW = 'rollback_now';

/** "Monitor": watch a detected trigger instead of rolling back; asked again if it persists; value: the incident id. */
export const MONITOR = 'rollback_monitor';
/** "Open incident" on a MAY post for judgement; value: the detection record id. */
export const OPEN_INCIDENT = 'rollback_open_incident';

/**
 * "Unpin": promote a deployment after an instant rollback so new pushes go live again; value: "<service>|<incident id
 * or empty>|<deployment id or empty>".
 */
export const UNPIN = 'rollback_unpin';

/** "Disable <flag>": turn a feature flag off instead of rolling back; value: "<incident id>|<flag name>". */
export const DISABLE_FLAG = 'rollback_disable_flag';
/** A release's question: "Abort" sends all traffic back to the base deployment; value: the release id. */
export const RELEASE_ABORT = 'rollout_abort';
/** "Continue" after a SHOULD paused the release; value: the release id. */
export const RELEASE_CONTINUE = 'rollout_continue';
/** "Approve" a stage that needs it; value: the release id. */
export const RELEASE_APPROVE = 'rollout_approve';
export const RELEASE_ACTION_IDS = [RELEASE_ABORT, RELEASE_CONTINUE, RELEASE_APPROVE] as const;

/** The block_actions ids a listener must answer (buttons in messages). */
export const BUTTON_ACTION_IDS = [
  APPROVE,
  REJECT,
  HOTFIX,
  HOTFIX_DONE,
  ROLLBACK_NOW,
  MONITOR,
  OPEN_INCIDENT,
  UNPIN,
  DISABLE_FLAG,
  ...RELEASE_ACTION_IDS,
] as const;

/** The post-rollback checklist's checkboxes, one group per horizon; block_id: "follow_up:<incident id>:<horizon>". */
export const FOLLOW_UP_TICK = 'follow_up_tick';
/** The ⋯ menu next to an open checklist item; option value: "<incident id>|<item id>|<1h|1d|1w>". */
export const FOLLOW_UP_SNOOZE = 'follow_up_snooze';
/** Checklist controls (checkboxes and menus, not buttons) a listener must answer. */
export const FOLLOW_UP_ACTION_IDS = [FOLLOW_UP_TICK, FOLLOW_UP_SNOOZE] as const;

/** Every block_actions id a message of the bot can carry. */
export const MESSAGE_ACTION_IDS = [...BUTTON_ACTION_IDS, ...FOLLOW_UP_ACTION_IDS] as const;

/** The `/rollback` modal's callback_id, for `app.view(...)`. */
export const ROLLBACK_MODAL_CALLBACK_ID = 'rollback_modal';

/**
 * Where each answer of the modal sits in `view.state.values[blockId][actionId]`.
 * The block ids are also the keys of `response_action: "errors"`.
 */
export const ROLLBACK_MODAL_FIELDS = {
  service: { blockId: 'rollback_service', actionId: 'rollback_service_select' },
  what: { blockId: 'rollback_what', actionId: 'rollback_what_radio' },
  target: { blockId: 'rollback_target', actionId: 'rollback_target_input' },
  reason: { blockId: 'rollback_reason', actionId: 'rollback_reason_input' },
} as const;

/** Input ids inside the modal: answered through view_submission, never registered as actions. */
export const MODAL_INPUT_ACTION_IDS = Object.values(ROLLBACK_MODAL_FIELDS).map((field) => field.actionId);
