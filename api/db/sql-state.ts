/** SQLSTATE of a driver error. Drizzle wraps driver errors and puts the original on `cause`. */
export function sqlState(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return e?.cause?.code ?? e?.code;
}

/** The constraint a unique violation (23505) names, where the driver reports it. */
export function violatedConstraint(err: unknown): string | undefined {
  const e = err as { constraint?: string; cause?: { constraint?: string } } | undefined;
  return e?.cause?.constraint ?? e?.constraint;
}

export const UNIQUE_VIOLATION = '23505';
