/**
 * `@corows/core/server`: what a server builds on, apart from the main entry so that a browser page
 * never loads it: the agreement on the corows protocol (PROTOCOL.md §1; `@corows/node-server` does it
 * for you, a plain `ws` server can use these) and the parts of sessions (`resume`, PROTOCOL.md §5).
 *
 * @module server
 */
export { answerCorowsHeader, applicationProtocols, COROWS_PROTOCOL_HEADER, COROWS_SUBPROTOCOL, markCorowsAgreed, negotiateSubprotocol } from './negotiation.js';
export { decodeControl, encodeControl } from './control.js';
export type { ControlFrame } from './control.js';
export { Session } from './session.js';
export type { HandshakeHandler, SessionHost, SessionLink } from './session.js';
export type { Unit, UnitBounds, UnitLog } from './unit-log.js';
export { ACK_DELAY } from './ack-policy.js';
export type { AckPolicy } from './ack-policy.js';
export { SESSION_PARAM } from './session-id.js';
export { isCorowsAgreed } from './negotiation.js';
export { DEFAULT_MAX_UNACKED, DEFAULT_MAX_UNACKED_BYTES, DEFAULT_RESUME_WINDOW, resolveResume } from './session-options.js';
export type { ResumeOptions, ResumeSettings } from './session-options.js';
export { describeValue } from './describe.js';
