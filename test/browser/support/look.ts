/**
 * axe-core in the page under test: its source is evaluated through the DevTools protocol (as
 * @axe-core/playwright does), so the app's Content-Security-Policy stays as served. `axeFindings`
 * returns one line per violation and node, empty when the page is clean, so a failing test says
 * what to fix: `expect(await axeFindings(page)).toEqual([])`.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';

const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
}

/** WCAG 2.1 A and AA plus axe's best practices (landmarks, one level-one heading). */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

export async function axeFindings(page: Page, options: { include?: string; disable?: string[] } = {}): Promise<string[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(source);
  const result = (await page.evaluate(
    async ({ tags, include, disable }) => {
      const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } }).axe;
      const rules = Object.fromEntries(disable.map((id) => [id, { enabled: false }]));
      return axe.run(include ? { include: [include] } : document, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations'] });
    },
    { tags: TAGS, include: options.include ?? null, disable: options.disable ?? [] },
  )) as AxeResult;
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(n.target)}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ')})` : ''}`),
  );
}

/** The element's box lies inside the viewport (a person sees it without scrolling). */
export async function inViewport(element: Locator): Promise<boolean> {
  return element.evaluate((el) => {
    const r = el.getBoundingClientRect();
    // Half a pixel of slack for subpixel layout.
    return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight + 0.5 && r.right <= window.innerWidth + 0.5;
  });
}
