/** The workflows this worker registers (the bundle entry point). */
import './stackFrames';
export { goLive } from './goLive';
export { targetLock } from './targetLock';
export { oversightReview } from './review';
