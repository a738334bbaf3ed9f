/**
 * The API reference at /docs (api/http/api-reference.ts): a note for every field of the OpenAPI
 * document, a table of contents whose links all land, Markdown rendered with raw HTML escaped, and
 * a curl example per operation that the real app takes: each one is parsed from the page as shown,
 * run against the app on PGlite with real credentials in place of its shell variables, and must not
 * be refused for its shape (validation, JSON, media type, size) or its credentials.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../api/db/client.ts';
import { apiReferencePage, operationAnchor, operationsOf, type Document, type Schema } from '../../api/http/api-reference.ts';
import { PROBLEM_TYPE_BASE } from '../../core/contract/problem.ts';
import { harnessPerSuite } from '../support/harness.ts';

const pglite = { open: () => openDatabase({ memory: true }) };
// The example webhook URL's host resolves, in this test, to a public address (nothing connects to it here).
// The example's webhook host resolves to loopback (allowed outside production): nothing here ever leaves 127.0.0.0/8.
const s = harnessPerSuite(pglite, { webhookLookup: async () => [{ address: '127.0.0.1', family: 4 }] });

const decodeEntities = (html: string) => html.replace(/&(lt|gt|quot|amp|#39);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&', '#39': "'" })[e]!);
/** The text a reader sees: tags dropped, entities decoded (the page has no script or style in <body>). */
const visibleText = (html: string) => decodeEntities(html.replace(/^[\s\S]*?<body>/, '').replace(/<[^>]+>/g, ''));

async function documents() {
  const doc = (await (await s.h.app.request('/openapi.json')).json()) as Document;
  const page = await (await s.h.app.request('/docs')).text();
  return { doc, page };
}

