import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { API_URL } from './env';
import { messageBodies, pickEmoji, send, twoPeopleInConversation } from './fixtures';
import { makePng } from './images';

/** Records every CSP violation a page reports (the `securitypolicyviolation` DOM event) in the page. */
async function watchViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.effectiveDirective} ${e.blockedURI}`),
    );
  });
}

function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}

test('every page carries a nonce CSP and the security headers; static files carry nosniff', async ({
  page,
  request,
}) => {
  const first = await page.goto('/login');
  const headers = first!.headers();
  const csp = headers['content-security-policy'] ?? '';
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).toContain("'strict-dynamic'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).not.toContain("'unsafe-eval'");
  expect(csp).toMatch(
    new RegExp(`connect-src [^;]*${API_URL}[^;]*${API_URL.replace('http', 'ws')}`),
  );
  expect(csp).toMatch(new RegExp(`img-src [^;]*${API_URL}`));
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['permissions-policy']).toContain('camera=()');
  expect(headers['x-frame-options']).toBe('DENY');

  // Next.js put this response's nonce on the scripts of its HTML. (Chunks the page loads later, such as the lazily
  // loaded message actions, are inserted by those trusted scripts: 'strict-dynamic' lets them run without a nonce.)
  const html = await first!.text();
  const scriptNonces = [...html.matchAll(/<script\b[^>]*>/g)].map(
    (tag) => /\snonce="([^"]*)"/.exec(tag[0])?.[1] ?? '',
  );
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));

  // A fresh nonce per response, on every page.
  const again = await request.get('/register');
  const nextNonce = /'nonce-([^']+)'/.exec(again.headers()['content-security-policy'] ?? '')?.[1];
  expect(nextNonce).toBeTruthy();
  expect(nextNonce).not.toBe(nonce);

  const script = await page.locator('script[src^="/_next/static/"]').first().getAttribute('src');
  const asset = await request.get(script!);
  expect(asset.headers()['x-content-type-options']).toBe('nosniff');
});

test('the chat works under the policy with no violation: messages, formatting, emoji picker, image attachment', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const [ada, bob] = await twoPeopleInConversation(browser, 'cspa', 'cspb');
  await watchViolations(ada.context);
  await watchViolations(bob.context);
  await ada.page.reload();
  await bob.page.reload();

  await send(ada.page, 'Plain **bold** and `code`');
  await expect(ada.page.locator('strong').filter({ hasText: 'bold' })).toBeVisible();

  await ada.page.getByRole('button', { name: 'Insert emoji' }).click();
  await pickEmoji(ada.page, 'thumbs up');
  await send(ada.page, 'after the picker');

  await ada.page
    .getByTestId('attach-input')
    .setInputFiles([
      { name: 'dot.png', mimeType: 'image/png', buffer: makePng(40, 30, [90, 90, 90]) },
    ]);
  await expect(ada.page.locator('[data-testid="tray-item"][data-status="done"]')).toHaveCount(1);
  await send(ada.page, 'A picture');

  await bob.page
    .getByTestId('conversation-item')
    .filter({ hasText: ada.person.displayName })
    .click();
  await expect(messageBodies(bob.page).filter({ hasText: 'A picture' })).toBeVisible();
  const thumb = bob.page.getByTestId('attachment-image').locator('img').first();
  await expect
    .poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(40);

  expect(await violations(ada.page)).toEqual([]);
  expect(await violations(bob.page)).toEqual([]);
  await ada.context.close();
  await bob.context.close();
});

test('an injected inline handler does not run and is reported as a violation', async ({
  page,
  context,
}) => {
  await watchViolations(context);
  await page.goto('/login');
  await page.evaluate(() =>
    document.body.insertAdjacentHTML(
      'beforeend',
      '<img src="/no-such-image.png" onerror="window.__pwned = true">',
    ),
  );
  await expect.poll(() => violations(page)).toEqual([expect.stringMatching(/^script-src/)]);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBe(
    undefined,
  );
});
