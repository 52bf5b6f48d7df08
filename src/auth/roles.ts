/**
 * The RACI roles golive knows out of the box (runbooks may declare others; a person's roles in
 * the users file are plain role ids). The release manager is the AI product manager.
 */
export const RACI_ROLES = {
  implementationEngineer: 'implementation-engineer',
  aiProductManager: 'ai-product-manager',
  guardian: 'guardian',
  businessSponsor: 'business-sponsor',
  endUser: 'end-user',
  operations: 'operations',
  /** Not a go-live role: reads every run whose runbook names it in `readAuthority`. */
  auditor: 'auditor',
} as const;

/** Who may start a go-live run (the workflow's own rules decide everything after that). */
export const START_RUN_ROLES: readonly string[] = [RACI_ROLES.aiProductManager, RACI_ROLES.implementationEngineer];
