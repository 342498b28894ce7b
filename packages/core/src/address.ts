/**
 * Checks a `ws://` or `wss://` address and returns it parsed. Throws a `TypeError` that names the
 * address and what is wrong with it, before any network work.
 */
export function parseAddress(addr: unknown): URL {
  if (typeof addr !== 'string') {
    throw new TypeError(`connectToWebsocket(): the address must be a ws:// or wss:// URL string, got ${addr === null ? 'null' : typeof addr}`);
  }
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    throw new TypeError(`connectToWebsocket(): invalid address ${JSON.stringify(addr)}: expected a URL such as ws://127.0.0.1:1042/path`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`connectToWebsocket(): the address ${JSON.stringify(addr)} uses ${url.protocol}//, expected ws:// or wss://`);
  }
  if (url.hash !== '') {
    throw new TypeError(`connectToWebsocket(): the address ${JSON.stringify(addr)} has a fragment (${url.hash}), which WebSocket URLs cannot carry`);
  }
  return url;
}
