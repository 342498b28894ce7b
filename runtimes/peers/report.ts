/** The prefix of every line a peer process writes for the driver; anything else it prints is noise. */
export const LINE_PREFIX = 'CONTRACT ';

/** Writes one message for the driver (an outcome, the address listened on, the end of a run). */
export function tellDriver(message: object): void {
  console.log(LINE_PREFIX + JSON.stringify(message));
}
