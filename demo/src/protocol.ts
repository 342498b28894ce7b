/**
 * The chat room's messages: JSON in text frames, sent with `conn.send(value)`.
 *
 * A client's first message must be a {@link Join}; the server answers it with a {@link Welcome}.
 * After that the client sends {@link Say} and receives the room's {@link RoomEvent}s.
 */

/** Client → server, first message: who is joining. */
export interface Join {
  type: 'join';
  name: string;
}

/** Client → server: a line of chat. */
export interface Say {
  type: 'say';
  text: string;
}

/** One line of chat, as the room keeps and sends it. */
export interface ChatLine {
  name: string;
  text: string;
  /** Milliseconds since the epoch, on the server's clock. */
  at: number;
}

/** Server → client, once, in answer to the join. */
export interface Welcome {
  type: 'welcome';
  /** The name the room gave you (yours, or yours with a number if it was taken). */
  you: string;
  online: string[];
  /** The last lines said, oldest first. */
  history: ChatLine[];
}

/** Server → client: what happens in the room. */
export type RoomEvent =
  | ({ type: 'said' } & ChatLine)
  | { type: 'joined'; name: string; online: string[] }
  | { type: 'left'; name: string; online: string[] }
  | { type: 'error'; message: string };

/** Longest name, in characters. */
export const MAX_NAME = 24;
/** Longest line of chat, in characters. */
export const MAX_TEXT = 500;

/** Reads a join message; returns the trimmed name, or an error message that says what is wrong. */
export function readJoin(raw: unknown): { name: string } | { error: string } {
  const msg = parse(raw);
  if (msg === undefined || msg.type !== 'join') return { error: 'the first message must be {"type":"join","name":"..."}' };
  const name = typeof msg.name === 'string' ? msg.name.trim() : '';
  if (name === '' || name.length > MAX_NAME) return { error: `a name must have 1 to ${MAX_NAME} characters` };
  return { name };
}

/** Reads a chat message; returns the text, or an error message that says what is wrong. */
export function readSay(raw: unknown): { text: string } | { error: string } {
  const msg = parse(raw);
  if (msg === undefined || msg.type !== 'say' || typeof msg.text !== 'string') return { error: 'expected {"type":"say","text":"..."}' };
  const text = msg.text.trim();
  if (text === '' || text.length > MAX_TEXT) return { error: `a message must have 1 to ${MAX_TEXT} characters` };
  return { text };
}

function parse(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
