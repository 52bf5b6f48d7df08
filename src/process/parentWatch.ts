/**
 * Stops golive when the process that started it dies (`npm start` killed with SIGKILL, a closed
 * terminal): golive is then an orphan that nobody can Ctrl-C, still holding its ports and data
 * folder. Node has no parent-death signal, so the parent id is polled (reparenting changes it).
 */
const POLL_MS = 500;

export function watchParent(onOrphaned: () => void): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onOrphaned();
    }
  }, POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
