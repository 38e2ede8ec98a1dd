import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { Message, Page as ApiPage, PublicUser, SendMessageBody } from '@chat/shared';
import { API_URL } from './env';
import {
  conversationItem,
  createGroup,
  makePerson,
  openConversationId,
  registerViaUi,
  signUpWithContacts,
  startConversation,
  type Contact,
  type Person,
} from './fixtures';

const screenshotDir = process.env.E2E_SCREENSHOT_DIR;

/** Posts a message as `from` over REST (the other person's device). */
async function postAs(
  request: APIRequestContext,
  from: Contact,
  conversationId: string,
  body: string,
): Promise<Message> {
  const response = await request.post(`${API_URL}/api/conversations/${conversationId}/messages`, {
    headers: { Authorization: `Bearer ${from.auth.accessToken}` },
    data: { clientMessageId: randomUUID(), body } satisfies SendMessageBody,
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as Message;
}

/** Finds `who` in the directory as `as` (their id, for opening a conversation over REST). */
async function userId(request: APIRequestContext, as: Contact, who: Person): Promise<string> {
  const response = await request.get(`${API_URL}/api/users`, {
    headers: { Authorization: `Bearer ${as.auth.accessToken}` },
    params: { q: who.username },
  });
  const page = (await response.json()) as ApiPage<PublicUser>;
  const found = page.items.find((u) => u.username === who.username);
  if (!found) throw new Error(`${who.username} not found`);
  return found.id;
}

test('Ctrl+K finds a message by words as they are typed and opens it in context, highlighted', async ({
  page,
  request,
}) => {
  const [ana, ben] = await signUpWithContacts(page, request, 'ana', 'ben');
  const opened = await request.post(`${API_URL}/api/conversations/direct`, {
    headers: { Authorization: `Bearer ${ben.auth.accessToken}` },
    data: { userId: await userId(request, ben, ana) },
  });
  const conversationId = ((await opened.json()) as { id: string }).id;
  // An old message far above the newest page, then enough others that it is not loaded when the list opens.
  for (let i = 1; i <= 4; i++) await postAs(request, ben, conversationId, `warm up ${i}`);
  const target = await postAs(
    request,
    ben,
    conversationId,
    'The quarterly zebra report is <b>ready</b>',
  );
  for (let i = 1; i <= 80; i++) await postAs(request, ben, conversationId, `filler message ${i}`);
  await expect(conversationItem(page, ben)).toBeVisible();

  await page.keyboard.press('Control+k');
  const dialog = page.getByTestId('search-dialog');
  await expect(dialog).toBeVisible();
  await page.getByTestId('search-input').fill('zebra rep');
  const hit = dialog.getByTestId('search-hit');
  await expect(hit).toHaveCount(1);
  await expect(hit).toContainText(ben.displayName);
  await expect(hit.locator('mark')).toHaveText(['zebra', 'report']);
  // The text stays text: the angle brackets show, no element is made from them.
  await expect(hit).toContainText('<b>ready</b>');
  await expect(hit.locator('b')).toHaveCount(0);
  // People and conversations come in the same box.
  await page.getByTestId('search-input').fill(ben.displayName);
  await expect(dialog.getByRole('region', { name: 'Conversations' })).toContainText(
    ben.displayName,
  );
  await page.getByTestId('search-input').fill('zebra rep');
  await expect(hit).toHaveCount(1);
  if (screenshotDir) await page.screenshot({ path: `${screenshotDir}/search-dialog.png` });

  // By keyboard: Down from the field to the result, Up back to the field, Down again and Enter opens it.
  await page.keyboard.press('ArrowDown');
  await expect(hit).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('search-input')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/c/${conversationId}$`));
  const jumped = page.locator('[data-jump-target="true"]');
  await expect(jumped).toBeVisible();
  await expect(jumped).toContainText('The quarterly zebra report');
  await expect(jumped.getByTestId('message')).toHaveAttribute('data-seq', String(target.seq));
  // The messages around it are there too.
  await expect(page.getByTestId('message').filter({ hasText: 'warm up 4' })).toBeVisible();
  if (screenshotDir) {
    await page.screenshot({ path: `${screenshotDir}/search-jump.png` });
    // The same at phone width, dark.
    await page.setViewportSize({ width: 375, height: 760 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${screenshotDir}/search-jump-375-dark.png` });
    await page.keyboard.press('Control+k');
    await page.getByTestId('search-input').fill('zebra rep');
    await expect(page.getByTestId('search-hit')).toHaveCount(1);
    await page.screenshot({ path: `${screenshotDir}/search-dialog-375-dark.png` });
    await page.keyboard.press('Escape');
    await page.goto('/c');
    await expect(conversationItem(page, ben)).toBeVisible();
    await page.screenshot({ path: `${screenshotDir}/list-375-dark.png` });
  }
});

