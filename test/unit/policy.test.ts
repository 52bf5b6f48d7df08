import { describe, expect, it } from 'vitest';
import { evidenceItemSchema } from '../../src/contract/schemas/runbook';
import { checkEvidenceValue } from '../../workflows/evidenceValues';
import {
  allowedActions,
  authorize,
  NO_HYPERCARE,
  NOT_IN_HYPERCARE_YET,
  quorumMet,
  Refusal,
  rolesOf,
  SOD_RULES,
  unmetRoles,
  waitTimeline,
  type RunFacts,
  type StepFacts,
} from '../../src/contract/policy';

/** The one policy as pure functions: roles bound to the directory, separation of duties, quorum, the line, reading. */

const assignments = {
  guardian: ['gina', 'gus', 'rita'],
  'business-sponsor': ['sam'],
  'ai-product-manager': ['rita'],
  'implementation-engineer': ['ian'],
  operations: ['otto'],
  'end-user': ['ulla'],
};
/** What the directory grants each person. */
const directory: Record<string, string[]> = {
  gina: ['guardian'],
  gus: ['guardian'],
  rita: ['ai-product-manager', 'guardian'],
  sam: ['business-sponsor'],
  ian: ['implementation-engineer'],
  otto: ['operations'],
  ulla: ['end-user'],
  audrey: ['auditor'],
  stranger: [],
};
const person = (id: string, roles = directory[id]) => ({ id, ...(roles ? { roles } : {}) });

function step(over: Partial<StepFacts> & Pick<StepFacts, 'id' | 'kind'>): StepFacts {
  return {
    status: 'waiting',
    approvers: [],
    covers: [],
    delegatedRoles: [],
    decisions: [],
    items: [],
    submitters: [],
    undelivered: false,
    resendRoles: [],
    ...over,
  };
}

const evidence = step({
  id: 'dossier',
  kind: 'evidence',
  items: [{ id: 'model-card', submittedBy: ['guardian', 'implementation-engineer'], optional: false }],
  submitters: [{ itemId: 'model-card', personId: 'gus' }],
});
const signoff = step({
  id: 'dossier-signoff',
  kind: 'approval',
  approvers: [
    { role: 'guardian', quorum: 2 },
    { role: 'business-sponsor', quorum: 1 },
  ],
  covers: ['dossier'],
});

function facts(over: Partial<RunFacts> = {}, steps: StepFacts[] = [evidence, signoff]): RunFacts {
  return {
    initiatorId: 'rita',
    assignments,
    delegations: [],
    open: true,
    ended: false,
    hypercare: false,
    authority: {
      stop: ['guardian'],
      hypercareStop: ['operations'],
      rollback: ['operations'],
      resolve: ['guardian', 'operations'],
      read: ['operations', 'auditor'],
    },
    sod: { initiatorNeverApproves: true, submitterNeverApproves: true, onePersonOneDecision: true },
    directoryBound: true,
    steps,
    reports: [{ id: 'R1', status: 'open' }],
    ...over,
  };
}

const outcome = (r: unknown) => (r instanceof Refusal ? r.type : 'granted');
const approve = { kind: 'decide', stepId: 'dossier-signoff', decision: 'approve' } as const;
const reject = { kind: 'decide', stepId: 'dossier-signoff', decision: 'reject' } as const;
const withDecisions = (decisions: StepFacts['decisions']) => facts({}, [evidence, { ...signoff, decisions }]);

