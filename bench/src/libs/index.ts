import { corowsLib } from './corows.js';
import { socketIoLib } from './socketio.js';
import type { Lib, LibId } from './types.js';
import { uwsLib } from './uws.js';
import { wsLib } from './ws.js';

const LIBS: Record<LibId, Lib> = {
  uws: uwsLib,
  ws: wsLib,
  'corows-handler': corowsLib('handler'),
  'corows-receive': corowsLib('receive'),
  'socket.io': socketIoLib,
};

/** The library named `id`; throws on a name the bench does not know. */
export function libById(id: string): Lib {
  const lib = LIBS[id as LibId];
  if (lib === undefined) throw new Error(`unknown library ${JSON.stringify(id)}; known: ${Object.keys(LIBS).join(', ')}`);
  return lib;
}
