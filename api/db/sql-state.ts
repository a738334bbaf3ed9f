/** SQLSTATE of a driver error. Drizzle wraps driver errors and puts the original on `cause`. */
export function sqlState(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return e?.cause?.code ?? e?.code;
}

export const UNIQUE_VIOLATION = '23505';
