/**
 * A readable API reference rendered on the server from the OpenAPI document: no script, no
 * third-party assets, so it works on a closed network and prints well.
 */
import { escapeHtml } from './html.ts';
import { PROBLEM_CODES } from '../../core/contract/problem.ts';
type Schema = {
  type?: string | string[];
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  description?: string;
  enum?: unknown[];
  example?: unknown;
  nullable?: boolean;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
};
type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema; description?: string }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
};
type Document = { info: { title: string; description?: string }; paths?: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

const esc = (s: unknown) => escapeHtml(String(s));

function typeOf(s: Schema | undefined): string {
  if (!s) return '';
  if (s.$ref) {
    const name = s.$ref.split('/').pop()!;
    return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
  }
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf)!.map(typeOf).join(' | ');
  if (s.enum) return s.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ');
  const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  return t === 'array' ? `${typeOf(s.items)}[]` : esc(t);
}

function fields(s: Schema): string {
  if (!s.properties) return `<p>${typeOf(s)}</p>`;
  const rows = Object.entries(s.properties).map(([name, p]) => {
    const limits = [p.minimum !== undefined && `≥ ${p.minimum}`, p.maximum !== undefined && `≤ ${p.maximum}`, p.maxLength !== undefined && `≤ ${p.maxLength} chars`]
      .filter(Boolean)
      .join(', ');
    return `<tr><td><code>${esc(name)}</code>${s.required?.includes(name) ? ' <b>required</b>' : ''}</td><td>${typeOf(p)}</td><td>${esc(p.description ?? '')}${limits ? ` <i>(${esc(limits)})</i>` : ''}</td></tr>`;
  });
  return `<table><tr><th>field</th><th>type</th><th>notes</th></tr>${rows.join('')}</table>`;
}

export function apiReferencePage(doc: Document): string {
  const ops: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []).map(
        (p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ', required' : ''}): ${typeOf(p.schema)} ${esc(p.description ?? p.schema?.description ?? '')}</li>`,
      );
      const body = op.requestBody ? Object.values(op.requestBody.content)[0]?.schema : undefined;
      const responses = Object.entries(op.responses).map(
        ([code, r]) => `<li><b>${esc(code)}</b> ${esc(r.description)} ${r.content ? typeOf(Object.values(r.content)[0]?.schema) : ''}</li>`,
      );
      ops.push(`<section><h3><span class="m">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary ?? '')}${op.security?.length ? ' · needs <code>Authorization: Bearer &lt;api key&gt;</code>' : ''}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}
${params.length ? `<h4>Parameters</h4><ul>${params.join('')}</ul>` : ''}${body ? `<h4>Body</h4>${typeOf(body)}` : ''}<h4>Responses</h4><ul>${responses.join('')}</ul></section>`);
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {}).map(
    ([name, s]) => `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3>${s.description ? `<p>${esc(s.description)}</p>` : ''}${fields(s)}</section>`,
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(doc.info.title)} reference</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;color:#111}code{background:#f3f3f3;padding:0 .2em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em;text-align:left;vertical-align:top}.m{background:#0a5;color:#fff;padding:0 .4em;border-radius:3px}section{border-top:1px solid #ccc;margin-top:1rem}</style></head>
<body><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description ?? '')}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<h2>Endpoints</h2>${ops.join('\n')}<h2>Schemas</h2>${schemas.join('\n')}
<h2 id="problems">Problem types</h2><p>Every error is <code>application/problem+json</code> (RFC 9457). The <code>type</code> ends in one of: ${PROBLEM_CODES.join(', ')}.</p></body></html>`;
}
