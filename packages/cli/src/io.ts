import type { Readable, Writable } from 'node:stream';

/**
 * The streams a command reads and writes: the process's own, passed in so that each command says
 * what it uses (and tests can run a command in-process).
 */
export interface Io {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
}
