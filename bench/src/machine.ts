import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the figures were measured on, for the report. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  versions: Record<string, string>;
  loadBefore: number[];
}

/** The libraries whose versions every report names. */
const COMPARED = ['ws', 'socket.io', 'socket.io-client', '@corows/node-server'];

/** Describes this machine and the versions of the libraries compared (`COMPARED`, then `more`). */
export function describeMachine(more: readonly string[] = []): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    versions: Object.fromEntries([...COMPARED, ...more].map((name) => [name, versionOf(name)])),
    loadBefore: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

function versionOf(name: string): string {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