describe('decisions', () => {
  it('grants an approver in the role the directory gives them, and says so', () => {
    expect(authorize(facts(), person('gina'), approve)).toEqual({
      role: 'guardian',
      countsFor: 'guardian',
      source: 'directory',
    });
  });

  it('refuses the initiator even when they hold an approver role, naming the rule', () => {
    const r = authorize(facts(), person('rita'), approve);
    expect(outcome(r)).toBe('SelfApproval');
    expect((r as Refusal).message).toContain(SOD_RULES.initiator);
    expect(outcome(authorize(facts(), person('rita'), reject))).toBe('SelfApproval');
  });

  it('refuses an assigned person the directory does not (or no longer) grant the role', () => {
    const r = authorize(facts(), person('gina', ['end-user']), approve);
    expect(outcome(r)).toBe('NotAuthorized');
    expect(outcome(authorize(facts(), person('gina', ['end-user']), { ...approve, role: 'guardian' }))).toBe(
      'NotAuthorized',
    );
    // Without directory roles a directory-bound run trusts nobody.
    expect(outcome(authorize(facts(), { id: 'gina' }, approve))).toBe('NotAuthorized');
    // A run started before directory binding judges by its assignments alone.
    expect(outcome(authorize(facts({ directoryBound: false }), { id: 'gina' }, approve))).toBe('granted');
  });

  it('grants a named delegate who does not hold the role, recording the delegation and its reason', () => {
    const delegated = facts({
      assignments: { ...assignments, guardian: [...assignments.guardian, 'otto'] },
      delegations: [{ role: 'guardian', person: 'otto', reason: 'Gina on leave' }],
    });
    expect(authorize(delegated, person('otto'), approve)).toEqual({
      role: 'guardian',
      countsFor: 'guardian',
      source: 'delegation',
      delegationReason: 'Gina on leave',
    });
  });

  it('refuses people without an approver role, and roles they do not hold', () => {
    expect(outcome(authorize(facts(), person('otto'), approve))).toBe('NotAuthorized');
    expect(outcome(authorize(facts(), person('gina'), { ...approve, role: 'business-sponsor' }))).toBe('NotAuthorized');
    expect(outcome(authorize(facts(), person('stranger'), approve))).toBe('NotAuthorized');
  });

  it('counts one decision per person per step, a rejection included', () => {
    const r = authorize(
      withDecisions([{ personId: 'gina', decision: 'reject', countsFor: 'guardian' }]),
      person('gina'),
      approve,
    );
    expect(outcome(r)).toBe('DuplicateDecision');
    expect((r as Refusal).message).toContain(SOD_RULES.onePerson);
    // Older runs counted approvals only.
    const legacy = {
      ...withDecisions([{ personId: 'gina', decision: 'reject', countsFor: 'guardian' }]),
      sod: undefined,
    };
    expect(outcome(authorize(legacy, person('gina'), approve))).toBe('granted');
  });

  it('refuses whoever submitted evidence the approval covers, naming the rule; the runbook may lift it', () => {
    const r = authorize(facts(), person('gus'), approve);
    expect(outcome(r)).toBe('SeparationOfDuties');
    expect((r as Refusal).message).toContain(SOD_RULES.submitter);
    expect((r as Refusal).message).toContain('model-card');
    expect(
      outcome(
        authorize(
          facts({ sod: { initiatorNeverApproves: true, submitterNeverApproves: false, onePersonOneDecision: true } }),
          person('gus'),
          approve,
        ),
      ),
    ).toBe('granted');
  });

  it('counts distinct people towards each role and refuses approvals beyond the quorum, but hears a rejection', () => {
    const two: StepFacts['decisions'] = [
      { personId: 'gina', decision: 'approve', countsFor: 'guardian' },
      { personId: 'gwen', decision: 'approve', countsFor: 'guardian' },
    ];
    expect(unmetRoles(signoff, two)).toEqual(['business-sponsor']);
    expect(quorumMet(signoff, [...two, { personId: 'sam', decision: 'approve', countsFor: 'business-sponsor' }])).toBe(
      true,
    );
    const third = {
      ...withDecisions(two),
      assignments: { ...assignments, guardian: [...assignments.guardian, 'gail'] },
    };
    expect(outcome(authorize(third, person('gail', ['guardian']), approve))).toBe('DuplicateDecision');
    expect(outcome(authorize(third, person('gail', ['guardian']), reject))).toBe('granted');
  });

  it('lets a delegate role decide only after escalation, counting for an unmet approver role', () => {
    expect(outcome(authorize(facts(), person('otto'), approve))).toBe('NotAuthorized');
    const escalated = facts({}, [evidence, { ...signoff, delegatedRoles: ['operations'] }]);
    expect(authorize(escalated, person('otto'), approve)).toEqual({
      role: 'operations',
      countsFor: 'guardian',
      source: 'directory',
    });
  });

  it('answers who may act before whether the step waits: an outsider learns nothing of its state', () => {
    const done = facts({}, [evidence, { ...signoff, status: 'completed' }]);
    expect(outcome(authorize(done, person('otto'), approve))).toBe('NotAuthorized');
    expect(outcome(authorize(done, person('gina'), approve))).toBe('StepNotWaiting');
    expect(outcome(authorize(facts({ open: false }), person('gina'), approve))).toBe('RunClosed');
  });
});

