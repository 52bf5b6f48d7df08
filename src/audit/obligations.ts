/**
 * The EU AI Act (Regulation (EU) 2024/1689) obligations the dossier's sections serve, and what
 * each Collaboration Mode means for human oversight. Data only: the sections cite these, the
 * renderers print them.
 */

export interface Obligation {
  ref: string;
  title: string;
}

export const OBLIGATIONS = {
  aiLiteracy: { ref: 'Art. 4', title: 'AI literacy of staff' },
  riskManagement: { ref: 'Art. 9', title: 'Risk management system (incl. testing, Art. 9(6)–(8))' },
  technicalDocumentation: { ref: 'Art. 11 & Annex IV', title: 'Technical documentation' },
  recordKeeping: { ref: 'Art. 12', title: 'Record-keeping (automatically recorded events)' },
  humanOversight: { ref: 'Art. 14', title: 'Human oversight' },
  robustness: { ref: 'Art. 15', title: 'Accuracy, robustness and cybersecurity' },
  qualityManagement: { ref: 'Art. 17', title: 'Quality management system' },
  deployer: { ref: 'Art. 26', title: 'Obligations of deployers (use, oversight, monitoring, logs)' },
  postMarket: { ref: 'Art. 72', title: 'Post-market monitoring' },
  seriousIncidents: { ref: 'Art. 73', title: 'Reporting of serious incidents' },
} as const satisfies Record<string, Obligation>;

/** The GDPR (Regulation (EU) 2016/679) articles the dossier's data-protection part serves. */
export const GDPR = {
  lawfulBasis: { ref: 'GDPR Art. 6 & 9', title: 'Lawful basis of processing (special categories)' },
  automatedDecisions: { ref: 'GDPR Art. 22', title: 'Automated individual decision-making' },
  records: { ref: 'GDPR Art. 30', title: 'Records of processing activities' },
  dpia: { ref: 'GDPR Art. 35', title: 'Data protection impact assessment' },
  dpo: { ref: 'GDPR Art. 39(1)(c)', title: 'Advice of the data protection officer on the DPIA' },
} as const satisfies Record<string, Obligation>;

/** Collaboration Modes 1–5, as the runbook schema defines them (1 = AI assists … 5 = autonomous within hard boundaries). */
export const COLLABORATION_MODES: Record<number, { name: string; autonomy: string; oversight: string }> = {
  1: {
    name: 'AI assists',
    autonomy: 'The AI suggests; people do the work and take every decision.',
    oversight: 'Every output is read by a person before anything happens.',
  },
  2: {
    name: 'AI proposes, people decide',
    autonomy: 'The AI drafts outputs; each one needs a person’s approval to take effect.',
    oversight: 'Human in the loop for every output.',
  },
  3: {
    name: 'AI acts, people approve the consequential',
    autonomy: 'The AI acts on routine cases; defined consequential actions need an approval first.',
    oversight: 'Human in the loop for listed actions, on the loop for the rest.',
  },
  4: {
    name: 'AI acts, people supervise',
    autonomy: 'The AI acts on its own; people monitor, sample and can intervene or stop at any time.',
    oversight: 'Human on the loop: monitoring, Red Button, stop authority.',
  },
  5: {
    name: 'AI acts autonomously within hard boundaries',
    autonomy: 'The AI acts on its own inside hard boundaries it cannot cross; people handle exceptions.',
    oversight: 'Oversight by exception: hard boundaries, alerting, stop authority, post-market monitoring.',
  },
};
