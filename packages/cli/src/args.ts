import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake on the command line: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `util.parseArgs` in strict mode, with its errors turned into {@link UsageError}s that name the
 * command (`corows connect: Unknown option '--foo'. …`).
 */
export function parseCommandLine<const T extends Options>(
  command: string,
  args: string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const unknown = (err as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'([^']+)'/.exec(message)?.[1] : undefined;
    if (unknown === undefined) throw new UsageError(`corows ${command}: ${message}`);
    const known = Object.entries(options).map(([name, option]) => `--${name}${option.short === undefined ? '' : ` (-${option.short})`}`);
    throw new UsageError(`corows ${command}: unknown option ${unknown}; the options are ${known.join(', ')}`);
  }
}

/** A TCP port from `--port`: an integer from 0 (any free port) to 65535. */
export function parsePort(command: string, text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw new UsageError(`corows ${command}: --port must be a whole number from 0 to 65535 (0 picks a free port), got ${JSON.stringify(text)}`);
  }
  return port;
}

/** A duration in milliseconds, such as `--wait 500`. */
export function parseMilliseconds(command: string, flag: string, text: string): number {
  const ms = Number(text);
  if (!/^\d+$/.test(text) || ms > 2 ** 31 - 1) {
    throw new UsageError(`corows ${command}: ${flag} must be a whole number of milliseconds, such as 500, got ${JSON.stringify(text)}`);
  }
  return ms;
}

/**
 * The `-H "Name: value"` flags as a header table: a name given several times gets several values
 * (sent as `Name: a, b`).
 */
export function parseHeaders(command: string, lines: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new UsageError(`corows ${command}: -H ${JSON.stringify(line)} is not a header; write it as -H "Name: value"`);
    }
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  return headers;
}