describe('evidence, reports, the line and reading', () => {
  it('lets only the listed roles submit, while the step waits', () => {
    const submit = { kind: 'submit', stepId: 'dossier', itemId: 'model-card' } as const;
    expect(authorize(facts(), person('ian'), submit)).toMatchObject({ role: 'implementation-engineer' });
    expect(outcome(authorize(facts(), person('sam'), submit))).toBe('NotAuthorized');
    expect(outcome(authorize(facts(), person('ian'), { ...submit, itemId: 'nope' }))).toBe('UnknownEvidenceItem');
    expect(outcome(authorize(facts({}, [{ ...evidence, status: 'completed' }, signoff]), person('ian'), submit))).toBe(
      'StepNotWaiting',
    );
  });

  it('says which kind a step is when a message is for another kind, in plain English', () => {
    const toSignoff = authorize(facts(), person('ian'), { kind: 'submit', stepId: signoff.id, itemId: 'x' });
    expect(toSignoff instanceof Refusal ? toSignoff.message : 'granted').toBe(
      'step "dossier-signoff" is an approval step, not an evidence step',
    );
  });

  it('takes Red Button reports from people involved only, during hypercare, anonymous or not', () => {
    const hypercare = facts({ hypercare: true });
    expect(outcome(authorize(hypercare, person('ulla'), { kind: 'report', anonymous: false }))).toBe('granted');
    expect(outcome(authorize(hypercare, person('stranger'), { kind: 'report', anonymous: true }))).toBe(
      'NotAuthorized',
    );
    expect(outcome(authorize(hypercare, person('audrey'), { kind: 'report', anonymous: true }))).toBe('NotAuthorized');
    // Before hypercare the run is open, not closed: the refusal says which.
    expect(outcome(authorize(facts(), person('ulla'), { kind: 'report', anonymous: false }))).toBe('NotInHypercare');
    const report = { kind: 'report', anonymous: false } as const;
    const ahead = facts({}, [evidence, signoff, step({ id: 'hypercare', kind: 'hypercare', status: 'pending' })]);
    expect((authorize(ahead, person('ulla'), report) as Refusal).message).toBe(NOT_IN_HYPERCARE_YET);
    // A runbook without a hypercare step never takes a report: the refusal does not say "yet".
    expect((authorize(facts(), person('ulla'), report) as Refusal).message).toBe(NO_HYPERCARE);
    const closed = facts({ open: false, hypercare: true });
    expect(outcome(authorize(closed, person('ulla'), { kind: 'report', anonymous: true }))).toBe('RunClosed');
  });

  it('tells someone who may not report only that, before hypercare as in it (authority before the phase)', () => {
    const ahead = facts({}, [evidence, signoff, step({ id: 'hypercare', kind: 'hypercare', status: 'pending' })]);
    for (const run of [ahead, facts(), facts({ hypercare: true })])
      for (const who of ['audrey', 'stranger'])
        for (const anonymous of [false, true])
          expect(outcome(authorize(run, person(who), { kind: 'report', anonymous })), `${who} ${anonymous}`).toBe(
            'NotAuthorized',
          );
    // A run that has ended or rolls back says so only to those who may report; the others hear NotAuthorized.
    expect(outcome(authorize(facts({ open: false }), person('audrey'), { kind: 'report', anonymous: false }))).toBe(
      'NotAuthorized',
    );
    expect(outcome(authorize(facts({ open: false }), person('ulla'), { kind: 'report', anonymous: false }))).toBe(
      'RunClosed',
    );
  });

  it('tells someone who may never stop, roll back, report or answer reports only that, whatever the run’s state', () => {
    const rollingBack = facts({ open: false });
    const ended = facts({ open: false, ended: true });
    for (const run of [rollingBack, ended]) {
      const state = run.ended ? 'ended' : 'rolling back';
      for (const action of [
        { kind: 'stop' },
        { kind: 'rollback' },
        { kind: 'report', anonymous: false },
        { kind: 'report', anonymous: true },
      ] as const)
        expect(outcome(authorize(run, person('audrey'), action)), `${state} ${action.kind}`).toBe('NotAuthorized');
      // Those who may (in some phase: operations stop only in hypercare) hear that it is closed.
      expect(outcome(authorize(run, person('otto'), { kind: 'stop' })), state).toBe('RunClosed');
      expect(outcome(authorize(run, person('gina'), { kind: 'stop' })), state).toBe('RunClosed');
      expect(outcome(authorize(run, person('otto'), { kind: 'rollback' })), state).toBe('RunClosed');
      expect(outcome(authorize(run, person('sam'), { kind: 'stop' })), state).toBe('NotAuthorized');
    }
    const stop = authorize(ended, person('sam'), { kind: 'stop' });
    expect(stop instanceof Refusal && stop.message).toBe('sam may not stop the line: it needs guardian or operations');
    for (const kind of ['resolve', 'acknowledge'] as const) {
      expect(outcome(authorize(ended, person('audrey'), { kind, reportId: 'R1' })), kind).toBe('NotAuthorized');
      expect(outcome(authorize(ended, person('otto'), { kind, reportId: 'R1' })), kind).toBe('RunClosed');
      // While rolling back, reports are still answered (the loop closes with the reporter).
      expect(outcome(authorize(rollingBack, person('otto'), { kind, reportId: 'R1' })), kind).toBe('granted');
    }
    // Runs recorded before the order changed judge their Signals as they did: the state first.
    expect(outcome(authorize(rollingBack, person('audrey'), { kind: 'stop' }, { stateFirst: true }))).toBe('RunClosed');
    expect(outcome(authorize(ended, person('audrey'), { kind: 'resolve', reportId: 'R1' }, { stateFirst: true }))).toBe(
      'RunClosed',
    );
  });

  it('lets the hypercare step’s stop authority stop the line only during hypercare', () => {
    expect(outcome(authorize(facts(), person('otto'), { kind: 'stop' }))).toBe('NotAuthorized');
    expect(outcome(authorize(facts({ hypercare: true }), person('otto'), { kind: 'stop' }))).toBe('granted');
    expect(outcome(authorize(facts(), person('gina'), { kind: 'stop' }))).toBe('granted');
    expect(outcome(authorize(facts(), person('otto'), { kind: 'rollback' }))).toBe('granted');
    expect(outcome(authorize(facts(), person('gina'), { kind: 'rollback' }))).toBe('NotAuthorized');
  });

  it('resolves open reports by the resolver roles only', () => {
    expect(outcome(authorize(facts(), person('otto'), { kind: 'resolve', reportId: 'R1' }))).toBe('granted');
    expect(outcome(authorize(facts(), person('ulla'), { kind: 'resolve', reportId: 'R1' }))).toBe('NotAuthorized');
    expect(
      outcome(
        authorize(facts({ reports: [{ id: 'R1', status: 'resolved' }] }), person('otto'), {
          kind: 'resolve',
          reportId: 'R1',
        }),
      ),
    ).toBe('DuplicateDecision');
    expect(outcome(authorize(facts(), person('otto'), { kind: 'resolve', reportId: 'R9' }))).toBe('UnknownReport');
  });

  it('lets the resolver roles acknowledge an open report, and says so in its own verb when it refuses', () => {
    expect(outcome(authorize(facts(), person('otto'), { kind: 'acknowledge', reportId: 'R1' }))).toBe('granted');
    const refused = authorize(facts(), person('ulla'), { kind: 'acknowledge', reportId: 'R1' });
    expect(refused instanceof Refusal && refused.message).toMatch(/^ulla may not acknowledge reports: it needs /);
  });

  it('lets people involved and the runbook’s reader roles read the run; nobody else', () => {
    expect(outcome(authorize(facts({ open: false }), person('ulla'), { kind: 'read' }))).toBe('granted');
    expect(outcome(authorize(facts(), person('audrey'), { kind: 'read' }))).toBe('granted');
    expect(outcome(authorize(facts(), person('stranger'), { kind: 'read' }))).toBe('NotAuthorized');
    expect(outcome(authorize(facts(), person('stranger', ['guardian']), { kind: 'read' }))).toBe('NotAuthorized');
  });

  it('lists exactly the actions authorize grants', () => {
    const f = facts({ hypercare: true });
    expect(allowedActions(f, person('gina')).map((a) => a.kind + ('stepId' in a ? `:${a.stepId}` : ''))).toEqual([
      'read',
      'report',
      'stop',
      'submit:dossier',
      'decide:dossier-signoff',
      'decide:dossier-signoff',
      'resolve',
    ]);
    expect(allowedActions(f, person('stranger'))).toEqual([]);
    expect(allowedActions(f, person('audrey'))).toEqual([{ kind: 'read' }]);
  });
});

