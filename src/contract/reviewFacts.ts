import type { RunStateView } from './definitions';
import { authorityOf, type RunFacts } from './policy';
import type { ReviewInput, ReviewView } from './reviewDefinitions';

/**
 * The facts the policy decides an oversight review on: the go-live's people and the review's
 * duty. The review workflow builds them from its input; the server's pages from the run's view
 * and the review's, so the form offered and the validator's answer cannot drift apart.
 */

type People = Pick<RunFacts, 'initiatorId' | 'assignments' | 'delegations' | 'directoryBound'>;

function factsFor(people: People, review: Pick<ReviewView, 'dutyId' | 'reviewers' | 'status'>): RunFacts {
  const waiting = review.status === 'waiting';
  return {
    ...people,
    open: waiting,
    ended: !waiting,
    hypercare: false,
    authority: authorityOf({ steps: [], stopAuthority: [], rollbackAuthority: [] }),
    sod: undefined,
    steps: [],
    reports: [],
    review: { dutyId: review.dutyId, reviewers: review.reviewers, waiting },
  };
}

export function reviewFactsFromInput(input: ReviewInput, review: ReviewView): RunFacts {
  return factsFor(
    {
      initiatorId: input.initiatorId,
      assignments: input.assignments,
      delegations: input.delegations,
      directoryBound: input.directoryBound,
    },
    review,
  );
}

export function reviewFactsFromViews(run: RunStateView, review: ReviewView): RunFacts {
  return factsFor(
    {
      initiatorId: run.initiator.id,
      assignments: run.assignments,
      delegations: run.delegations ?? [],
      directoryBound: run.directoryBound ?? false,
    },
    review,
  );
}
