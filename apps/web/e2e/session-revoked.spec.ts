import { expect, test } from '@playwright/test';
import { REFRESH_COOKIE_NAME } from '@chat/shared';
import { API_URL } from './env';
import { makePerson, registerViaUi } from './fixtures';

test('a socket refused with SESSION_REVOKED signs the tab out instead of retrying', async ({
  browser,
  request,
}) => {
  const ana = makePerson('ana');
  const context = await browser.newContext();
  const page = await context.newPage();
  await registerViaUi(page, ana);

  // While the tab is offline its session is signed out elsewhere: its access token is still a valid JWT, but the
  // session behind it is gone, so the reconnect's handshake is refused with SESSION_REVOKED.
  await context.setOffline(true);
  await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();
  // The refresh cookie is scoped to /api/auth.
  const cookie = (await context.cookies(`${API_URL}/api/auth/refresh`)).find(
    (c) => c.name === REFRESH_COOKIE_NAME,
  );
  expect(cookie).toBeDefined();
  const out = await request.post(`${API_URL}/api/auth/logout`, {
    headers: { cookie: `${REFRESH_COOKIE_NAME}=${cookie?.value ?? ''}` },
  });
  expect(out.status()).toBe(204);

  await context.setOffline(false);
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await context.close();
});
