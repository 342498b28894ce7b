import { describeError, typeName } from './describe.js';

/** What `sendMessage()`, `send()` and `sendBinary()` take apart from the connection: the checks and the encoding. */

/** `text` if `sendMessage()` can send it, else the `TypeError` the call resolves. */
export function checkText(text: unknown): string | TypeError {
  if (typeof text === 'string') return text;
  return new TypeError(`sendMessage() takes a string, got ${typeName(text)}; use send() to send a value as JSON`);
}

/** `JSON.stringify(value)`, or the `TypeError` `send()` resolves when JSON cannot encode it. */
export function encodeJson(value: unknown): string | TypeError {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    return new TypeError(`send() cannot encode the value as JSON: ${describeError(err)}`, { cause: err });
  }
  return text ?? new TypeError(`send() cannot encode ${typeName(value)} as JSON; nothing was sent`);
}

/** `data` if `sendBinary()` can send it, else the `TypeError` the call resolves. */
export function checkBinary(data: unknown): ArrayBuffer | ArrayBufferView | TypeError {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data;
  return new TypeError(`sendBinary() takes a Uint8Array or an ArrayBuffer, got ${typeName(data)}`);
}
