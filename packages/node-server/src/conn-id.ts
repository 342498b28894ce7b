import { randomUUID } from 'node:crypto';

/**
 * A new connection id: a random UUID, unique across nodes. Node's `randomUUID()` returns a rope of 14
 * concatenated pieces (about 470 bytes of heap); reading one character makes V8 flatten it into a
 * single 36-character string (about 70 bytes), which counts when a server holds 10,000s of connections.
 */
export function newConnId(): string {
  const id = randomUUID();
  id.charCodeAt(0);
  return id;
}
