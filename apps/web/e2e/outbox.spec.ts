import { expect, test, type Page } from '@playwright/test';
import type { AuthResponse, SendMessageBody } from '@chat/shared';
import { API_URL } from './env';
import {
  answerConfirm,
  makePerson,
  registerViaApi,
  startConversation,
  type Person,
} from './fixtures';

/** The outbox entries in the page's IndexedDB (idb-keyval store `chat-outbox` / `entries`), as plain objects. */
async function outboxEntries(
  page: Page,
): Promise<Array<{ clientMessageId: string; userId: string; status: string }>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('chat-outbox');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction('entries', 'readonly').objectStore('entries').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            db.close();
            resolve(
              all.result as Array<{ clientMessageId: string; userId: string; status: string }>,
            );
          };
        };
      }),
  );
}

/** Writes one raw entry into the page's outbox, as the app would have left it. */
async function putOutboxEntry(page: Page, entry: Record<string, unknown>): Promise<void> {
  await page.evaluate(
    (value) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('chat-outbox');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('entries', 'readwrite');
          tx.objectStore('entries').put(value, value.clientMessageId as string);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    entry,
  );
}

/** Signs in through the login form and waits for the chat screen. */
async function signIn(page: Page, person: Person): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'New chat' })).toBeVisible();
}

test('a failed outbox entry the server did store leaves IndexedDB when the history shows it', async ({
  page,
  request,
}) => {
  const gus = makePerson('gus');
  const hana = makePerson('hana');
  await registerViaApi(request, hana);
  const gusAuth: AuthResponse = await registerViaApi(request, gus);
  await signIn(page, gus);
  await startConversation(page, hana);
  const conversationId = page.url().split('/c/')[1] ?? '';

  // The state a lost ack leaves behind: the server stored the message, the outbox still holds it as failed.
  const clientMessageId = crypto.randomUUID();
  const body = 'Stored, but the ack was lost';
  await putOutboxEntry(page, {
    clientMessageId,
    userId: gusAuth.user.id,
    conversationId,
    body,
    createdAt: new Date().toISOString(),
    status: 'failed',
    error: 'The server did not confirm in time.',
  });
  const stored = await request.post(`${API_URL}/api/conversations/${conversationId}/messages`, {
    headers: { Authorization: `Bearer ${gusAuth.accessToken}` },
    data: { clientMessageId, body } satisfies SendMessageBody,
  });
  expect(stored.ok(), await stored.text()).toBe(true);

  await page.reload();
  const bubble = page.getByTestId('message').filter({ hasText: body });
  await expect(bubble).toHaveCount(1);
  await expect(bubble).toHaveAttribute('data-status', 'sent');
  await expect
    .poll(async () => (await outboxEntries(page)).map((e) => e.clientMessageId))
    .not.toContain(clientMessageId);
});

test('with IndexedDB refusing writes, a message is still sent, and one written offline is sent on reconnect', async ({
  page,
  request,
}) => {
  const ivo = makePerson('ivo');
  const jun = makePerson('jun');
  await registerViaApi(request, jun);
  // As a full disk or a strict private mode would: every IndexedDB write fails.
  await page.addInitScript(() => {
    IDBObjectStore.prototype.put = function put(): IDBRequest<IDBValidKey> {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await registerViaApi(request, ivo);
  await signIn(page, ivo);
  await startConversation(page, jun);

  const bubble = (text: string) =>
    page.getByTestId('message').filter({ has: page.getByText(text, { exact: true }) });
  await page.getByLabel('Message', { exact: true }).fill('Sent from memory');
  await page.getByLabel('Message', { exact: true }).press('Enter');
  await expect(bubble('Sent from memory')).toHaveAttribute('data-status', 'sent');

  await page.context().setOffline(true);
  await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();
  await page.getByLabel('Message', { exact: true }).fill('Written offline, kept in memory');
  await page.getByLabel('Message', { exact: true }).press('Enter');
  await expect(bubble('Written offline, kept in memory')).toHaveAttribute('data-status', 'pending');
  await page.context().setOffline(false);
  await expect(bubble('Written offline, kept in memory')).toHaveAttribute('data-status', 'sent', {
    timeout: 20_000,
  });
  await expect(page.getByText('Written offline, kept in memory', { exact: true })).toHaveCount(1);
});

test('signing out with unsent messages asks first, and deletes only that person’s outbox from this browser', async ({
  page,
  request,
}) => {
  const kim = makePerson('kim');
  const lee = makePerson('lee');
  await registerViaApi(request, lee);
  const kimAuth = await registerViaApi(request, kim);
  await signIn(page, kim);
  await startConversation(page, lee);
  const conversationId = page.url().split('/c/')[1] ?? '';
  const entry = (userId: string) => ({
    clientMessageId: crypto.randomUUID(),
    userId,
    conversationId,
    body: 'Not sent yet',
    createdAt: new Date().toISOString(),
    status: 'failed',
    error: 'The server did not confirm in time.',
  });
  await putOutboxEntry(page, entry(kimAuth.user.id));
  await putOutboxEntry(page, entry('someone-else'));

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('alertdialog', { name: 'Sign out?' })).toContainText(
    '1 message has not been sent yet. Signing out discards it.',
  );
  await answerConfirm(page, 'Sign out?', 'Cancel');
  await expect(page.getByRole('button', { name: 'New chat' })).toBeVisible();
  expect((await outboxEntries(page)).filter((e) => e.userId === kimAuth.user.id)).toHaveLength(1);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await answerConfirm(page, 'Sign out?', 'Sign out and discard');
  await expect(page).toHaveURL(/\/login$/);
  await expect
    .poll(async () => (await outboxEntries(page)).map((e) => e.userId))
    .toEqual(['someone-else']);
});
