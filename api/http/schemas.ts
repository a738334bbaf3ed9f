/** Route-document helpers every resource shares: a JSON body of a contract shape, and a problem answer. */
import type * as mini from 'zod/mini';
import { Problem } from '../../core/contract/problem.ts';
import { openApiSchema } from './openapi-schema.ts';

/** `content` for a JSON request or answer of a contract schema. */
export const json = <T extends mini.ZodMiniType>(schema: T) => ({ 'application/json': { schema: openApiSchema(schema) } });

export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: openApiSchema(Problem) } } });
