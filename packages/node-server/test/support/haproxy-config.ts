/**
 * The HAProxy configuration of the tests: the shipped `examples/haproxy/haproxy.cfg` itself, with only
 * what a test must change replaced (addresses, maxconn, check timings) and a stats socket added. Every
 * other line (routing, timeouts, health checks, redispatch) is the shipped one, so they cannot drift.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The configuration users are given. */
export const SHIPPED_CONFIG = fileURLToPath(new URL('../../../../examples/haproxy/haproxy.cfg', import.meta.url));

/** The lines sessions depend on: routing by `corows_session`, consistently. */
export const ROUTING_LINES = ['balance url_param corows_session', 'hash-type consistent'] as const;

/** One corows process behind the balancer. */
export interface Backend {
  name: string;
  host: string;
  port: number;
}

/** What a test changes in the shipped file. */
export interface TestConfigOptions {
  bind: { host: string; port: number };
  backends: readonly Backend[];
  /** A Unix socket path for `show stat` and friends. */
  statsSocket: string;
  /** Replaces the shipped `inter … fall … rise …`. @default 'inter 100ms fall 1 rise 1' */
  checkTimings?: string;
}

const CHECK_TIMINGS = /inter \S+ fall \d+ rise \d+/;

/** The shipped file's text, rewritten for a test (see the module's comment). Throws if a line it must replace is missing. */
export function testConfig(shipped: string, options: TestConfigOptions): string {
  const out: string[] = [];
  const replaced = { bind: false, maxconn: false, timings: false, servers: false };
  let section = '';
  for (const line of shipped.split('\n')) {
    const directive = line.trim();
    if (line !== '' && !/^\s/.test(line) && !line.startsWith('#')) {
      section = directive.split(/\s+/)[0] ?? '';
      out.push(line);
      if (section === 'global') out.push(`    stats socket ${options.statsSocket} mode 600 level admin`, '    nbthread 1');
      continue;
    }
    if (section === 'global' && directive.startsWith('maxconn ')) {
      out.push('    maxconn 1000');
      replaced.maxconn = true;
    } else if (section === 'frontend' && directive.startsWith('bind ')) {
      out.push(`    bind ${options.bind.host}:${options.bind.port}`);
      replaced.bind = true;
    } else if (section === 'backend' && directive.startsWith('default-server ') && CHECK_TIMINGS.test(directive)) {
      out.push(line.replace(CHECK_TIMINGS, options.checkTimings ?? 'inter 100ms fall 1 rise 1'));
      replaced.timings = true;
    } else if (section === 'backend' && directive.startsWith('server ')) {
      if (!replaced.servers) for (const b of options.backends) out.push(`    server ${b.name} ${b.host}:${b.port}`);
      replaced.servers = true;
    } else {
      out.push(line);
    }
  }
  const missing = Object.entries(replaced).filter(([, done]) => !done);
  if (missing.length > 0) {
    throw new Error(`the shipped HAProxy config no longer has the lines the tests replace: ${missing.map(([what]) => what).join(', ')} (${SHIPPED_CONFIG})`);
  }
  return out.join('\n');
}

/** {@link testConfig} of the shipped file. */
export function shippedTestConfig(options: TestConfigOptions): string {
  return testConfig(readFileSync(SHIPPED_CONFIG, 'utf8'), options);
}