describe('evidence values', () => {
  const rate = evidenceItemSchema.parse({
    id: 'training-completion-rate',
    title: 'Training completion',
    type: 'number',
    min: 0.9,
    max: 1,
    submittedBy: ['ai-product-manager'],
  });
  const doc = evidenceItemSchema.parse({
    id: 'model-card',
    title: 'Model card',
    type: 'document',
    submittedBy: ['guardian'],
  });

  it('checks numbers against their bounds, naming the item', () => {
    expect(checkEvidenceValue(rate, 0.95)).toEqual({ ok: true, value: 0.95 });
    const low = checkEvidenceValue(rate, 0.5);
    expect(low).toBeInstanceOf(Refusal);
    expect((low as Refusal).message).toBe('"training-completion-rate" must be at least 0.9 (got 0.5)');
    expect(checkEvidenceValue(rate, 1.2)).toBeInstanceOf(Refusal);
    expect(checkEvidenceValue(rate, '0.95')).toBeInstanceOf(Refusal);
  });

  it('checks documents by shape, naming the bad field, and takes only web links', () => {
    expect((checkEvidenceValue(doc, { name: 'card.pdf', sha256: 'xyz' }) as Refusal).message).toContain('value.sha256');
    expect(checkEvidenceValue(doc, { name: 'card.pdf', sha256: 'a'.repeat(64) })).toMatchObject({ ok: true });
    const url = evidenceItemSchema.parse({
      id: 'feedback-channel-url',
      title: 'Feedback channel',
      type: 'url',
      submittedBy: ['operations'],
    });
    expect(checkEvidenceValue(url, 'https://feedback.example.org/ai')).toMatchObject({ ok: true });
    expect((checkEvidenceValue(url, 'javascript:alert(1)') as Refusal).message).toContain('http(s)');
    expect(
      checkEvidenceValue(doc, { name: 'card.pdf', sha256: 'a'.repeat(64), url: 'data:text/html,hi' }),
    ).toBeInstanceOf(Refusal);
  });
});

