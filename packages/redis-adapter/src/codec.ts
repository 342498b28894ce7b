import { decode, encode } from '@msgpack/msgpack';
import type { BroadcastPacket } from '@corows/node-server';

/**
 * The messages nodes exchange on the packet channel, as MessagePack arrays (compact and binary-safe:
 * bytes travel as MessagePack `bin`, text as `str`, never as JSON arrays of numbers):
 * - `[1, 0, nodeId]`: hello, a node (re)subscribed;
 * - `[1, 1, nodeId, data, rooms, except]`: a {@link BroadcastPacket} from `nodeId`.
 * The leading 1 is the format version: a node ignores (and reports) versions it does not know.
 */
export type WireMessage =
  | { readonly kind: 'hello'; readonly nodeId: string }
  | { readonly kind: 'packet'; readonly nodeId: string; readonly packet: BroadcastPacket };

const VERSION = 1;
const HELLO = 0;
const PACKET = 1;

/** Encodes a hello from `nodeId`. */
export function encodeHello(nodeId: string): Buffer {
  return asBuffer(encode([VERSION, HELLO, nodeId]));
}

/** Encodes `packet`, sent by `nodeId`. The bytes of binary data are not copied before encoding. */
export function encodePacket(nodeId: string, packet: BroadcastPacket): Buffer {
  return asBuffer(encode([VERSION, PACKET, nodeId, packet.data, packet.rooms, packet.except]));
}

/** Decodes a message from the channel; throws a `TypeError` saying what is wrong with it. */
export function decodeWireMessage(bytes: Uint8Array): WireMessage {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (err) {
    throw new TypeError(`not MessagePack: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(value) || value[0] !== VERSION) {
    throw new TypeError(`not a corows message of format ${VERSION} (first value: ${JSON.stringify(Array.isArray(value) ? value[0] : typeof value)})`);
  }
  const [, kind, nodeId, data, rooms, except] = value as unknown[];
  if (typeof nodeId !== 'string') throw new TypeError('a corows message without a node id');
  if (kind === HELLO) return { kind: 'hello', nodeId };
  if (kind !== PACKET) throw new TypeError(`a corows message of unknown kind ${JSON.stringify(kind)}`);
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw new TypeError('a corows packet whose data is neither text nor bytes');
  if (!isStringList(rooms) || !isStringList(except)) throw new TypeError('a corows packet whose rooms or except are not lists of strings');
  return { kind: 'packet', nodeId, packet: { data, rooms, except } };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** A Buffer over the same memory (ioredis sends Buffers as bytes, other views as strings). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
