/** PEM text (or its bytes), or several of them. */
export type PemInput = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

/**
 * TLS settings of a `wss://` connection (Node only: a browser uses its own certificate store and
 * client certificates). Each field is the LuatOS `websocket.new(url, cert)` field named beside it;
 * LuatOS took file names, these take the PEM contents (`fs.readFileSync('ca.crt')`).
 */
export interface TlsOptions {
  /**
   * Certificates of the CAs the server's certificate must chain to, instead of Node's built-in list
   * (LuatOS `caCert`). Needed for a server with a private or self-signed certificate.
   * @default Node's built-in CA list
   */
  ca?: PemInput;
  /** The client's certificate chain, for a server that asks for one (mutual TLS; LuatOS `clientCert`). */
  cert?: PemInput;
  /** The client certificate's private key (LuatOS `clientKey`). */
  key?: PemInput;
  /** The passphrase of `key`, if it is encrypted (LuatOS `clientPassword`). */
  passphrase?: string;
  /**
   * Refuse a server whose certificate does not verify (untrusted CA, wrong host name, expired).
   * `false` is LuatOS `insist = 1`: connect anyway, which anyone on the path can then read and
   * change; use it for tests only. LuatOS defaulted to insisting; corows defaults to refusing.
   * @default true
   */
  rejectUnauthorized?: boolean;
  /** The host name to send (SNI) and to check the certificate against. @default the address's host */
  servername?: string;
}

const FIELDS: ReadonlySet<string> = new Set<keyof TlsOptions>(['ca', 'cert', 'key', 'passphrase', 'rejectUnauthorized', 'servername']);

/** Throws a `TypeError` naming the field if `tls` is not a valid {@link TlsOptions}. */
export function checkTlsOptions(tls: unknown): asserts tls is TlsOptions {
  if (typeof tls !== 'object' || tls === null || Array.isArray(tls)) {
    throw new TypeError(`connectToWebsocket(): tls must be an object such as { ca, cert, key }, got ${Array.isArray(tls) ? 'an array' : typeof tls}`);
  }
  const unknown = Object.keys(tls).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) {
    throw new TypeError(`connectToWebsocket(): unknown tls option ${unknown.join(', ')}; expected ${[...FIELDS].join(', ')} (LuatOS caCert → ca, clientCert → cert, clientKey → key, clientPassword → passphrase, insist → rejectUnauthorized: false)`);
  }
  const options = tls as TlsOptions;
  for (const name of ['ca', 'cert', 'key'] as const) {
    const value = options[name];
    if (value !== undefined && !isPem(value)) {
      throw new TypeError(`connectToWebsocket(): tls.${name} must be PEM text (a string or bytes, e.g. fs.readFileSync(file)) or an array of them, not a file name`);
    }
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new TypeError('connectToWebsocket(): tls.cert and tls.key go together: a client certificate needs its private key');
  }
  if (options.rejectUnauthorized !== undefined && typeof options.rejectUnauthorized !== 'boolean') {
    throw new TypeError(`connectToWebsocket(): tls.rejectUnauthorized must be a boolean, got ${typeof options.rejectUnauthorized}`);
  }
}

function isPem(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isPem);
  if (value instanceof Uint8Array) return true;
  return typeof value === 'string' && value.includes('-----BEGIN');
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

/**
 * Whether a TLS connect failed because the server answered in plain text, as a `ws://` server does
 * (OpenSSL says only "wrong version number").
 */
export function isPlainTextAnswer(err: Error & { code?: unknown }): boolean {
  return err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || (err.code === 'EPROTO' && /wrong version number/i.test(err.message));
}

/** How to fix a TLS failure with code `code`, or `''` if it is not one corows knows. */
export function tlsHint(code: string | undefined): string {
  if (code === undefined) return '';
  if (UNTRUSTED.has(code)) {
    return "the server's certificate is not signed by a CA this client trusts: pass the CA's certificate as tls.ca (LuatOS caCert), or tls.rejectUnauthorized: false to skip the check (tests only)";
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return "the server's certificate is outside its validity period: check the server's certificate and this machine's clock";
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return "the server's certificate was not issued for this host name: connect with a name it lists, or set tls.servername";
  }
  if (code.includes('ALERT_CERTIFICATE_REQUIRED') || code.includes('ALERT_HANDSHAKE_FAILURE')) {
    return 'the server asks for a client certificate (mutual TLS): pass tls.cert and tls.key (LuatOS clientCert, clientKey)';
  }
  if (code.includes('ALERT_UNKNOWN_CA') || code.includes('ALERT_BAD_CERTIFICATE')) {
    return "the server does not accept this client certificate: it must be signed by a CA the server trusts";
  }
  return '';
}
