/** The workflows this worker registers (the bundle entry point). */
export { goLive } from './goLive';
export { oversightReview } from './review';
