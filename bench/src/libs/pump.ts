/**
 * The echo traffic of one client connection: what to send and whom to tell about each echo. Every
 * library's {@link EchoPeer.pump} keeps one, so the load generator is the same code for all of them.
 */
export class Pump {
  /** Echoes that did not match what was sent (a broken echo must not pass for a fast one). */
  mismatches = 0;
  private payload = '';
  private onEcho: () => boolean = () => false;

  /** Replaces payload and callback, then sends the first `inFlight` messages with `send`. */
  start(payload: string, inFlight: number, onEcho: () => boolean, send: (payload: string) => void): void {
    this.payload = payload;
    this.onEcho = onEcho;
    for (let i = 0; i < inFlight; i++) send(payload);
  }

  /** An echo came back, as the string the application reads: the payload to send next, or `undefined`. */
  next(echo: unknown): string | undefined {
    if (typeof echo !== 'string' || echo.length !== this.payload.length) this.mismatches++;
    return this.onEcho() ? this.payload : undefined;
  }
}