describe('waitTimeline and rolesOf', () => {
  it('orders escalation levels and the deadline by time', () => {
    const t = waitTimeline(
      [
        { after: '36h', notify: ['business-sponsor'], delegateTo: 'business-sponsor' },
        { after: '24h', notify: ['guardian'] },
      ],
      '48h',
    );
    expect(t.map((e) => [e.kind, e.atMs])).toEqual([
      ['escalate', 24 * 3_600_000],
      ['escalate', 36 * 3_600_000],
      ['deadline', 48 * 3_600_000],
    ]);
    expect(waitTimeline([], undefined)).toEqual([]);
  });

  it('lists every role a person is assigned in the run', () => {
    expect(rolesOf('rita', assignments).sort()).toEqual(['ai-product-manager', 'guardian']);
    expect(rolesOf('nobody', assignments)).toEqual([]);
  });
});

describe('refusal wording', () => {
  const messageOf = (r: unknown) => (r instanceof Refusal ? r.message : 'granted');

  it('names each role once, however often the runbook lists it', () => {
    const doubled = facts(
      {
        authority: {
          stop: ['guardian', 'operations', 'guardian'],
          hypercareStop: ['operations'],
          rollback: ['operations', 'ai-product-manager', 'operations'],
          resolve: ['guardian', 'operations', 'guardian'],
          read: ['operations'],
        },
        hypercare: true,
      },
      [
        step({
          id: 'dossier',
          kind: 'evidence',
          items: [{ id: 'model-card', submittedBy: ['guardian', 'guardian'], optional: false }],
        }),
        step({ id: 'notify', kind: 'action', undelivered: true, resendRoles: ['operations', 'operations'] }),
        step({ id: 'dossier-signoff', kind: 'approval', approvers: [{ role: 'guardian', quorum: 2 }] }),
      ],
    );
    const ulla = person('ulla');
    expect(messageOf(authorize(doubled, ulla, { kind: 'rollback' }))).toBe(
      'ulla may not ask for a rollback: it needs operations or ai-product-manager',
    );
    expect(messageOf(authorize(doubled, ulla, { kind: 'stop' }))).toBe(
      'ulla may not stop the line: it needs guardian or operations',
    );
    expect(messageOf(authorize(doubled, ulla, { kind: 'resolve', reportId: 'R1' }))).toBe(
      'ulla may not resolve reports: it needs guardian or operations',
    );
    expect(messageOf(authorize(doubled, ulla, { kind: 'resend', stepId: 'notify' }))).toBe(
      'ulla may not resend "notify": it needs operations',
    );
    expect(messageOf(authorize(doubled, ulla, { kind: 'submit', stepId: 'dossier', itemId: 'model-card' }))).toBe(
      'ulla may not submit "model-card": it needs guardian',
    );
    expect(
      messageOf(
        authorize(
          facts({ delegations: [] }, [{ ...signoff, delegatedRoles: ['guardian', 'business-sponsor'] }]),
          ulla,
          approve,
        ),
      ),
    ).toBe('ulla may not decide "dossier-signoff": it needs guardian or business-sponsor (they hold end-user)');
  });
});
