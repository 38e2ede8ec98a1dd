import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

const screenshotDir = process.env.E2E_SCREENSHOT_DIR;

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now, once in the light and once in the dark colour
 * scheme, and fails on any serious or critical violation (listed with its rule, help text and the offending
 * selectors). CSS transitions are finished before each run, so it sees the colours that stay on screen. With
 * E2E_SCREENSHOT_DIR set it also saves `<name>-light.png` / `<name>-dark.png` there.
 * The page is left in the light scheme.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme });
    // Switching the scheme starts the colour transitions (buttons take 120 ms): finish them, or axe may read a
    // colour halfway between the schemes and report a contrast no one sees once the transition is over.
    await page.evaluate(() => {
      for (const animation of document.getAnimations()) {
        if (animation instanceof CSSTransition) animation.finish();
      }
    });
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
      .analyze();
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => `${n.target.join(' ')} ${n.any[0]?.message ?? ''}`).join('\n  ')}`,
      );
    if (screenshotDir)
      await page.screenshot({ path: `${screenshotDir}/${name}-${colorScheme}.png` });
    await expect
      .soft(page.getByRole('heading', { level: 1 }), `${name}: one level-one heading`)
      .toHaveCount(1);
    expect.soft(serious, `${name}, ${colorScheme} scheme`).toEqual([]);
  }
}
