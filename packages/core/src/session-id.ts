/** The URL query parameter that carries a session's routing id on each of its links (PROTOCOL.md §5.1). */
export const SESSION_PARAM = 'corows_session';

/** A fresh routing id: 16 random bytes in base64url (22 characters). */
export function newRoutingId(): string {
  return base64url(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

/** `href` with `id` as its {@link SESSION_PARAM}. */
export function sessionUrl(href: string, id: string): string {
  const url = new URL(href);
  url.searchParams.set(SESSION_PARAM, id);
  return url.href;
}

/** Bytes in base64url without padding (RFC 4648 §5). */
function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
