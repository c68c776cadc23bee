import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** The desktop and phone sizes a portal page must fit. */
export const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

/** How many CSS pixels the page is wider than its viewport (0 = no horizontal scroll). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

/**
 * axe-core's serious and critical violations on the page as it is now, each as "rule: selectors" so a failing
 * assertion names what to fix. Strings, not functions, cross into the page: the test code has no DOM types.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  // Evaluated, not added as a script tag, so a content security policy cannot keep it out.
  await page.evaluate(axe.source);
  return page.evaluate<string[]>(`axe.run(document, { resultTypes: ['violations'] }).then((results) =>
    results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => violation.id + ': ' + violation.nodes.map((node) => node.target.join(' ')).join(', ')))`);
}
