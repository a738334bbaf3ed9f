/** Shapes every route shares: the problem document and the bearer scheme. */
import { z } from '@hono/zod-openapi';

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details.' });

export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });

export const merchantAuth = [{ merchantApiKey: [] as string[] }];
