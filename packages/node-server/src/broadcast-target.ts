import type { BroadcastPacket } from './adapter.js';
import type { ConnFilter } from './local-delivery.js';

/** Connections to leave out of a broadcast: connections (anything with an `id`) or ids, one or many. */
export type Exclusion = { readonly id: string } | string | Iterable<{ readonly id: string } | string>;

/** Where a {@link BroadcastTarget} sends its packets (the server). */
export interface Publisher<Data> {
  publish(packet: BroadcastPacket, filter?: ConnFilter<Data>): Promise<Error | null>;
}

/**
 * Some connections of a server, on every node: `server.to(room)`, chainable with `.to(other)` (a
 * union) and `.except(conn)`. Its `send*` methods frame the message once per node and write it to
 * each connection, and resolve like a connection's: `null` once handed to every local connection and
 * to the adapter, or an `Error` (bad value, adapter failure). They never reject.
 */
export class BroadcastTarget<Data> {
  /** @internal Use `server.to(room)`. */
  constructor(
    private readonly publisher: Publisher<Data>,
    private readonly rooms: readonly string[],
    private readonly excluded: readonly string[] = [],
  ) {}

  /** Adds the members of `room` (or of each room given). */
  to(room: string | Iterable<string>): BroadcastTarget<Data> {
    return new BroadcastTarget(this.publisher, [...new Set([...this.rooms, ...roomList(room)])], this.excluded);
  }

  /** Leaves out these connections (or ids), such as the sender of a chat message. */
  except(conns: Exclusion): BroadcastTarget<Data> {
    return new BroadcastTarget(this.publisher, this.rooms, [...this.excluded, ...exclusionIds(conns)]);
  }

  /** Sends `text` as one text frame to each connection. */
  sendMessage(text: string): Promise<Error | null> {
    if (typeof text !== 'string') {
      return Promise.resolve(new TypeError(`sendMessage() takes a string, got ${typeof text}; use send() to send a value as JSON`));
    }
    return this.publish(text);
  }

  /** Sends `JSON.stringify(value)` as one text frame to each connection; a value JSON cannot encode sends nothing. */
  send(value: unknown): Promise<Error | null> {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      return Promise.resolve(new TypeError(`send() cannot encode the value as JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
    }
    if (text === undefined) return Promise.resolve(new TypeError(`send() cannot encode ${typeof value} as JSON; nothing was sent`));
    return this.publish(text);
  }

  /** Sends one binary frame to each connection. */
  sendBinary(data: Uint8Array | ArrayBuffer): Promise<Error | null> {
    const bytes = toBytes(data);
    if (bytes === undefined) return Promise.resolve(new TypeError(`sendBinary() takes a Uint8Array or an ArrayBuffer, got ${typeof data}`));
    return this.publish(bytes);
  }

  /** @internal Publishes a string as text or bytes as binary, with an optional local-only filter. */
  publish(data: string | Uint8Array, filter?: ConnFilter<Data>): Promise<Error | null> {
    return this.publisher.publish({ data, rooms: this.rooms, except: this.excluded }, filter);
  }
}

/** Bytes of `data` if it is binary, without copying. */
export function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

function roomList(room: string | Iterable<string>): string[] {
  const rooms = typeof room === 'string' ? [room] : [...room];
  for (const name of rooms) {
    if (typeof name !== 'string' || name === '') throw new TypeError(`to() takes room names, non-empty strings, got ${JSON.stringify(name)}`);
  }
  return rooms;
}

function exclusionIds(conns: Exclusion): string[] {
  const list = typeof conns === 'string' || isConn(conns) ? [conns] : [...conns];
  return list.map((conn) => {
    if (typeof conn === 'string') return conn;
    if (isConn(conn)) return conn.id;
    throw new TypeError(`except() takes connections or connection ids, got ${typeof conn}`);
  });
}

function isConn(value: unknown): value is { readonly id: string } {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string';
}
