/**
 * Settings of permessage-deflate (RFC 7692), the server option `perMessageDeflate`, handed to `ws`
 * as they are. corows declares them itself so that its public types do not depend on `ws`'s.
 */
export interface PerMessageDeflateOptions {
  /** Whether the server resets its compression context after each message (less memory, worse ratio). */
  serverNoContextTakeover?: boolean;
  /** Whether the client is asked to reset its compression context after each message. */
  clientNoContextTakeover?: boolean;
  /** The server's LZ77 window, 8 to 15 bits. */
  serverMaxWindowBits?: number;
  /** The LZ77 window asked of the client, 8 to 15 bits. */
  clientMaxWindowBits?: number;
  /** Options of the zlib deflate stream (`level`, `memLevel`, `chunkSize`, …), as in `node:zlib`. */
  zlibDeflateOptions?: ZlibDeflateSettings;
  /** Options of the zlib inflate stream, as in `node:zlib`. */
  zlibInflateOptions?: ZlibDeflateSettings;
  /** Messages smaller than this many bytes are sent uncompressed. @default 1024 */
  threshold?: number;
  /** How many zlib operations may run at once. @default 10 */
  concurrencyLimit?: number;
}

/** The `node:zlib` stream options that {@link PerMessageDeflateOptions} passes on. */
export interface ZlibDeflateSettings {
  /** The zlib flush mode of each write. */
  flush?: number;
  /** The zlib flush mode at the end of a message. */
  finishFlush?: number;
  /** Size of zlib's output chunks, in bytes. */
  chunkSize?: number;
  /** The LZ77 window, in bits. */
  windowBits?: number;
  /** Compression level, 0 (none) to 9 (smallest). */
  level?: number;
  /** Memory for the compression state, 1 to 9. */
  memLevel?: number;
  /** The zlib compression strategy. */
  strategy?: number;
}
