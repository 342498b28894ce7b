import { killAll } from './children.js';

/**
 * Makes sure a bench run leaves no child behind: every child is killed when the orchestrator exits,
 * on Ctrl-C or SIGTERM, and once `deadlineMs` have passed (the run then fails).
 */
export function guardRun(deadlineMs: number): void {
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
  setTimeout(() => {
    console.error(`bench: still running after ${deadlineMs / 60_000} minutes; stopping every child`);
    killAll();
    process.exit(1);
  }, deadlineMs).unref();
}
