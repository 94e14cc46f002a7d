/** The incident messages, each a pure function from a view model to `{ text, blocks }` (or a modal view). */
export { approvalRequest } from './approval-request';
export { ctoNotice } from './cto-notice';

export type { SlackMessage } from './elements';
export { historyReply } from './history-reply';
export { hotfixQuestion } from './hotfix-question';
export { outageDrafts } from './outage-drafts';
export { planReply } from './plan-reply';
export { progress } from './progress';
export { readMrkdwn, renderText } from './render-text';
export {
  ROLLBACK_COMPLETE_TITLE,
  ROLLBACK_FAILED_TITLE,
  ROLLBACK_UNKNOWN_TITLE,
  rollbackComplete,
  rollbackFailed,
} from './rollback-complete';
export { ROLLBACK_IN_PROGRESS_TITLE, rollbackInProgress } from './rollback-in-progress';
export { type ModalStateValues, readRollbackModal, rollbackModal } from './rollback-modal';
export { statusReply } from './status-reply';

export type * from './view-models';
