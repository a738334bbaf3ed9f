/**
 * The contract (core/contract/) is written with zod/mini so that the browser can afford it; the
 * OpenAPI generator behind @hono/zod-openapi reads only classic zod. `openApiSchema` rebuilds a
 * contract schema as classic zod from the same definition: the same checks (shared zod core
 * instances), so validation and its messages are identical, plus the notes of core/contract/docs.ts
 * as OpenAPI metadata. Each schema is rebuilt once, so a shared shape becomes one named component.
 */
import { z } from '@hono/zod-openapi';
import type * as mini from 'zod/mini';
import { docNotes } from '../../core/contract/docs.ts';

type AnySchema = mini.ZodMiniType | z.ZodType;
type Classic = z.ZodType & { openapi: (...args: unknown[]) => z.ZodType };

const rebuilt = new WeakMap<object, z.ZodType>();
const classic = z as unknown as Record<string, new (def: unknown) => Classic>;
/** Definition members that hold one child schema, a list of them, or a record of them. */
const ONE = ['element', 'innerType', 'in', 'out', 'keyType', 'valueType', 'left', 'right', 'catchall', 'rest', 'getter'] as const;
const MANY = ['options', 'items'] as const;

export function openApiSchema<T extends mini.ZodMiniType>(schema: T): z.ZodType<mini.output<T>, mini.input<T>> {
  return rebuild(schema) as z.ZodType<mini.output<T>, mini.input<T>>;
}

/** The same for an object schema, typed as a classic object: route parameters (query, path) must be one. */
export function openApiObject<T extends mini.ZodMiniObject>(schema: T): z.ZodObject<{ [K in keyof T['shape']]: z.ZodType<mini.output<T['shape'][K]>, mini.input<T['shape'][K]>> }> {
  return rebuild(schema) as never;
}

function rebuild(schema: AnySchema): z.ZodType {
  const done = rebuilt.get(schema);
  if (done) return done;
  const name = (schema._zod as unknown as { constr: { name: string } }).constr.name;
  if (!name.startsWith('ZodMini')) return schema as z.ZodType; // already classic
  const Ctor = classic[name.replace(/^ZodMini/, 'Zod')];
  if (!Ctor) throw new Error(`openApiSchema: no classic zod type for ${name}`);
  const def = { ...(schema._zod.def as unknown as Record<string, unknown>) };
  if (def.shape) def.shape = Object.fromEntries(Object.entries(def.shape as Record<string, AnySchema>).map(([k, v]) => [k, rebuild(v)]));
  for (const key of ONE) if (def[key] && typeof def[key] === 'object') def[key] = rebuild(def[key] as AnySchema);
  for (const key of MANY) if (Array.isArray(def[key])) def[key] = (def[key] as AnySchema[]).map(rebuild);
  let out: z.ZodType = new Ctor(def);
  const note = docNotes.get(schema as mini.ZodMiniType);
  if (note) {
    const { id, ...meta } = note;
    out = id ? (out as Classic).openapi(id, meta) : (out as Classic).openapi(meta);
  }
  rebuilt.set(schema, out);
  return out;
}
