// A contract client on this runtime (Node, Bun or Deno: the driver starts it as a child process).
//   client.ts <runtime> <peer kind> <plan as JSON>
// Runs the plan (runner.ts ClientPlan) against the server and exits; outcomes go to stdout.
import process from 'node:process';
import * as corows from '@corows/core';
import { runClientSide, type ClientPlan } from '../contract/runner.ts';
import type { PeerKind, Runtime } from '../contract/types.ts';
import { tellDriver } from './report.ts';

const [runtime, peer, plan] = process.argv.slice(2) as [Runtime, PeerKind, string];
await runClientSide({ api: corows, runtime, peer, report: tellDriver }, JSON.parse(plan) as ClientPlan);
tellDriver({ done: true });
process.exit(0);
