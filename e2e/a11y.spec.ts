// Every page is usable with assistive technology (axe-core finds no serious or critical violation)
// and loads without an error in the browser's console.
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/** Errors the page logs or throws, and requests that fail or answer 4xx/5xx, while `run` runs. */
async function problemsWhile(page: Page, run: () => Promise<void>): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  await run();
  return problems;
}

async function audit(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

for (const [name, path] of [
  ['the board', '/?range=1h'],
  ['TV mode', '/?range=1h&view=tv'],
  ['the admin page', '/admin'],
] as const) {
  test(`${name} has no serious accessibility violation and no console error`, async ({ page }) => {
    const problems = await problemsWhile(page, async () => {
      await page.goto(path);
      if (path.startsWith('/?')) await expect(page.getByTestId('connection')).toHaveText('Live');
      else await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      expect(await audit(page)).toEqual([]);
    });
    expect(problems).toEqual([]);
  });
}

test.describe('signed out', () => {
  test.use({ storageState: { cookies: [], origins: [] } });
  for (const [name, path, field] of [
    ['the sign-in page', '/login', 'Username'],
    ['the pairing page', '/pair', 'Pairing code'],
  ] as const) {
    test(`${name} has no serious accessibility violation and no console error`, async ({ page }) => {
      const problems = await problemsWhile(page, async () => {
        await page.goto(path);
        await expect(page.getByLabel(field)).toBeVisible();
        expect(await audit(page)).toEqual([]);
      });
      expect(problems).toEqual([]);
    });
  }
});
