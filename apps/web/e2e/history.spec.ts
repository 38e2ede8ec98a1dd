import { expect, test } from '@playwright/test';
import type {
  ConversationSummary,
  Message,
  OpenDirectRequest,
  SendMessageBody,
} from '@chat/shared';
import { API_URL } from './env';
import { makePerson, registerViaApi } from './fixtures';

/** More than two history pages (LIMITS.HISTORY_PAGE_DEFAULT is 50), so scrolling up must fetch twice. */
const MESSAGE_COUNT = 120;

test('scrolling up loads older history in order and keeps the reader in place', async ({
  page,
  request,
}) => {
  const hana = makePerson('hana');
  const ivan = makePerson('ivan');
  const hanaAuth = await registerViaApi(request, hana);
  const ivanAuth = await registerViaApi(request, ivan);

  // Seed the conversation over REST (the twin of message:send) so the browser only reads.
  const headers = { Authorization: `Bearer ${hanaAuth.accessToken}` };
  const opened = await request.post(`${API_URL}/api/conversations/direct`, {
    headers,
    data: { userId: ivanAuth.user.id } satisfies OpenDirectRequest,
  });
  expect(opened.ok(), await opened.text()).toBe(true);
  const conversation = (await opened.json()) as ConversationSummary;
  for (let i = 1; i <= MESSAGE_COUNT; i += 1) {
    const body: SendMessageBody = {
      clientMessageId: crypto.randomUUID(),
      body: `History message ${i}`,
    };
    // Ivan's own messages: with nothing unread the conversation opens at the newest message.
    const sent = await request.post(`${API_URL}/api/conversations/${conversation.id}/messages`, {
      headers: { Authorization: `Bearer ${ivanAuth.accessToken}` },
      data: body,
    });
    expect(sent.ok(), await sent.text()).toBe(true);
    expect(((await sent.json()) as Message).body).toBe(body.body);
  }

  await page.goto(`/login?next=${encodeURIComponent(`/c/${conversation.id}`)}`);
  await page.getByLabel('Username').fill(ivan.username);
  await page.getByLabel('Password').fill(ivan.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/c/${conversation.id}$`));

  // The newest message is in view first; the oldest is not even loaded yet.
  await expect(
    page.getByTestId('message').filter({ hasText: `History message ${MESSAGE_COUNT}` }),
  ).toBeInViewport();
  await expect(page.getByText('History message 1', { exact: true })).toHaveCount(0);

  const scroller = page.getByRole('log', { name: 'Messages' });
  const beginning = page.getByText('This is the beginning of the conversation.');
  let prepends = 0;
  while ((await beginning.count()) === 0 && prepends < 10) {
    const before = await page.locator('[data-testid="message"]').first().getAttribute('data-seq');
    await scroller.evaluate((el) => el.scrollTo({ top: 0 }));
    // Once the older page is prepended the reader must still be where they were, not at the new top:
    // the scroll offset grows by the height of what was inserted above.
    await expect
      .poll(() => scroller.evaluate((el) => el.scrollTop), {
        message: `prepend after seq ${before}`,
      })
      .toBeGreaterThan(300);
    prepends += 1;
  }
  expect(prepends).toBe(2); // 120 messages: the first page of 50, then 50 and 20 more
  await scroller.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(beginning).toBeInViewport();
  await expect(page.getByText('History message 1', { exact: true })).toBeInViewport();

  // What is rendered (the virtualiser keeps only rows near the viewport) is in ascending seq order.
  const seqs = await page
    .locator('[data-testid="message"]')
    .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.seq)));
  expect(seqs.length).toBeGreaterThan(3);
  expect(seqs.length).toBeLessThan(MESSAGE_COUNT); // virtualised: not every row is in the DOM
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
});
