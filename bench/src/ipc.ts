/** A request from the orchestrator to a child process. */
export interface Request {
  id: number;
  cmd: string;
  args: unknown;
}

/** A child's answer to the {@link Request} with the same `id`. */
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** The commands a child process answers, by name. */
export type Commands = Record<string, (args: never) => unknown>;
