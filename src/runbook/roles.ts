import type { IssuePath } from './issues';
import type { EscalationLevel, EvidenceItem, Runbook } from '../contract/schemas/runbook';

/**
 * Every place a runbook names a role, with its path. The validator checks each is declared;
 * the start check checks each has people assigned. One walk, so the two never disagree.
 */
export interface RoleReference {
  role: string;
  path: IssuePath;
  /** What the role does there, for messages: "approve", "submit evidence", … */
  use:
    | 'approve'
    | 'submit evidence'
    | 'be notified'
    | 'decide after delegation'
    | 'stop the line'
    | 'request rollback'
    | 'hear of and resend an undelivered notification';
}

type RoleSource = Pick<Runbook, 'entryCriteria' | 'stopAuthority' | 'rollbackAuthority'> & {
  steps: readonly Runbook['steps'][number][];
};

export function roleReferences(runbook: RoleSource): RoleReference[] {
  const refs: RoleReference[] = [];
  const items = (list: readonly EvidenceItem[], base: IssuePath): void =>
    list.forEach((item, i) =>
      item.submittedBy.forEach((role, j) =>
        refs.push({ role, path: [...base, i, 'submittedBy', j], use: 'submit evidence' }),
      ),
    );
  const escalation = (levels: readonly EscalationLevel[], base: IssuePath): void =>
    levels.forEach((level, i) => {
      level.notify.forEach((role, j) => refs.push({ role, path: [...base, i, 'notify', j], use: 'be notified' }));
      if (level.delegateTo !== undefined)
        refs.push({ role: level.delegateTo, path: [...base, i, 'delegateTo'], use: 'decide after delegation' });
    });

  items(runbook.entryCriteria, ['entryCriteria']);
  runbook.stopAuthority.forEach((role, i) => refs.push({ role, path: ['stopAuthority', i], use: 'stop the line' }));
  runbook.rollbackAuthority.forEach((role, i) =>
    refs.push({ role, path: ['rollbackAuthority', i], use: 'request rollback' }),
  );
  runbook.steps.forEach((step, s) => {
    const base: IssuePath = ['steps', s];
    switch (step.kind) {
      case 'action':
        step.escalateTo?.forEach((role, i) =>
          refs.push({ role, path: [...base, 'escalateTo', i], use: 'hear of and resend an undelivered notification' }),
        );
        break;
      case 'approval':
        step.approvers.forEach((a, i) =>
          refs.push({ role: a.role, path: [...base, 'approvers', i, 'role'], use: 'approve' }),
        );
        escalation(step.escalation, [...base, 'escalation']);
        break;
      case 'evidence':
        items(step.items, [...base, 'items']);
        escalation(step.escalation, [...base, 'escalation']);
        break;
      case 'hypercare':
        step.notifyOnReport.forEach((role, i) =>
          refs.push({ role, path: [...base, 'notifyOnReport', i], use: 'be notified' }),
        );
        step.stopAuthority.forEach((role, i) =>
          refs.push({ role, path: [...base, 'stopAuthority', i], use: 'stop the line' }),
        );
        escalation(step.escalation, [...base, 'escalation']);
        break;
    }
  });
  return refs;
}
