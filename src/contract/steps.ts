import type { EvidenceStep, Runbook, Step } from './schemas/runbook';

/**
 * The runbook's steps as the interpreter runs them: the entry criteria become the first step
 * ("entry-criteria"), and every step knows the steps it waits for. Pure, shared by the
 * workflow, the plan view and the validator so they can never disagree.
 */

export const ENTRY_CRITERIA_STEP_ID = 'entry-criteria';

export interface PlannedStep {
  step: Step;
  after: string[];
}

export function materialiseSteps(runbook: Pick<Runbook, 'entryCriteria' | 'steps'>): PlannedStep[] {
  const steps: Step[] = [];
  if (runbook.entryCriteria.length > 0) {
    const entry: EvidenceStep = {
      id: ENTRY_CRITERIA_STEP_ID,
      kind: 'evidence',
      title: 'Entry criteria (Definition of Ready)',
      phase: 'Entry criteria',
      items: runbook.entryCriteria,
      after: [],
      escalation: [],
    };
    steps.push(entry);
  }
  steps.push(...runbook.steps);
  return steps.map((step, i) => ({
    step,
    // Omitted `after` means "after the previous step"; an explicit [] means "at once".
    after: step.after ?? (i > 0 ? [steps[i - 1]!.id] : []),
  }));
}
