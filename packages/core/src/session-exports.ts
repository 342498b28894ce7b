/**
 * `@corows/core/session`: the parts of sessions (`resume`, PROTOCOL.md §5) that a server builds on,
 * apart from the main entry so that a browser page never loads them.
 */
export { decodeControl, encodeControl } from './control.js';
export type { ControlFrame } from './control.js';
export { Session } from './session.js';
export type { SessionHost } from './session.js';
export { SESSION_PARAM } from './session-id.js';
export { DEFAULT_MAX_UNACKED, DEFAULT_MAX_UNACKED_BYTES, DEFAULT_RESUME_WINDOW, resolveResume } from './session-options.js';
export type { ResumeOptions, ResumeSettings } from './session-options.js';
