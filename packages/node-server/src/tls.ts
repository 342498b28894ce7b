import { createServer as createHttpServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { describeValue } from '@corows/core/server';

/** PEM text (a string, or a file's bytes as `fs.readFileSync` returns them), or several. */
export type Pem = string | Buffer | Array<string | Buffer>;

/**
 * TLS for a `wss://` server (`createWebsocketServer(host, port, { tls })`): the server's certificate
 * and key, and, for mutual TLS, the CA that client certificates must chain to.
 */
export interface ServerTlsOptions {
  /** The server's certificate chain (PEM). */
  cert: Pem;
  /** The server certificate's private key (PEM). */
  key: Pem;
  /** The passphrase of `key`, if it is encrypted. */
  passphrase?: string;
  /**
   * CA certificates that client certificates must chain to (mutual TLS).
   * @default Node's built-in CA list
   */
  ca?: Pem;
  /**
   * Ask each client for a certificate (mutual TLS).
   * @default false
   */
  requestCert?: boolean;
  /**
   * With `requestCert`: refuse a client without a certificate that verifies against `ca` (the TLS
   * handshake fails, and the client's connect rejects). `false` lets it in unverified.
   * @default true
   */
  rejectUnauthorized?: boolean;
}

/**
 * An HTTPS server when `tls` is given, else an HTTP one, with Node's `serverOptions` (its request
 * timers), answering plain requests with `listener`.
 */
export function createHttpOrHttpsServer(tls: ServerTlsOptions | undefined, serverOptions: ServerOptions, listener: RequestListener): Server {
  if (tls === undefined) return createHttpServer(serverOptions, listener);
  checkServerTls(tls);
  return createHttpsServer(
    {
      ...serverOptions,
      cert: tls.cert,
      key: tls.key,
      passphrase: tls.passphrase,
      ca: tls.ca,
      requestCert: tls.requestCert ?? false,
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
    },
    listener,
  );
}

function checkServerTls(tls: ServerTlsOptions): void {
  if (typeof tls !== 'object' || tls === null) {
    throw new TypeError(`createWebsocketServer(): tls must be an object such as { cert, key }, got ${describeValue(tls)}`);
  }
  for (const name of ['cert', 'key'] as const) {
    if (tls[name] === undefined) throw new TypeError(`createWebsocketServer(): tls.${name} is required (PEM text, e.g. fs.readFileSync('server.${name === 'cert' ? 'crt' : 'key'}'))`);
  }
}
