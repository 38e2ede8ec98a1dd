import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { AuthResponse } from '@chat/shared';
import { expectAccessible } from './axe';
import { ADMIN_USERNAME, API_URL } from './env';
import {
  answerConfirm,
  makePerson,
  registerViaApi,
  registerViaUi,
  startConversation,
  type Person,
} from './fixtures';

const screenshotDir = process.env.E2E_SCREENSHOT_DIR;

/** The run's administrator (INSTANCE_ADMINS): registered by the first test that needs it. */
const ADMIN: Person = {
  username: ADMIN_USERNAME,
  displayName: 'Server Admin',
  password: 'pw-admin-correct-horse',
};

/** Registers the administrator unless an earlier test (or run on a reused server) did; returns a token. */
async function adminToken(request: APIRequestContext): Promise<string> {
  const registered = await request.post(`${API_URL}/api/auth/register`, { data: ADMIN });
  if (registered.status() === 201) return ((await registered.json()) as AuthResponse).accessToken;
  const login = await request.post(`${API_URL}/api/auth/login`, {
    data: { username: ADMIN.username, password: ADMIN.password },
  });
  expect(login.status()).toBe(200);
  return ((await login.json()) as AuthResponse).accessToken;
}

async function signIn(page: Page, person: Person) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/c$/);
}

test.describe('admin page', () => {
  test.use({ viewport: { width: 375, height: 800 }, hasTouch: true, isMobile: true });

  test('invite-only registration with a copied link, deactivation, and reports', async ({
    page,
    browser,
    request,
  }) => {
    const token = await adminToken(request);
    try {
      await signIn(page, ADMIN);
      await page.getByTestId('profile-button').click();
      await page.getByTestId('admin-link').click();
      await expect(page).toHaveURL(/\/admin$/);
      await expect(page.getByRole('heading', { name: 'Server administration' })).toBeVisible();

      // Registration: invite only (by keyboard: the radio group takes arrow keys).
      // (Wait for the settings to load: the radios are disabled until then.)
      await expect(page.getByRole('radio', { name: /Open/ })).toBeChecked();
      await page.getByRole('radio', { name: /Open/ }).focus();
      await page.keyboard.press('ArrowDown');
      await expect(page.getByRole('radio', { name: /Invite only/ })).toBeChecked();
      await expect(page.getByTestId('mode-source')).toContainText('Chosen here');

      // An invite link for one registration, made by keyboard.
      await page.getByLabel('Uses').fill('1');
      await page.getByTestId('create-invite').focus();
      await page.keyboard.press('Enter');
      const link = page.getByTestId('invite-list').getByLabel('Invite link').first();
      await expect(link).toHaveValue(/\/register\?invite=[A-Za-z0-9_-]{22}$/);
      const inviteUrl = await link.inputValue();
      await expect(page.getByTestId('invite-list')).toContainText('0/1 used');

      // Nothing overflows sideways at 375 px; light and dark are accessible.
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await expectAccessible(page, 'admin-375');

      // A newcomer opens the link in their own browser and registers with it.
      const newcomerContext = await browser.newContext();
      const newcomerPage = await newcomerContext.newPage();
      const newcomer = makePerson('newcomer');
      await newcomerPage.goto(inviteUrl);
      await expect(newcomerPage.getByTestId('registration-notice')).toHaveText(
        'You are joining with an invite link.',
      );
      await newcomerPage.getByLabel('Username').fill(newcomer.username);
      await newcomerPage.getByLabel('Password').fill(newcomer.password);
      await newcomerPage.getByRole('button', { name: 'Create account' }).click();
      await expect(newcomerPage).toHaveURL(/\/c$/);

      // The link is used up: a second person is refused with the server's reason.
      const late = await browser.newContext();
      const latePage = await late.newPage();
      await latePage.goto(inviteUrl);
      await latePage.getByLabel('Username').fill(makePerson('late').username);
      await latePage.getByLabel('Password').fill('pw-late-correct-horse');
      await latePage.getByRole('button', { name: 'Create account' }).click();
      await expect(latePage.getByRole('alert').filter({ hasText: 'not valid' })).toBeVisible();
      await late.close();

      // Deactivate the newcomer: their open tab is signed out at once.
      await page.getByLabel('Search by username or name').fill(newcomer.username);
      const row = page.getByTestId('account-row').filter({ hasText: newcomer.username });
      await expect(row).toHaveCount(1);
      await row.getByRole('button', { name: `Deactivate @${newcomer.username}` }).click();
      await answerConfirm(page, `Deactivate @${newcomer.username}?`, 'Deactivate');
      await expect(row).toContainText('deactivated');
      await expect(newcomerPage).toHaveURL(/\/login/);
      await newcomerPage.getByLabel('Username').fill(newcomer.username);
      await newcomerPage.getByLabel('Password').fill(newcomer.password);
      await newcomerPage.getByRole('button', { name: 'Sign in' }).click();
      await expect(
        newcomerPage.getByRole('alert').filter({ hasText: 'deactivated by an administrator' }),
      ).toBeVisible();
      await row.getByRole('button', { name: `Reactivate @${newcomer.username}` }).click();
      await expect(row).not.toContainText('deactivated');
      await newcomerPage.getByRole('button', { name: 'Sign in' }).click();
      await expect(newcomerPage).toHaveURL(/\/c$/);

      // The newcomer reports the administrator from their conversation header (on a phone, behind its options);
      // the report shows up here.
      await startConversation(newcomerPage, ADMIN);
      await newcomerPage.getByRole('button', { name: 'Conversation options' }).click();
      await newcomerPage.getByTestId('report-person').click();
      await newcomerPage.getByLabel('Reason').fill('Testing the report button');
      if (screenshotDir)
        await newcomerPage.screenshot({ path: `${screenshotDir}/report-person.png` });
      await newcomerPage.getByRole('button', { name: 'Send report' }).click();
      await expect(newcomerPage.getByTestId('report-dialog')).toContainText('Thank you');
      await newcomerContext.close();

      await page.reload();
      const report = page.getByTestId('report-list').locator('li').filter({
        hasText: 'Testing the report button',
      });
      await expect(report).toContainText(`@${newcomer.username}`);
      await expectAccessible(page, 'admin-reports-375');
      await report.getByRole('button', { name: 'Resolve' }).click();
      await expect(report).toHaveCount(0);
      await page.getByRole('button', { name: 'Resolved' }).click();
      await expect(
        page
          .getByTestId('report-list')
          .locator('li')
          .filter({ hasText: 'Testing the report button' }),
      ).toContainText(`Resolved by @${ADMIN.username}`);
      if (screenshotDir)
        await page.screenshot({ path: `${screenshotDir}/admin-resolved.png`, fullPage: true });
    } finally {
      // Other specs register freely: open registration again whatever happened.
      await request.put(`${API_URL}/api/admin/settings`, {
        data: { registrationMode: 'open' },
        headers: { authorization: `Bearer ${token}` },
      });
    }
  });

  test('a deactivated account takes no new messages: its conversation shows why, until it is reactivated', async ({
    page,
    request,
  }) => {
    const token = await adminToken(request);
    const admin = { authorization: `Bearer ${token}` };
    const writer = makePerson('writer');
    const gone = makePerson('gone');
    await registerViaApi(request, writer);
    const goneAccount = await registerViaApi(request, gone);
    await signIn(page, writer);
    await startConversation(page, gone);
    await expect(page.getByLabel('Message', { exact: true })).toBeVisible();
    // The two become contacts (the request is accepted), so the change reaches the writer live (user:updated).
    const conversationId = new URL(page.url()).pathname.split('/').pop()!;
    const accepted = await request.post(`${API_URL}/api/conversations/${conversationId}/accept`, {
      headers: { authorization: `Bearer ${goneAccount.accessToken}` },
    });
    expect(accepted.status()).toBe(200);

    const off = await request.post(`${API_URL}/api/admin/users/${goneAccount.user.id}/deactivate`, {
      headers: admin,
    });
    expect(off.status()).toBe(200);
    // Live (user:updated): the composer gives way to the reason.
    await expect(page.getByTestId('account-gone-banner')).toContainText(
      `${gone.displayName}'s account is deactivated`,
    );
    await expect(page.getByLabel('Message', { exact: true })).toHaveCount(0);
    if (screenshotDir) await page.screenshot({ path: `${screenshotDir}/account-gone-375.png` });
    await expectAccessible(page, 'account-gone-375');

    const on = await request.post(`${API_URL}/api/admin/users/${goneAccount.user.id}/reactivate`, {
      headers: admin,
    });
    expect(on.status()).toBe(200);
    await expect(page.getByTestId('account-gone-banner')).toHaveCount(0);
    await expect(page.getByLabel('Message', { exact: true })).toBeVisible();
  });

  test('a person who is not an administrator gets no admin page', async ({ page, request }) => {
    const person = makePerson('plain');
    await registerViaApi(request, person);
    await signIn(page, person);
    await page.getByTestId('profile-button').click();
    await expect(page.getByTestId('admin-link')).toHaveCount(0);
    await page.goto('/admin');
    await expect(page.getByRole('heading', { name: 'Administrators only' })).toBeVisible();
  });
});

