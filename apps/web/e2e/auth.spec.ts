import { expect, test } from '@playwright/test';
import { HOST, WEB_PORT } from './env';
import { makePerson, registerViaApi } from './fixtures';

test('sign-in with a wrong password shows the error and stays on the sign-in page', async ({
  page,
  request,
}) => {
  const cleo = makePerson('cleo');
  await registerViaApi(request, cleo);

  await page.goto('/login');
  await page.getByLabel('Username').fill(cleo.username);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }),
  ).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);

  // The right password then works, and signing out returns to the sign-in page for good (no silent restore).
  await page.getByLabel('Password').fill(cleo.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/c$/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  // The browser knows its session ended: a reload asks the API for none, so nothing answers 401 and the console
  // stays free of errors.
  const refreshes: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/auth/refresh')) refreshes.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.goto('/c');
  await expect(page).toHaveURL(/\/login$/);
  expect(refreshes).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('sign-up checks fields before sending and shows a taken username inline', async ({
  page,
  request,
}) => {
  const dana = makePerson('dana');
  await registerViaApi(request, dana);

  await page.goto('/register');
  await page.getByLabel('Username').fill('a!');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#username-error')).toHaveText('At least 3 characters.');
  await expect(page.locator('#password-error')).toHaveText('At least 8 characters.');
  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');

  // A commonly used password passes the form's own length check; the server's reason shows at the field.
  await page.getByLabel('Username').fill(`${dana.username}x`);
  await page.getByLabel('Password').fill('Password123');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#password-error')).toContainText('commonly used passwords');

  await page.getByLabel('Username').fill(dana.username.toUpperCase());
  await page.getByLabel('Password').fill('a-long-enough-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#username-error')).toHaveText('That username is already taken.');
  await expect(page).toHaveURL(/\/register$/);
});

test('a deep link while signed out returns to that conversation after sign-in', async ({
  page,
  request,
}) => {
  const eve = makePerson('eve');
  await registerViaApi(request, eve);

  await page.goto('/c/no-such-conversation');
  await expect(page).toHaveURL(/\/login\?next=%2Fc%2Fno-such-conversation$/);
  await page.getByLabel('Username').fill(eve.username);
  await page.getByLabel('Password').fill(eve.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/c\/no-such-conversation$/);
  await expect(page.getByRole('alert').filter({ hasText: 'does not exist' })).toBeVisible();
});

test('a page opened at an address the server does not allow says so, instead of "cannot reach the server"', async ({
  page,
  request,
}) => {
  // The API allows the run's own origin (WEB_ORIGIN); the same web server by its other name is another origin.
  const erin = makePerson('erin');
  await registerViaApi(request, erin);
  const elsewhere = `http://${HOST === 'localhost' ? '127.0.0.1' : 'localhost'}:${WEB_PORT}`;

  await page.goto(`${elsewhere}/login`);
  await page.getByLabel('Username').fill(erin.username);
  await page.getByLabel('Password').fill(erin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: 'does not accept this address' }),
  ).toContainText(`add ${elsewhere} to the server's WEB_ORIGIN`);

  // The chat page, whose session restore fails the same way, explains it too.
  await page.goto(`${elsewhere}/c`);
  const heading = page.getByRole('heading', { name: 'This address is not allowed' });
  await expect(page.getByRole('alert').filter({ has: heading })).toContainText(elsewhere);
});
