import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files made by `openssl` for one test run. */
export interface TestCerts {
  /** The CA that signs `server` and `client`. */
  ca: Buffer;
  /** A second, unrelated CA: trusting it must not let `server` through. */
  otherCa: Buffer;
  server: { cert: Buffer; key: Buffer };
  client: { cert: Buffer; key: Buffer };
  /** A client certificate signed by `otherCa`: a server trusting `ca` must refuse it. */
  stranger: { cert: Buffer; key: Buffer };
}

/** Whether `openssl` can be run here (scripts/ensure-tools.sh installs it). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Generates, with `openssl`, a CA, a server certificate for 127.0.0.1/localhost and a client
 * certificate signed by it, and an unrelated second CA with a client certificate of its own (EC P-256 keys, valid one day), in a temporary
 * folder that is removed before returning.
 */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'corows-certs-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    for (const ca of ['ca', 'other-ca']) {
      openssl('req', '-x509', ...key, '-keyout', file(`${ca}.key`), '-out', file(`${ca}.crt`), '-days', '1', '-subj', `/CN=corows test ${ca}`,
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    }
    writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
    writeFileSync(file('client.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
    for (const [leaf, ca, ext] of [['server', 'ca', 'server'], ['client', 'ca', 'client'], ['stranger', 'other-ca', 'client']] as const) {
      openssl('req', ...key, '-keyout', file(`${leaf}.key`), '-out', file(`${leaf}.csr`), '-subj', `/CN=corows test ${leaf}`);
      openssl('x509', '-req', '-in', file(`${leaf}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`), '-CAcreateserial',
        '-out', file(`${leaf}.crt`), '-days', '1', '-extfile', file(`${ext}.ext`));
    }
    const read = (name: string): Buffer => readFileSync(file(name));
    return {
      ca: read('ca.crt'),
      otherCa: read('other-ca.crt'),
      server: { cert: read('server.crt'), key: read('server.key') },
      client: { cert: read('client.crt'), key: read('client.key') },
      stranger: { cert: read('stranger.crt'), key: read('stranger.key') },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
