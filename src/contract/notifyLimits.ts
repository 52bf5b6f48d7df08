/**
 * A notification's subject is at most this long (the notify action's schema). The run's own
 * notifications fit it by cutting (workflows/actions.ts): their subjects carry free text, e.g. a
 * rollback's reason, which may be far longer.
 */
export const NOTIFY_SUBJECT_MAX = 300;
