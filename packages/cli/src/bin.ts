#!/usr/bin/env node
import { main } from './main.js';

const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
const code = await main(process.argv.slice(2), io);
// Exit even if stdin is still open (a pipe whose writer never ends it); stdout is flushed first.
process.stdout.write('', () => process.exit(code));