test.describe('my data', () => {
  test.use({ viewport: { width: 375, height: 800 }, hasTouch: true, isMobile: true });

  test('downloads the data archive, then deletes the account', async ({ page }) => {
    const person = makePerson('leaver');
    await registerViaUi(page, person);
    await page.getByTestId('profile-button').click();
    const dialog = page.getByTestId('profile-dialog');

    const download = page.waitForEvent('download');
    await dialog.getByTestId('export-data').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(
      new RegExp(`^relay-data-${person.username}-.*\\.zip$`),
    );
    const stream = await file.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const zip = Buffer.concat(chunks);
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    expect(zip.includes(Buffer.from('profile.json'))).toBe(true);

    await dialog.getByTestId('delete-account').click();
    await expectAccessible(page, 'delete-account-375');
    // A wrong password is refused and the person stays signed in.
    await dialog.getByLabel('Your password').fill('not my password');
    await dialog.getByRole('button', { name: 'Delete my account' }).click();
    await expect(dialog.getByText('That password is not right.')).toBeVisible();
    await dialog.getByLabel('Your password').fill(person.password);
    await dialog.getByLabel('Your password').press('Enter');
    await expect(page).toHaveURL(/\/login/);

    await page.getByLabel('Username').fill(person.username);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(
      page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }),
    ).toBeVisible();
  });
});
