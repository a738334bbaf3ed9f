/**
 * Paths the API server answers itself. The service worker's navigation fallback must leave them
 * alone, and the app's router treats a link to them as a full page load.
 */
export const SERVER_PATHS: RegExp[] = [/^\/v1(\/|$)/, /^\/openapi\.json$/, /^\/docs(\/|$)/, /^\/healthz$/, /^\/stores$/];

export function isServerPath(pathname: string): boolean {
  return SERVER_PATHS.some((re) => re.test(pathname));
}
