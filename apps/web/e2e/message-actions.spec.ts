import { expect, test, type Page } from '@playwright/test';
import type { ConversationSummary, MessagePage } from '@chat/shared';
import { expectAccessible } from './axe';
import { API_URL } from './env';
import {
  controlSocketLink,
  conversationItem,
  openConversationId,
  pickEmoji,
  send,
  signUpWithContacts,
  startConversation,
  twoPeopleInConversation,
} from './fixtures';

/** The message whose own text (not a quote of it) is exactly `text`. */
function bubble(page: Page, text: string) {
  return page
    .getByTestId('message')
    .filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) });
}

/** Opens a message's action menu with the hover button, as a mouse user does. */
async function openMenu(page: Page, text: string) {
  const message = bubble(page, text);
  await message.hover();
  await message.getByRole('button', { name: 'Message actions' }).click();
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await expect(menu).toBeVisible();
  return menu;
}

/** How many message actions wait in the page's IndexedDB queue. */
function queuedActions(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('chat-actions');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('entries')) {
            db.close();
            resolve(0);
            return;
          }
          const count = db.transaction('entries').objectStore('entries').count();
          count.onsuccess = () => {
            resolve(count.result);
            db.close();
          };
          count.onerror = () => reject(count.error);
        };
      }),
  );
}

