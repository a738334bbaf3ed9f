/**
 * A readable API reference rendered on the server from the OpenAPI document: no script, no
 * third-party assets, so it works on a closed network and prints well. It has a table of contents,
 * a runnable `curl` example per operation (derived from the document: its schemas' examples and
 * required fields, its security schemes and header parameters), Markdown descriptions rendered by
 * markdown-it with raw HTML escaped, and a note for every field.
 *
 * The one inline <style> below is constant: security-headers.ts allows it in the CSP by its hash,
 * taken from a page rendered with an empty document, so nothing in it may depend on the document.
 */
import MarkdownIt from 'markdown-it';
import { escapeHtml } from './html.ts';
import { PROBLEM_CODES, PROBLEM_TYPE_BASE } from '../../core/contract/problem.ts';
import { SAME_ORIGIN_EXTENSION } from './resource.ts';

export type Schema = {
  type?: string | string[];
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  example?: unknown;
  examples?: unknown[];
  default?: unknown;
  format?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
};
export type Parameter = { name: string; in: string; required?: boolean; schema?: Schema; description?: string; example?: unknown };
export type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
};
type SecurityScheme = { type: string; scheme?: string; in?: string; name?: string; description?: string };
export type Document = {
  info: { title: string; description?: string };
  servers?: Array<{ url: string }>;
  tags?: Array<{ name: string; description?: string }>;
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, SecurityScheme> };
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const esc = (s: unknown) => escapeHtml(String(s));

// CommonMark without raw HTML (it is shown escaped) and without turning bare URLs into links.
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
const inline = (text: string | undefined) => (text ? md.renderInline(text) : '');
const block = (text: string | undefined) => (text ? md.render(text) : '');

