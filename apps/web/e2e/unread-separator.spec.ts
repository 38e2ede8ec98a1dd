import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { ConversationSummary, SendMessageBody } from '@chat/shared';
import { API_URL } from './env';
import {
  conversationItem,
  openConversationId,
  signUpWithContacts,
  startConversation,
  type Contact,
} from './fixtures';

const screenshotDir = process.env.E2E_SCREENSHOT_DIR;

/**
 * `who` sends `bodies` to the conversation over REST, one after the other. A connection reset (a kept-alive
 * connection the server closed as it was reused) is retried: the same clientMessageId makes a retry idempotent.
 */
async function sendAs(
  request: APIRequestContext,
  who: Contact,
  conversationId: string,
  bodies: string[],
) {
  for (const body of bodies) {
    const response = await request.post(`${API_URL}/api/conversations/${conversationId}/messages`, {
      headers: { Authorization: `Bearer ${who.auth.accessToken}` },
      data: { clientMessageId: crypto.randomUUID(), body } satisfies SendMessageBody,
      maxRetries: 2,
    });
    expect(response.ok(), await response.text()).toBe(true);
  }
}

/** The body of the message saying `text` in the open conversation. */
const bubble = (page: Page, text: string) =>
  page.getByTestId('message').locator('.bubble-body').getByText(text, { exact: true });

const numbered = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}`);

// The 80 messages are sent while the list page loads and its socket connects: live messages that raced the list's
// request (or the fetch of a conversation the list did not have yet) once went uncounted (77 unread instead of 80),
// and so did one sent while the socket was joining, whose count only the resync's list brought (79); the
// conversations store's unit tests pin the three races.
test('opening a conversation lands at the first unread message under "New messages"; new ones while scrolled up offer a jump to latest', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const [ana, ben] = await signUpWithContacts(page, request, 'ana', 'ben');
  await startConversation(page, ben);
  const id = openConversationId(page);
  await sendAs(request, ben, id, numbered('Earlier', 20));
  await expect(bubble(page, 'Earlier 20')).toBeVisible();
  // Ana has read them once the server says so.
  await expect
    .poll(async () => {
      const res = await request.get(`${API_URL}/api/conversations/${id}`, {
        headers: { Authorization: `Bearer ${ben.auth.accessToken}` },
      });
      const summary = (await res.json()) as ConversationSummary;
      return summary.members.find((m) => m.user.username === ana.username)?.readSeq;
    })
    .toBe(20);

  await page.goto('/c');
  // More than a page of history (50) is unread: reaching the first one takes an older page.
  await sendAs(request, ben, id, numbered('Unread', 80));
  await expect(conversationItem(page, ben).getByLabel('80 unread')).toBeVisible();
  await conversationItem(page, ben).click();

  const separator = page.getByTestId('unread-separator');
  await expect(separator).toBeInViewport();
  await expect(bubble(page, 'Unread 1')).toBeInViewport();
  await expect(bubble(page, 'Earlier 20')).toBeAttached();
  await expect(bubble(page, 'Unread 80')).not.toBeInViewport();
  // No scroll jump: the first unread message stays put while the rest settles.
  const top = (await bubble(page, 'Unread 1').boundingBox())?.y;
  await page.waitForTimeout(500);
  expect((await bubble(page, 'Unread 1').boundingBox())?.y).toBe(top);

  const jump = page.getByTestId('jump-latest');
  await expect(jump).toHaveText('Jump to latest');
  await sendAs(request, ben, id, numbered('Live', 3));
  await expect(jump).toHaveText('Jump to latest (3 new)');
  await expect(bubble(page, 'Unread 1')).toBeInViewport();
  if (screenshotDir) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: `${screenshotDir}/unread-${colorScheme}.png` });
    }
    await page.setViewportSize({ width: 375, height: 740 });
    await page.screenshot({ path: `${screenshotDir}/unread-dark-375.png` });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 720 });
  }
  await jump.click();
  await expect(bubble(page, 'Live 3')).toBeInViewport();
  await expect(jump).toBeHidden();
});