test('two people reply, react, edit and delete, and each sees the other’s changes live', async ({
  browser,
}) => {
  const [
    { person: ana, context: anaContext, page: anaPage },
    { person: ben, context: benContext, page: benPage },
  ] = await twoPeopleInConversation(browser, 'ana', 'ben');
  await send(anaPage, 'Lunch at noon?');
  await conversationItem(benPage, ana).click();
  await expect(bubble(benPage, 'Lunch at noon?')).toBeVisible();

  // Ben replies: the quote sits above his composer, then in his message on both sides.
  await (
    await openMenu(benPage, 'Lunch at noon?')
  )
    .getByRole('menuitem', { name: 'Reply' })
    .click();
  await expect(benPage.getByTestId('composer-reply')).toContainText(
    `Replying to ${ana.displayName}`,
  );
  await expect(benPage.getByLabel('Message', { exact: true })).toBeFocused();
  await send(benPage, 'Yes, see you there');
  await expect(benPage.getByTestId('composer-reply')).toHaveCount(0);
  for (const page of [anaPage, benPage])
    await expect(bubble(page, 'Yes, see you there').getByTestId('reply-quote')).toContainText(
      'Lunch at noon?',
    );

  // A menu left open closes when the focus moves elsewhere without a pointer (Ctrl+K opens search over it).
  await openMenu(anaPage, 'Yes, see you there');
  await anaPage.keyboard.press('Control+k');
  await expect(anaPage.getByRole('dialog', { name: /search/i })).toBeVisible();
  await expect(anaPage.getByRole('menu', { name: 'Message actions' })).toHaveCount(0);
  await anaPage.keyboard.press('Escape');
  await expect(anaPage.getByRole('dialog', { name: /search/i })).toHaveCount(0);

  // Ana reacts from the keyboard: focus the message, Shift+F10, the first quick reaction.
  await bubble(anaPage, 'Yes, see you there').focus();
  await anaPage.keyboard.press('Shift+F10');
  const quick = anaPage.getByRole('menuitemcheckbox', { name: 'React with 👍' });
  await expect(quick).toBeFocused();
  await anaPage.keyboard.press('Enter');
  await expect(anaPage.getByRole('menu')).toHaveCount(0);
  await expect(bubble(anaPage, 'Yes, see you there')).toBeFocused();
  const benChip = bubble(benPage, 'Yes, see you there').getByTestId('reaction-chip');
  await expect(benChip).toHaveText('👍1');
  await expect(benChip).toHaveAttribute('aria-pressed', 'false');
  await expect(benChip).toHaveAttribute('title', `${ana.displayName} reacted with 👍`);
  // Ben adds his: a click on the chip toggles his reaction.
  await benChip.click();
  await expect(benChip).toHaveAttribute('aria-pressed', 'true');
  const anaChip = bubble(anaPage, 'Yes, see you there').getByTestId('reaction-chip');
  await expect(anaChip).toHaveText('👍2');
  await expect(anaChip).toHaveAttribute('title', `You and ${ben.displayName} reacted with 👍`);

  // Ana edits her question with Up arrow in the empty composer; Enter saves.
  const anaComposer = anaPage.getByLabel('Message', { exact: true });
  await anaComposer.focus();
  await anaComposer.press('ArrowUp');
  const editor = anaPage.getByLabel('Edit message');
  await expect(editor).toBeFocused();
  await expect(editor).toHaveValue('Lunch at noon?');
  await editor.fill('Lunch at 1 pm?');
  await editor.press('Enter');
  await expect(anaComposer).toBeFocused();
  for (const page of [anaPage, benPage]) {
    await expect(bubble(page, 'Lunch at 1 pm?').getByTestId('edited')).toHaveAttribute(
      'title',
      /^Edited /,
    );
    // The reply's quote follows the edited original.
    await expect(bubble(page, 'Yes, see you there').getByTestId('reply-quote')).toContainText(
      'Lunch at 1 pm?',
    );
  }

  // The quote leads back to the original, which is highlighted and focused.
  await bubble(benPage, 'Yes, see you there').getByTestId('reply-quote').click();
  await expect(bubble(benPage, 'Lunch at 1 pm?')).toBeFocused();
  await expect(bubble(benPage, 'Lunch at 1 pm?')).toHaveClass(/highlighted/);

  // Ben deletes his reply, after confirming once; everyone sees the tombstone.
  await (
    await openMenu(benPage, 'Yes, see you there')
  )
    .getByRole('menuitem', { name: 'Delete' })
    .click();
  const confirm = benPage.getByRole('alertdialog', { name: 'Delete message?' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  for (const page of [anaPage, benPage]) {
    await expect(page.getByTestId('tombstone')).toHaveText(['This message was deleted']);
    await expect(page.getByText('Yes, see you there')).toHaveCount(0);
  }
  // The conversation list's preview follows: the last message is the tombstone now.
  await expect(conversationItem(anaPage, ben)).not.toContainText('see you there');

  // Any emoji through the full picker (bundled with the app, loaded when first opened).
  await (
    await openMenu(benPage, 'Lunch at 1 pm?')
  )
    .getByRole('menuitem', { name: 'More reactions' })
    .click();
  await pickEmoji(benPage, 'rocket');
  await expect(bubble(anaPage, 'Lunch at 1 pm?').getByTestId('reaction-chip')).toHaveText(['🚀1']);

  // Report: someone else's message goes to the instance administrators with a reason (own messages offer no Report).
  await (
    await openMenu(anaPage, 'Lunch at 1 pm?')
  )
    .getByRole('menuitem', { name: 'Edit' })
    .waitFor();
  await expect(anaPage.getByRole('menuitem', { name: 'Report' })).toHaveCount(0);
  await anaPage.keyboard.press('Escape');
  await (
    await openMenu(benPage, 'Lunch at 1 pm?')
  )
    .getByRole('menuitem', { name: 'Report' })
    .click();
  const report = benPage.getByTestId('report-dialog');
  await report.getByLabel('Reason').fill('Spam about lunch');
  await report.getByRole('button', { name: 'Send report' }).click();
  await report.getByRole('button', { name: 'Close' }).click();
  await expect(report).toHaveCount(0);

  // Forward: a copy marked "Forwarded", here into the same conversation (any of one's conversations may be chosen).
  await (
    await openMenu(anaPage, 'Lunch at 1 pm?')
  )
    .getByRole('menuitem', { name: 'Forward' })
    .click();
  const forward = anaPage.getByRole('dialog', { name: 'Forward message' });
  await forward.getByLabel('Search conversations').fill(ben.displayName);
  await forward.getByRole('button', { name: ben.displayName }).click();
  await expect(forward).toHaveCount(0);
  for (const page of [anaPage, benPage]) {
    await expect(bubble(page, 'Lunch at 1 pm?')).toHaveCount(2);
    await expect(bubble(page, 'Lunch at 1 pm?').last().getByTestId('forwarded')).toHaveText(
      'Forwarded',
    );
  }

  await anaContext.close();
  await benContext.close();
});

test('offline, one person reacts and edits; back online both sides agree, also after a reload', async ({
  browser,
}) => {
  const [
    { person: ana, context: anaContext, page: anaPage },
    { context: benContext, page: benPage },
  ] = await twoPeopleInConversation(browser, 'ana', 'ben');
  await send(anaPage, 'Draft plan');
  await conversationItem(benPage, ana).click();
  await send(benPage, 'Looks good');
  await expect(bubble(anaPage, 'Looks good')).toBeVisible();

  await anaContext.setOffline(true);
  await expect(anaPage.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();
  // Shown at once while offline (optimistic), queued in order.
  await (
    await openMenu(anaPage, 'Looks good')
  )
    .getByRole('menuitemcheckbox', { name: 'React with ❤️' })
    .click();
  await (await openMenu(anaPage, 'Draft plan')).getByRole('menuitem', { name: 'Edit' }).click();
  const editor = anaPage.getByLabel('Edit message');
  await editor.fill('Final plan');
  await editor.press('Enter');
  await expect(bubble(anaPage, 'Final plan')).toBeVisible();
  await expect(bubble(anaPage, 'Looks good').getByTestId('reaction-chip')).toHaveText('❤️1');
  expect(await queuedActions(anaPage)).toBe(2);
  await expect(bubble(benPage, 'Draft plan')).toBeVisible();
  await expect(bubble(benPage, 'Looks good').getByTestId('reaction-chip')).toHaveCount(0);

  await anaContext.setOffline(false);
  for (const page of [benPage, anaPage]) {
    await expect(bubble(page, 'Final plan').getByTestId('edited')).toBeVisible();
    await expect(bubble(page, 'Looks good').getByTestId('reaction-chip')).toHaveText('❤️1');
    await expect(page.getByText('Draft plan', { exact: true })).toHaveCount(0);
  }
  await expect.poll(() => queuedActions(anaPage)).toBe(0);

  // What each sees comes from the server after a reload too.
  for (const page of [anaPage, benPage]) {
    await page.reload();
    await expect(bubble(page, 'Final plan').getByTestId('edited')).toBeVisible();
    await expect(bubble(page, 'Looks good').getByTestId('reaction-chip')).toHaveText('❤️1');
  }
  await anaContext.close();
  await benContext.close();
});

test('an edit pending when the page reloads is applied once when the link returns', async ({
  page,
  request,
}) => {
  const [, ben] = await signUpWithContacts(page, request, 'ana', 'ben');
  await startConversation(page, ben);
  await send(page, 'Meet at 5');
  await expect(bubble(page, 'Meet at 5')).toHaveAttribute('data-receipt', /sent|delivered|read/);
  const conversationId = openConversationId(page);
  const asBen = { Authorization: `Bearer ${ben.auth.accessToken}` };
  const summary = async (): Promise<ConversationSummary> =>
    (await (
      await request.get(`${API_URL}/api/conversations/${conversationId}`, { headers: asBen })
    ).json()) as ConversationSummary;
  const changesBefore = (await summary()).changeSeq;

  // The real-time link goes down (page loads and REST still work); the edit waits in the queue.
  const link = await controlSocketLink(page);
  await page.reload();
  await expect(bubble(page, 'Meet at 5')).toBeVisible();
  await link.cut();
  await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();
  await (await openMenu(page, 'Meet at 5')).getByRole('menuitem', { name: 'Edit' }).click();
  await page.getByLabel('Edit message').fill('Meet at 6');
  await page.getByLabel('Edit message').press('Enter');
  await expect(bubble(page, 'Meet at 6')).toBeVisible();
  expect(await queuedActions(page)).toBe(1);

  // Reloaded with the link still down: the queued edit is shown from IndexedDB.
  await page.reload();
  await expect(bubble(page, 'Meet at 6')).toBeVisible();
  expect((await summary()).changeSeq).toBe(changesBefore);

  link.restore();
  await expect.poll(() => queuedActions(page)).toBe(0);
  await expect.poll(async () => (await summary()).changeSeq).toBeGreaterThan(changesBefore);
  const history = (await (
    await request.get(`${API_URL}/api/conversations/${conversationId}/messages`, {
      headers: asBen,
    })
  ).json()) as MessagePage;
  expect(history.items.map((m) => [m.body, m.editedAt !== null])).toEqual([['Meet at 6', true]]);
  // Applied once: one change, the edit itself (its changeSeq is the conversation's), and none after it.
  const applied = (await summary()).changeSeq;
  expect(history.items[0]!.changeSeq).toBe(applied);
  await page.reload();
  await expect(bubble(page, 'Meet at 6').getByTestId('edited')).toBeVisible();
  await page.waitForTimeout(1_000);
  expect((await summary()).changeSeq).toBe(applied);
  expect(await queuedActions(page)).toBe(0);
});

test('message actions at desktop width and 375 px, light and dark, pass the axe check', async ({
  browser,
}) => {
  // Six states, two widths, two colour schemes each: axe needs more than the default minute.
  test.setTimeout(300_000);
  const [
    { person: ana, context: anaContext, page: anaPage },
    { context: benContext, page: benPage },
  ] = await twoPeopleInConversation(browser, 'ana', 'ben');
  await send(anaPage, 'Shall we ship the release on Friday afternoon?');
  await conversationItem(benPage, ana).click();
  await (
    await openMenu(benPage, 'Shall we ship the release on Friday afternoon?')
  )
    .getByRole('menuitem', { name: 'Reply' })
    .click();
  await send(benPage, 'Friday works, after the last review');
  await send(benPage, 'Typo here, ignore');
  await send(benPage, 'One more thing to check');
  await (
    await openMenu(anaPage, 'Friday works, after the last review')
  )
    .getByRole('menuitemcheckbox', { name: 'React with 😂' })
    .click();
  await (
    await openMenu(anaPage, 'Friday works, after the last review')
  )
    .getByRole('menuitemcheckbox', { name: 'React with 👍' })
    .click();
  await (
    await openMenu(benPage, 'Friday works, after the last review')
  )
    .getByRole('menuitemcheckbox', { name: 'React with 👍' })
    .click();
  await (
    await openMenu(benPage, 'Typo here, ignore')
  )
    .getByRole('menuitem', { name: 'Delete' })
    .click();
  await benPage.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await (
    await openMenu(anaPage, 'Shall we ship the release on Friday afternoon?')
  )
    .getByRole('menuitem', { name: 'Edit' })
    .click();
  await anaPage.getByLabel('Edit message').fill('Shall we ship the release on Friday morning?');
  await anaPage.getByLabel('Edit message').press('Enter');
  await expect(bubble(benPage, 'Shall we ship the release on Friday morning?')).toBeVisible();
  await expect(benPage.getByTestId('tombstone')).toHaveCount(1);
  await expect(
    bubble(benPage, 'Friday works, after the last review').getByTestId('reaction-chip'),
  ).toHaveText(['😂1', '👍2']);

  for (const [width, label] of [
    [1280, 'desktop'],
    [375, 'narrow'],
  ] as const) {
    await benPage.setViewportSize({ width, height: 760 });
    if (width === 375)
      await expect(benPage.getByRole('heading', { name: ana.displayName })).toBeVisible();
    await expectAccessible(benPage, `actions-thread-${label}`);
    const menu = await openMenu(benPage, 'One more thing to check');
    await expectAccessible(benPage, `actions-menu-${label}`);
    await menu.getByRole('menuitem', { name: 'Reply' }).click();
    await expect(benPage.getByTestId('composer-reply')).toBeVisible();
    await expectAccessible(benPage, `actions-reply-${label}`);
    await benPage.getByLabel('Message', { exact: true }).press('Escape');
    await expect(benPage.getByTestId('composer-reply')).toHaveCount(0);
    await (
      await openMenu(benPage, 'One more thing to check')
    )
      .getByRole('menuitem', { name: 'Edit' })
      .click();
    await expectAccessible(benPage, `actions-edit-${label}`);
    await benPage.getByLabel('Edit message').press('Escape');
    await (
      await openMenu(benPage, 'One more thing to check')
    )
      .getByRole('menuitem', { name: 'Delete' })
      .click();
    await expectAccessible(benPage, `actions-delete-${label}`);
    await benPage.keyboard.press('Escape');
    await expect(bubble(benPage, 'One more thing to check')).toBeFocused();
    await (
      await openMenu(benPage, 'One more thing to check')
    )
      .getByRole('menuitem', { name: 'Forward' })
      .click();
    const forward = benPage.getByRole('dialog', { name: 'Forward message' });
    await expect(forward.getByLabel('Search conversations')).toBeFocused();
    await forward.getByLabel('Search conversations').fill(ana.displayName.split(' ')[0]!);
    await expectAccessible(benPage, `actions-forward-${label}`);
    await benPage.keyboard.press('Escape');
    await expect(forward).toHaveCount(0);
    await expect(bubble(benPage, 'One more thing to check')).toBeFocused();
  }
  await anaContext.close();
  await benContext.close();
});