const slug = (s: string) =>
  s
    .replace(/[{}]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();

/** A stable anchor per operation: its operationId, else its method and path. */
export const operationAnchor = (method: string, path: string, op: Pick<Operation, 'operationId'>) => `op-${slug(op.operationId ?? `${method} ${path}`)}`;
export const schemaAnchor = (name: string) => `schema-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
const tagAnchor = (tag: string) => `tag-${slug(tag) || 'other'}`;

const refName = (ref: string) => ref.split('/').pop()!;
const resolve = (doc: Document, s: Schema | undefined): Schema | undefined => (s?.$ref ? doc.components?.schemas?.[refName(s.$ref)] : s);

/** Every operation of the document, in its order. */
export function operationsOf(doc: Document): Array<{ path: string; method: string; op: Operation }> {
  return Object.entries(doc.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ path, method, op })),
  );
}

// ---- example values --------------------------------------------------------------------------

/**
 * A value that satisfies `s` as far as the document tells: the schema's own example, else its
 * const, default or first enum member, else something of its type within its bounds. Objects get
 * their required properties and those optional ones that carry an example of their own.
 */
export function sampleOf(doc: Document, s: Schema | undefined, seen: ReadonlySet<string> = new Set()): unknown {
  if (!s) return 'string';
  if (s.example !== undefined) return s.example;
  if (s.examples?.length) return s.examples[0];
  if (s.$ref) {
    const name = refName(s.$ref);
    if (seen.has(name)) return {};
    return sampleOf(doc, doc.components?.schemas?.[name], new Set([...seen, name]));
  }
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (s.enum?.length) return s.enum[0];
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return sampleOf(doc, alternatives.find((a) => a.type !== 'null') ?? alternatives[0], seen);
  if (s.allOf?.length) return Object.assign({}, ...s.allOf.map((part) => sampleOf(doc, part, seen)));
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? s.type[0]) : (s.type ?? (s.properties ? 'object' : undefined));
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, p] of Object.entries(s.properties ?? {})) {
        if (s.required?.includes(name) || p.example !== undefined) out[name] = sampleOf(doc, p, seen);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sampleOf(doc, s.items, seen));
    case 'integer':
    case 'number': {
      const low = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
      return s.maximum !== undefined ? Math.min(low, s.maximum) : low;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'string': {
      const byFormat: Record<string, string> = {
        'date-time': '2030-01-01T12:00:00Z',
        date: '2030-01-01',
        email: 'shopper@example.com',
        uri: 'https://shop.example/',
        url: 'https://shop.example/',
        uuid: '3f0c7a52-9d1e-4b8a-a6a3-2c5e8b7d9f10',
      };
      const text = byFormat[s.format ?? ''] ?? 'string';
      return text.padEnd(s.minLength ?? 0, 'x').slice(0, s.maxLength ?? undefined);
    }
    default:
      return {};
  }
}

const parameterExample = (doc: Document, p: Parameter) => p.example ?? p.schema?.example ?? (p.schema?.enum || p.schema?.format ? sampleOf(doc, p.schema) : p.name);

/** `merchantApiKey` → `MERCHANT_API_KEY`: the shell variable a curl example reads a credential from. */
export const credentialVariable = (scheme: string) =>
  scheme
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();

const headerName = (name: string) => name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

export interface RequestExample {
  method: string;
  url: string;
  /** Header values may name a shell variable (`$MERCHANT_API_KEY`) for a credential. */
  headers: Array<[string, string]>;
  body?: unknown;
  /** The credentials the example reads from the environment, by scheme. */
  credentials: Array<{ variable: string; scheme: string; description?: string }>;
}

/** The request a curl example makes for an operation, derived from the document alone. */
export function requestExample(doc: Document, path: string, method: string, op: Operation): RequestExample {
  const params = op.parameters ?? [];
  const filled = path.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const p = params.find((x) => x.in === 'path' && x.name === name);
    return p ? encodeURIComponent(String(parameterExample(doc, p))) : whole;
  });
  const query = params
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(parameterExample(doc, p)))}`)
    .join('&');
  const base = (doc.servers?.[0]?.url ?? 'http://localhost:8080').replace(/\/+$/, '');
  const headers: Array<[string, string]> = [];
  const credentials: RequestExample['credentials'] = [];
  for (const scheme of Object.keys(op.security?.[0] ?? {})) {
    const def = doc.components?.securitySchemes?.[scheme];
    const variable = credentialVariable(scheme);
    credentials.push({ variable, scheme, description: def?.description });
    if (def?.type === 'apiKey' && def.in === 'header' && def.name) headers.push([def.name, `$${variable}`]);
    else if (def?.type === 'apiKey' && def.in === 'cookie' && def.name) {
      headers.push(['Cookie', `${def.name}=$${variable}`]);
      // A cookie session's writes also carry the console's Origin and the session's CSRF token (docs/console.md).
      if (method.toLowerCase() !== 'get') {
        headers.push(['Origin', new URL(base).origin], ['X-CSRF-Token', `$${variable}_CSRF_TOKEN`]);
        credentials.push({ variable: `${variable}_CSRF_TOKEN`, scheme, description: 'The session’s CSRF token (`csrf_token` of GET /v1/console/me).' });
      }
    } else if (def?.type === 'http' && def.scheme?.toLowerCase() === 'basic') headers.push(['Authorization', `Basic $${variable}`]);
    else headers.push(['Authorization', `Bearer $${variable}`]);
  }
  if ((op as Record<string, unknown>)[SAME_ORIGIN_EXTENSION]) headers.push(['Origin', new URL(base).origin]);
  for (const p of params.filter((x) => x.in === 'header')) headers.push([headerName(p.name), String(parameterExample(doc, p))]);
  let body: unknown;
  const content = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
  if (content) {
    const value = sampleOf(doc, content[1].schema);
    const empty = value !== null && typeof value === 'object' && Object.keys(value).length === 0;
    if (op.requestBody?.required || !empty) {
      body = value;
      headers.push(['Content-Type', content[0]]);
    }
  }
  return { method: method.toUpperCase(), url: `${base}${filled}${query ? `?${query}` : ''}`, headers, body, credentials };
}

