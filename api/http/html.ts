/** The one stylesheet of the server's plain pages (/stores), inline: the CSP allows it by its hash (security-headers.ts). */
export const PLAIN_PAGE_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;color:#111}li{margin:0 0 1rem}small{color:#4a4a4a}a{color:#0b5d46}';

/** Escapes text for HTML element content and double- or single-quoted attributes (the e-mail, /docs). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
