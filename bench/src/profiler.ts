// The CPU profiler of a child process, started and stopped on the orchestrator's request (so that
// start-up is left out): the commands `profileStart` and `profileStop` of the roles that offer them.
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

let profiler: Session | undefined;

export const profilerCommands = {
  /** Starts V8's CPU profiler in this process (100 µs sampling). */
  async profileStart() {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
    await profiler.post('Profiler.start');
  },

  /** Stops the CPU profiler and writes the profile to `path`. */
  async profileStop({ path }: { path: string }) {
    if (profiler === undefined) throw new Error('profileStart first');
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = undefined;
    writeFileSync(path, JSON.stringify(profile));
    return path;
  },
};