/** A POSIX shell word: single-quoted, or double-quoted when it reads a credential variable. */
const shellWord = (s: string) => (/\$[A-Z_][A-Z0-9_]*/.test(s) && !/["\\`]/.test(s.replace(/\$[A-Z_][A-Z0-9_]*/g, '')) ? `"${s}"` : `'${s.replace(/'/g, `'\\''`)}'`);

/** The example as a curl command line (continued with backslashes, one option per line). */
export function curlCommand(r: RequestExample): string {
  const lines = [`curl${r.method === 'GET' ? '' : ` -X ${r.method}`} ${shellWord(r.url)}`];
  for (const [name, value] of r.headers) lines.push(`  -H ${shellWord(`${name}: ${value}`)}`);
  if (r.body !== undefined) lines.push(`  -d ${shellWord(JSON.stringify(r.body, null, 2))}`);
  return lines.join(' \\\n');
}

// ---- rendering ------------------------------------------------------------------------------

function typeOf(s: Schema | undefined): string {
  if (!s) return 'any';
  if (s.$ref) {
    const name = refName(s.$ref);
    return `<a href="#${esc(schemaAnchor(name))}">${esc(name)}</a>`;
  }
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf)!.map(typeOf).join(' | ');
  if (s.allOf) return s.allOf.map(typeOf).join(' &amp; ');
  if (s.const !== undefined) return `<code>${esc(JSON.stringify(s.const))}</code>`;
  const nullable = Array.isArray(s.type) && s.type.includes('null') ? ' | null' : '';
  if (s.enum) return s.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ') + nullable;
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== 'null') : [s.type ?? (s.properties ? 'object' : 'any')];
  const main = t.map((x) => (x === 'array' ? `${typeOf(s.items)}[]` : esc(x))).join(' | ');
  return main + nullable;
}

/** A field's note: its description, or for a reference the referenced schema's, and its bounds. */
function note(doc: Document, s: Schema): string {
  const text = s.description ?? resolve(doc, s)?.description ?? (s.anyOf ?? s.oneOf)?.map((a) => resolve(doc, a)?.description).find(Boolean);
  const limits = [
    s.minimum !== undefined && `≥ ${s.minimum}`,
    s.maximum !== undefined && `≤ ${s.maximum}`,
    s.minLength !== undefined && `≥ ${s.minLength} chars`,
    s.maxLength !== undefined && `≤ ${s.maxLength} chars`,
    s.minItems !== undefined && `≥ ${s.minItems} items`,
    s.maxItems !== undefined && `≤ ${s.maxItems} items`,
    s.default !== undefined && `default ${JSON.stringify(s.default)}`,
    s.format && `format ${s.format}`,
  ].filter(Boolean);
  return `${inline(text)}${limits.length ? ` <i>(${esc(limits.join(', '))})</i>` : ''}`;
}

/** Table rows for an object's properties, descending into inline objects, arrays of them and unions. */
function rows(doc: Document, s: Schema, prefix: string, depth: number): string[] {
  const out: string[] = [];
  for (const [name, p] of Object.entries(s.properties ?? {})) {
    const field = prefix + name;
    out.push(`<tr><td><code>${esc(field)}</code>${s.required?.includes(name) ? ' <b>required</b>' : ''}</td><td>${typeOf(p)}</td><td>${note(doc, p)}</td></tr>`);
    if (depth < 5) out.push(...nested(doc, p, field, depth + 1));
  }
  return out;
}

function nested(doc: Document, p: Schema, field: string, depth: number): string[] {
  if (p.$ref) return [];
  if (p.properties) return rows(doc, p, `${field}.`, depth);
  if (p.items && !p.items.$ref) return nested(doc, p.items, `${field}[]`, depth);
  const alternatives = (p.anyOf ?? p.oneOf)?.filter((a) => a.properties);
  if (alternatives && alternatives.length > 1) return alternatives.flatMap((a, i) => rows(doc, a, `${field} (shape ${i + 1}).`, depth));
  if (alternatives?.length) return rows(doc, alternatives[0]!, `${field}.`, depth);
  return [];
}

