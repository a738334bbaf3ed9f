/**
 * What the API reference says about a contract schema: its component name, a description and an
 * example. The contract (this folder) is written with zod/mini, which the shopper's bundle can
 * afford; the server turns it into the OpenAPI document (api/http/openapi-schema.ts), reading
 * these notes from the registry below. The browser never loads them into anything.
 */
import * as z from 'zod/mini';

export interface DocNote {
  /** The schema's name under `components.schemas` (a shape that several routes share). */
  id?: string;
  description?: string;
  example?: unknown;
}

export const docNotes = z.registry<DocNote>();

/** Attaches a note for the API reference to a schema and returns the schema. */
export function documented<T extends z.ZodMiniType>(schema: T, note: DocNote): T {
  docNotes.add(schema, note);
  return schema;
}

/**
 * A copy of `schema` with a description (and an example) for the API reference. A copy, because a
 * field rule is often one shared instance (Timestamp, CurrencyCode…) whose note would otherwise
 * show on every field that uses it. Never for a named component: the copy would lose its name.
 */
export function described<T extends z.ZodMiniType>(schema: T, description: string, example?: unknown): T {
  return documented(schema.clone() as T, example === undefined ? { description } : { description, example });
}
