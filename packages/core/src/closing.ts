/**
 * What a connection keeps about its closing: made when the closing starts (or someone waits for it),
 * so that an open connection carries one field for all of it.
 */
export class Closing {
  /** The close code this end sent, if it started the closing handshake. */
  sentCode: number | undefined = undefined;
  /** The close code and reason, once closed. */
  code: number | undefined = undefined;
  reason: string | undefined = undefined;
  private done: Promise<void> | undefined = undefined;
  private resolveDone: (() => void) | undefined = undefined;

  /** Resolves once the connection has closed. */
  get closed(): Promise<void> {
    return (this.done ??= new Promise((resolve) => {
      this.resolveDone = resolve;
    }));
  }

  /** Whoever waits for the close may go on: the connection has closed, and told its listeners. */
  settle(): void {
    this.resolveDone?.();
  }
}