const TABLE_HEAD = '<table><thead><tr><th scope="col">field</th><th scope="col">type</th><th scope="col">notes</th></tr></thead><tbody>';

function fields(doc: Document, s: Schema): string {
  const alternatives = s.properties ? undefined : (s.anyOf ?? s.oneOf)?.filter((a) => a.properties);
  if (alternatives?.length) {
    return `<p>One of:</p>${alternatives.map((a) => `${TABLE_HEAD}${rows(doc, a, '', 0).join('')}</tbody></table>`).join('')}`;
  }
  const items = s.properties ? undefined : s.items && !s.items.$ref && s.items.properties ? s.items : undefined;
  if (items) return `<p>${typeOf(s)}</p>${TABLE_HEAD}${rows(doc, items, '[].', 0).join('')}</tbody></table>`;
  if (!s.properties) return `<p>${typeOf(s)}${s.description ? ` ${inline(s.description)}` : ''}</p>`;
  return `${TABLE_HEAD}${rows(doc, s, '', 0).join('')}</tbody></table>`;
}

/** A body or answer: a link to a named schema, the fields of an inline one. */
const shape = (doc: Document, s: Schema | undefined) => (!s ? '' : s.$ref ? ` ${typeOf(s)}` : fields(doc, s));

function operationSection(doc: Document, path: string, method: string, op: Operation): string {
  const id = operationAnchor(method, path, op);
  const params = (op.parameters ?? []).map(
    (p) =>
      `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <b>required</b>' : ''}</td><td>${esc(p.in)}</td><td>${typeOf(p.schema)}</td><td>${note(doc, { ...p.schema, description: p.description ?? p.schema?.description })}</td></tr>`,
  );
  const security = Object.keys(op.security?.[0] ?? {}).map((name) => {
    const scheme = doc.components?.securitySchemes?.[name];
    return `<code>${esc(name)}</code>${scheme?.description ? `: ${inline(scheme.description)}` : ''}`;
  });
  const content = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
  const responses = Object.entries(op.responses).map(([code, r]) => {
    const [type, media] = Object.entries(r.content ?? {})[0] ?? [];
    return `<li><b>${esc(code)}</b> ${inline(r.description)}${type ? ` <i>${esc(type)}</i>` : ''}${media ? shape(doc, media.schema) : ''}</li>`;
  });
  const example = requestExample(doc, path, method, op);
  const credentials = example.credentials.map((c) => `<code>$${esc(c.variable)}</code> holds the <code>${esc(c.scheme)}</code> credential`);
  return `<section id="${esc(id)}" class="op"><h4><span class="m">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h4>
${op.summary ? `<p>${inline(op.summary)}</p>` : ''}${block(op.description)}
<p>Authentication: ${security.length ? security.join(', ') : 'none'}</p>
${params.length ? `<h5>Parameters</h5><table><thead><tr><th scope="col">name</th><th scope="col">in</th><th scope="col">type</th><th scope="col">notes</th></tr></thead><tbody>${params.join('')}</tbody></table>` : ''}
${content ? `<h5>Request body${op.requestBody?.required ? '' : ' (optional)'}</h5>${content[1].schema.$ref ? `<p><i>${esc(content[0])}</i>${shape(doc, content[1].schema)}</p>` : `<p><i>${esc(content[0])}</i></p>${shape(doc, content[1].schema)}`}` : ''}
<h5>Responses</h5><ul>${responses.join('')}</ul>
<h5>Example</h5>${credentials.length ? `<p>${credentials.join('; ')}.</p>` : ''}<pre class="curl"><code>${esc(curlCommand(example))}</code></pre></section>`;
}

