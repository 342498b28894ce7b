import type { LinkSwitch } from './conn-parts.js';
import type { GuardedEmitter } from './guarded-emitter.js';
import type { Pipeline } from './pipeline.js';
import type { WebSocketConnEvents } from './types.js';

/**
 * What a connection lets its supervisor do (see {@link LinkSwitch}): swap the links of `pipeline`, and
 * end or report through the connection (`events`, `finish`); `closedError` is what a write gets when
 * the link is closed.
 */
export function linkSwitch(
  pipeline: Pipeline,
  events: GuardedEmitter<WebSocketConnEvents>,
  finish: (code: number, reason: string) => void,
  closedError: (action: string) => Error,
): LinkSwitch {
  return {
    attach: (socket, transport) => pipeline.attach(socket, transport),
    useSession: (session) => {
      pipeline.session = session;
      session?.bind(pipeline);
    },
    events,
    dropLink: () => pipeline.dropLink(),
    write: (data, action) => pipeline.write(data, action, () => closedError(action)),
    finish,
    reportError: (err) => events.emit('error', err),
    announceRetry: (attempt, delay, code, reason) => events.emit('reconnecting', attempt, delay, { code, reason }),
    sessionEnded: (reason) => void pipeline.withControl((control) => control.sessionEnded(reason), false),
  };
}
