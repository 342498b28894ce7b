type Task = () => void;

let channel: MessageChannel | undefined;
const channelTasks: Task[] = [];

/**
 * Runs `task` once the current event-loop task and every microtask it queued have run: `setImmediate`
 * in Node, a `MessageChannel` message in browsers (a task, without `setTimeout`'s clamping).
 */
export function afterCurrentTask(task: Task): void {
  if (typeof setImmediate === 'function') {
    setImmediate(task);
    return;
  }
  channelTasks.push(task);
  if (channelTasks.length > 1) return;
  if (channel === undefined) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => {
      for (const queued of channelTasks.splice(0)) queued();
    };
  }
  channel.port2.postMessage(undefined);
}