/** Operations grouped by their first tag, in the order tags first appear (untagged ones last). */
function groups(doc: Document) {
  const byTag = new Map<string, Array<{ path: string; method: string; op: Operation }>>();
  for (const tag of doc.tags ?? []) byTag.set(tag.name, []);
  for (const entry of operationsOf(doc)) {
    const tag = entry.op.tags?.[0] ?? 'Other';
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag)!.push(entry);
  }
  return [...byTag].filter(([, ops]) => ops.length > 0);
}

// Dark text on light backgrounds, all at least 4.5:1 (WCAG AA); long lines wrap instead of scrolling.
const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;color:#111;background:#fff}' +
  'a{color:#0645ad}code{background:#f0f0f0;padding:0 .2em;overflow-wrap:anywhere}' +
  'pre{background:#f0f0f0;padding:.6em;white-space:pre-wrap;overflow-wrap:anywhere}pre code{padding:0}' +
  'table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3em;text-align:left;vertical-align:top}' +
  '.m{background:#0b6b3a;color:#fff;padding:0 .4em;border-radius:3px}section.op{border-top:1px solid #ccc;margin-top:1rem}' +
  'nav ol{padding-left:1.2rem}nav li{margin:.1rem 0}';

export function apiReferencePage(doc: Document): string {
  const grouped = groups(doc);
  const schemas = Object.entries(doc.components?.schemas ?? {});
  const toc = [
    grouped.length
      ? `<li><a href="#endpoints">Endpoints</a><ol>${grouped
          .map(
            ([tag, ops]) =>
              `<li><a href="#${esc(tagAnchor(tag))}">${esc(tag)}</a><ol>${ops
                .map(
                  ({ path, method, op }) =>
                    `<li><a href="#${esc(operationAnchor(method, path, op))}">${esc(method.toUpperCase())} ${esc(path)}</a>${op.summary ? ` ${inline(op.summary)}` : ''}</li>`,
                )
                .join('')}</ol></li>`,
          )
          .join('')}</ol></li>`
      : '',
    schemas.length ? `<li><a href="#schemas">Schemas</a><ol>${schemas.map(([name]) => `<li><a href="#${esc(schemaAnchor(name))}">${esc(name)}</a></li>`).join('')}</ol></li>` : '',
    `<li><a href="#problems">Problem types</a><ol>${PROBLEM_CODES.map((code) => `<li><a href="#${esc(code)}">${esc(code)}</a></li>`).join('')}</ol></li>`,
  ].join('');
  const endpoints = grouped.map(([tag, ops]) => {
    const described = doc.tags?.find((t) => t.name === tag)?.description;
    return `<section id="${esc(tagAnchor(tag))}"><h3>${esc(tag)}</h3>${block(described)}${ops.map(({ path, method, op }) => operationSection(doc, path, method, op)).join('\n')}</section>`;
  });
  const schemaSections = schemas.map(([name, s]) => `<section id="${esc(schemaAnchor(name))}" class="op"><h3>${esc(name)}</h3>${block(s.description)}${fields(doc, s)}</section>`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(doc.info.title)} reference</title>
<style>${STYLE}</style></head>
<body><header><h1>${esc(doc.info.title)}</h1>${block(doc.info.description)}<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></header>
<nav aria-label="Contents"><h2>Contents</h2><ol>${toc}</ol></nav>
<main>${grouped.length ? `<h2 id="endpoints">Endpoints</h2>${endpoints.join('\n')}` : ''}
${schemas.length ? `<h2 id="schemas">Schemas</h2>${schemaSections.join('\n')}` : ''}
<h2 id="problems">Problem types</h2><p>Every error is <code>application/problem+json</code> (RFC 9457). Its <code>type</code> is <code>${esc(PROBLEM_TYPE_BASE)}</code> followed by one of these codes, stable for a client to branch on; <code>detail</code> is a sentence for a person.</p>
<ul>${PROBLEM_CODES.map((code) => `<li id="${esc(code)}"><code>${esc(PROBLEM_TYPE_BASE + code)}</code></li>`).join('')}</ul></main></body></html>`;
}
