/**
 * A control message of the corows protocol (`docs/PROTOCOL.md` §2): a JSON object with a string `t`,
 * its type. The members beside `t` depend on the type.
 */
export interface ControlFrame {
  readonly t: string;
  readonly [member: string]: unknown;
}

const MARK = '\u0000';

/** Writes `frame` as a control message: U+0000, then its JSON. Throws a `TypeError` if JSON cannot encode it. */
export function encodeControl(frame: ControlFrame): string {
  return MARK + JSON.stringify(frame);
}

/** Reads a control message (`text` starts with U+0000, then not another): the frame, or what is wrong with it. */
export function decodeControl(text: string): ControlFrame | string {
  let frame: unknown;
  try {
    frame = JSON.parse(text.slice(1));
  } catch (err) {
    return `a control message is not JSON (${(err as Error).message})`;
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame) || typeof (frame as { t?: unknown }).t !== 'string') {
    return 'a control message is not a JSON object with a string "t"';
  }
  return frame as ControlFrame;
}