/** Every property of every schema in the document (components, bodies, answers, parameters) that has no note. */
function undescribed(doc: Document): string[] {
  const components = doc.components?.schemas ?? {};
  // A property that only refers to a named schema (or to it or null) takes that schema's description.
  const noted = (p: Schema) => !!p.description || [p, ...(p.anyOf ?? []), ...(p.oneOf ?? [])].some((x) => x.$ref && components[x.$ref.split('/').pop()!]?.description);
  const missing: string[] = [];
  const walk = (schema: Schema | undefined, where: string) => {
    if (!schema || typeof schema !== 'object') return;
    for (const [name, p] of Object.entries(schema.properties ?? {})) {
      if (!noted(p)) missing.push(`${where}.${name}`);
      walk(p, `${where}.${name}`);
    }
    walk(schema.items, `${where}[]`);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${where}{}`);
    for (const [i, alt] of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].entries()) walk(alt, `${where}|${i}`);
  };
  for (const [name, schema] of Object.entries(components)) walk(schema, name);
  for (const { path, method, op } of operationsOf(doc)) {
    const at = `${method.toUpperCase()} ${path}`;
    for (const p of op.parameters ?? []) if (!p.description && !p.schema?.description) missing.push(`${at} parameter ${p.name}`);
    for (const media of Object.values(op.requestBody?.content ?? {})) walk(media.schema, `${at} body`);
    for (const [code, r] of Object.entries(op.responses)) for (const media of Object.values(r.content ?? {})) walk(media.schema, `${at} ${code}`);
  }
  return missing;
}

/** Splits a POSIX shell command line as the page shows it: quotes, backslash-newline, $VARIABLES. */
function shellWords(line: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | null = null;
  const variable = (text: string) =>
    text.replace(/\$([A-Z_][A-Z0-9_]*)/g, (_, name: string) => env[name] ?? expect.fail(`the example reads $${name}, which the test does not know`));
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && line[i + 1] === '\n') i++;
    else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      const end = line.indexOf('"', i + 1);
      word = (word ?? '') + variable(line.slice(i + 1, end));
      i = end;
    } else if (c === '$') expect.fail('the examples quote every variable they read');
    else word = (word ?? '') + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/** The request a curl command line makes: -X, -H and -d, which are all the page's examples use. */
function curlRequest(command: string, env: Record<string, string>) {
  const words = shellWords(command, env);
  expect(words[0]).toBe('curl');
  let method = 'GET';
  let url = '';
  const headers = new Headers();
  let body: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-X') method = words[++i]!;
    else if (w === '-H') {
      const h = words[++i]!;
      headers.append(h.slice(0, h.indexOf(':')).trim(), h.slice(h.indexOf(':') + 1).trim());
    } else if (w === '-d') {
      body = words[++i]!;
      if (method === 'GET') method = 'POST';
    } else if (w.startsWith('-')) expect.fail(`unexpected curl option ${w}`);
    else url = w;
  }
  return { method, url, headers, body };
}

describe('the API reference at /docs', () => {
  it('has a note for every field of the OpenAPI document', async () => {
    const { doc } = await documents();
    expect(undescribed(doc)).toEqual([]);
  });

  it('has a table of contents of operations by tag, schemas and problem types, whose links all land', async () => {
    const { doc, page } = await documents();
    const nav = page.match(/<nav aria-label="Contents">([\s\S]*?)<\/nav>/)?.[1];
    expect(nav).toBeDefined();
    const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(ids.length);
    const links = [...nav!.matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]!);
    expect(links.filter((l) => !ids.includes(l))).toEqual([]);
    for (const { path, method, op } of operationsOf(doc)) expect(links).toContain(operationAnchor(method, path, op));
    for (const tag of new Set(operationsOf(doc).map((o) => o.op.tags?.[0]))) expect(nav).toContain(`>${tag}</a>`);
    for (const name of Object.keys(doc.components!.schemas!)) expect(links).toContain(`schema-${name}`);
    expect(links).toEqual(expect.arrayContaining(['endpoints', 'schemas', 'problems', 'validation-failed', 'not-found']));
    // Every in-page link anywhere (field types, the TOC) lands on an element.
    const everyLink = [...page.matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]!);
    expect(everyLink.filter((l) => !ids.includes(l))).toEqual([]);
  });

  it('answers a problem type URI with the reference, whose anchor names the problem', async () => {
    const res = await s.h.app.request(`${PROBLEM_TYPE_BASE}validation-failed`.replace(/#.*/, ''));
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/docs');
    const { page } = await documents();
    expect(page).toContain('id="validation-failed"');
  });

  it('renders Markdown in descriptions, so the page shows no backtick', async () => {
    const { page } = await documents();
    expect(page).toContain('<code>counterpay merchant create</code>');
    expect(visibleText(page)).not.toContain('`');
  });

  it('escapes raw HTML in descriptions and does not link bare URLs', () => {
    const page = apiReferencePage({
      info: { title: 'T <i>x</i>', description: 'Has **bold**, `code`, <script>alert(1)</script> and https://example.org.' },
      paths: { '/x': { get: { summary: 'S <img src=x onerror=alert(1)>', responses: { 200: { description: 'ok [link](javascript:alert(1))' } } } } },
    });
    expect(page).toContain('<strong>bold</strong>');
    expect(page).toContain('<code>code</code>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('S &lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toMatch(/<script|<img|href="javascript|href="https:\/\/example\.org/);
    expect(page).toContain('<title>T &lt;i&gt;x&lt;/i&gt; reference</title>');
  });

  it('shows, for every operation, a curl example the app takes as it stands', async () => {
    const { doc, page } = await documents();
    const { code } = await s.h.services.devices.createEnrolmentCode((await s.h.services.network.createStore('Docs Store'))!.id);
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const jwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
    const till = await (await s.h.req('POST', '/v1/devices', { enrollment_code: code, public_key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } }, { key: null })).json();
    // An operator's console session, signed in as a browser would be (with a link the CLI made).
    await s.h.services.console.createUser('docs-operator@example.com', true);
    const link = await s.h.services.console.signInLinkFor('docs-operator@example.com');
    const signedIn = await s.h.req('POST', '/v1/console/sessions', { link_token: link.url.split('#token=')[1] }, { key: null, headers: { origin: 'http://localhost:8080' } });
    const session = signedIn.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!;
    const env = {
      MERCHANT_API_KEY: s.h.keyA,
      TILL_CREDENTIAL: till.credential as string,
      CONSOLE_SESSION: session,
      CONSOLE_SESSION_CSRF_TOKEN: ((await signedIn.json()) as { csrf_token: string }).csrf_token,
    };

    const outcomes: Record<string, string> = {};
    for (const { path, method, op } of operationsOf(doc)) {
      const id = operationAnchor(method, path, op);
      const section = page.match(new RegExp(`<section id="${id}" class="op">([\\s\\S]*?)</section>`))?.[1];
      const shown = section?.match(/<pre class="curl"><code>([\s\S]*?)<\/code><\/pre>/)?.[1];
      expect(shown, `${id} has a curl example`).toBeDefined();
      const r = curlRequest(decodeEntities(shown!), env);
      const at = `${method.toUpperCase()} ${path}`;
      expect(r.method, at).toBe(method.toUpperCase());
      expect(r.url.startsWith(`${doc.servers![0]!.url}/v1/`), at).toBe(true);
      if (op.requestBody?.required) expect(r.headers.get('content-type'), at).toBe('application/json');
      if (op.security?.length) expect(r.headers.get('authorization') ?? r.headers.get('cookie'), at).toMatch(/^Bearer \S+$|^__Host-counterpay_session=\S+$/);
      if (op.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key')) expect(r.headers.get('idempotency-key'), at).toBeTruthy();
      const res = await s.h.app.request(r.url, { method: r.method, headers: r.headers, body: r.body });
      const problem = res.headers.get('content-type')?.includes('problem+json')
        ? ((await res.json()) as { type: string; errors?: Array<{ field: string; message: string }> })
        : undefined;
      const fields = problem?.type.endsWith('#validation-failed') && problem.errors?.map((e) => `${e.field}: ${e.message}`).join(', ');
      outcomes[at] = `${res.status}${problem ? ` ${problem.type.slice(PROBLEM_TYPE_BASE.length)}` : ''}${fields ? ` (${fields})` : ''}`;
    }
    // The shape of every example is right and its credentials are taken: nothing is refused as
    // invalid, malformed, of the wrong media type, too large or unauthenticated. What is left is
    // success, or an answer about the example's placeholder ids and codes, which name nothing real
    // in this fresh database: not-found, the made-up enrolment code and payout token (a collection
    // record that does not verify is answered 200 with its own outcome).
    expect(outcomes).toEqual({
      'POST /v1/vouchers': '201',
      'GET /v1/vouchers': '200',
      'GET /v1/vouchers/{id}': '404 not-found',
      'GET /v1/vouchers/{id}/timeline': '404 not-found',
      'POST /v1/vouchers/{id}/resend': '404 not-found',
      'POST /v1/vouchers/{id}/cancel': '404 not-found',
      'POST /v1/refunds': '404 not-found',
      'GET /v1/refunds': '200',
      'GET /v1/refunds/{id}': '404 not-found',
      'POST /v1/refunds/{id}/cancel': '404 not-found',
      'POST /v1/webhook_endpoints': '201',
      'GET /v1/webhook_endpoints': '200',
      'DELETE /v1/webhook_endpoints/{id}': '404 not-found',
      'POST /v1/webhook_endpoints/{id}/rotate_secret': '404 not-found',
      'GET /v1/webhook_endpoints/{id}/deliveries': '404 not-found',
      'POST /v1/webhook_deliveries/{id}/redeliver': '404 not-found',
      'GET /v1/settlements': '200',
      'GET /v1/settlements/{id}': '404 not-found',
      'GET /v1/events': '200',
      'GET /v1/events/{id}': '404 not-found',
      // The example runs with a live key: the test helpers answer that they need a test key.
      'POST /v1/test_helpers/vouchers/{id}/collect': '403 test-mode-only',
      'POST /v1/test_helpers/vouchers/{id}/expire': '403 test-mode-only',
      'POST /v1/test_helpers/refunds/{id}/pay_out': '403 test-mode-only',
      // The operator's routes, with an operator's session (no store or till has the placeholder ids).
      'GET /v1/operator/overview': '200',
      'GET /v1/operator/merchants': '200',
      'POST /v1/operator/merchants': '201',
      'GET /v1/operator/stores': '200',
      'POST /v1/operator/stores': '201',
      'POST /v1/operator/stores/{id}/enrolment_codes': '404 not-found',
      'GET /v1/operator/tills': '200',
      'POST /v1/operator/tills/{id}/revoke': '404 not-found',
      'GET /v1/operator/review': '200',
      'POST /v1/operator/review/{id}/decision': '404 not-found',
      // The console's own routes, with an operator's session (the placeholder link, passkey and merchant name nothing real).
      'POST /v1/console/sign-in-links': '202',
      'POST /v1/console/passkey-challenges': '201',
      'POST /v1/console/sessions': '401 sign-in-failed',
      'GET /v1/console/me': '200',
      'POST /v1/console/passkey-registrations': '201',
      'POST /v1/console/passkeys': '401 sign-in-failed',
      'POST /v1/console/invitations': '201',
      'GET /v1/console/merchants/{id}/users': '404 not-found',
      'GET /v1/console/audit': '200',
      'DELETE /v1/console/session': '204',
      'GET /v1/keys': '200',
      'GET /v1/stores': '200',
      'GET /v1/push/key': '200',
      // The placeholder token has the shape of one and is then checked as a token, as for payouts.
      'POST /v1/push/subscriptions': '400 validation-failed (tokens.0: malformed)',
      'DELETE /v1/push/subscriptions': '404 not-found',
      'GET /v1/voucher-links/{code}': '404 not-found',
      'POST /v1/voucher-status': '200',
      'POST /v1/devices': '400 enrollment-code-invalid',
      'GET /v1/till/feed': '200',
      'POST /v1/collections': '200',
      'GET /v1/till/vouchers/by-reference/{reference}': '404 not-found',
      // The placeholder token has the shape of one (digits) and is then checked as a token: it does not verify.
      'POST /v1/till/payouts': '400 validation-failed (token: unsupported)',
      'POST /v1/till/payouts/{id}/void': '404 not-found',
    });
  });
});