test('@ suggests group members, the mention is highlighted for the person mentioned, with an @ badge', async ({
  browser,
}) => {
  const ana = makePerson('ana');
  const ben = makePerson('ben');
  const [anaContext, benContext] = [await browser.newContext(), await browser.newContext()];
  const [anaPage, benPage] = [await anaContext.newPage(), await benContext.newPage()];
  await registerViaUi(anaPage, ana);
  await registerViaUi(benPage, ben);
  await createGroup(anaPage, 'Launch crew', [ben]);

  const composer = anaPage.getByLabel('Message', { exact: true });
  await composer.fill('hi @');
  await composer.pressSequentially(ben.username.slice(0, 3));
  const suggestions = anaPage.getByTestId('mention-suggestions');
  await expect(suggestions.getByRole('option')).toContainText([ben.displayName]);
  if (screenshotDir) await anaPage.screenshot({ path: `${screenshotDir}/mention-suggestions.png` });
  await composer.press('Enter');
  await expect(composer).toHaveValue(`hi @${ben.username} `);
  await composer.pressSequentially('the launch is at noon');
  await composer.press('Enter');
  await expect(anaPage.locator('.mention')).toHaveText(`@${ben.username}`);

  const item = benPage.getByTestId('conversation-item').filter({ hasText: 'Launch crew' });
  await expect(item.getByTestId('mention-badge')).toBeVisible();
  await item.click();
  const mention = benPage.locator('.message.mentions-me .mention');
  await expect(mention).toHaveText(`@${ben.username}`);
  await expect(mention).toHaveCSS('font-weight', '600');
  await benPage.goto('/c');
  await expect(item.getByTestId('mention-badge')).toHaveCount(0);
  await anaContext.close();
  await benContext.close();
});

/**
 * Before any page script: counts every Notification made (still making the real one), and lets the test hide the
 * page (`window.__setHidden(true)`: visibilityState 'hidden', no focus, and the events the app listens to).
 */
const NOTIFICATION_PROBE = () => {
  const w = window as unknown as {
    __notes: string[];
    __hidden: boolean;
    __setHidden: (hidden: boolean) => void;
  };
  w.__notes = [];
  w.__hidden = false;
  const Real = window.Notification;
  class Counted extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      w.__notes.push(`${title}: ${options?.body ?? ''}`);
    }
  }
  Object.defineProperty(window, 'Notification', { value: Counted, configurable: true });
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => (w.__hidden ? 'hidden' : 'visible'),
  });
  document.hasFocus = () => !w.__hidden;
  w.__setHidden = (hidden: boolean) => {
    w.__hidden = hidden;
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event(hidden ? 'blur' : 'focus'));
  };
};

const notes = (page: Page) =>
  page.evaluate(() => (window as unknown as { __notes: string[] }).__notes);

test('a message from the other person makes exactly one notification across two hidden tabs, none once muted', async ({
  browser,
  request,
}) => {
  const context = await browser.newContext({ permissions: ['notifications'] });
  await context.addInitScript(NOTIFICATION_PROBE);
  const first = await context.newPage();
  const [, ben] = await signUpWithContacts(first, request, 'ana', 'ben');
  await startConversation(first, ben);
  const conversationId = openConversationId(first);
  const second = await context.newPage();
  await second.goto('/c');
  await expect(conversationItem(second, ben)).toBeVisible();
  // Permission was granted with the context: no prompt is offered, the sound switch is there.
  await expect(first.getByTestId('sound-switch')).toBeVisible();
  await expect(first.getByRole('button', { name: 'Turn on' })).toHaveCount(0);

  // On screen in a focused window: nothing.
  await postAs(request, ben, conversationId, 'seen on screen');
  await expect(first.getByTestId('message').filter({ hasText: 'seen on screen' })).toBeVisible();
  for (const page of [first, second])
    await page.evaluate(() =>
      (window as unknown as { __setHidden: (h: boolean) => void }).__setHidden(true),
    );
  await postAs(request, ben, conversationId, 'are you there?');
  await expect
    .poll(async () => [...(await notes(first)), ...(await notes(second))])
    .toEqual([`${ben.displayName}: are you there?`]);

  // Muted ("Nothing"): no notification, a grey badge, on both tabs (the level reaches the other one live).
  await first.getByTestId('notification-level').selectOption('none');
  await expect(
    second.getByTestId('conversation-item').locator('[aria-label="Muted"]'),
  ).toBeVisible();
  await postAs(request, ben, conversationId, 'muted message');
  await expect(second.getByTestId('unread-badge')).toHaveClass(/muted/);
  await second.waitForTimeout(1500);
  expect([...(await notes(first)), ...(await notes(second))]).toHaveLength(1);
  if (screenshotDir) await second.screenshot({ path: `${screenshotDir}/muted-badge.png` });
  await context.close();
});

test('without permission, notifications are offered by an in-app button, never asked on page load', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await registerViaUi(page, makePerson('dee'));
  const ask = page.getByRole('button', { name: 'Turn on' });
  await expect(ask).toBeVisible();
  expect(await page.evaluate(() => Notification.permission)).toBe('default');
  if (screenshotDir) await page.screenshot({ path: `${screenshotDir}/notification-prompt.png` });
  await context.close();
});
