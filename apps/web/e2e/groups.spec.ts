import { expect, test, type Page } from '@playwright/test';
import { makePerson, registerViaUi, send, type Person } from './fixtures';

/** In the open "New group" dialog (or the info panel's "Add people"), finds `person` and picks them. */
async function pick(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Search people').fill(person.displayName);
  await page
    .getByTestId('person-result')
    .filter({ hasText: `@${person.username}` })
    .click();
}

/** A message bubble with this text. */
const bubble = (page: Page, text: string) => page.getByTestId('message').filter({ hasText: text });

test('three people chat in a group; the admin renames it and removes one, who then sees it as left', async ({
  browser,
}) => {
  const ana = makePerson('ana');
  const ben = makePerson('ben');
  const cy = makePerson('cy');
  const contexts = await Promise.all([
    browser.newContext(),
    browser.newContext(),
    browser.newContext(),
  ]);
  const [anaPage, benPage, cyPage] = await Promise.all(contexts.map((c) => c.newPage()));
  if (!anaPage || !benPage || !cyPage) throw new Error('no pages');
  await registerViaUi(anaPage, ana);
  await registerViaUi(benPage, ben);
  await registerViaUi(cyPage, cy);

  // Ana creates the group with Ben and Cy: chips can be removed before creating.
  await anaPage.getByRole('button', { name: 'New group' }).click();
  const dialog = anaPage.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Group name').fill('Weekend trip');
  await pick(anaPage, ben);
  await pick(anaPage, cy);
  await expect(dialog.getByTestId('chip')).toHaveCount(2);
  await dialog.getByRole('button', { name: `Remove ${cy.displayName}` }).click();
  await expect(dialog.getByTestId('chip')).toHaveCount(1);
  await pick(anaPage, cy);
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(anaPage).toHaveURL(/\/c\/[^/]+$/);
  const groupUrl = anaPage.url();
  await expect(anaPage.getByRole('heading', { name: 'Weekend trip' })).toBeVisible();
  await expect(anaPage.getByTestId('member-count')).toHaveText('3 members');
  await expect(anaPage.getByTestId('system-message')).toHaveText([
    'You created the group “Weekend trip”',
  ]);

  // Ben and Cy see the group appear without reloading, and open it.
  for (const page of [benPage, cyPage]) {
    const item = page.getByTestId('conversation-item').filter({ hasText: 'Weekend trip' });
    await expect(item).toContainText(`${ana.displayName} created the group`);
    await item.click();
    await expect(page).toHaveURL(groupUrl);
    await expect(page.getByTestId('system-message')).toHaveText([
      `${ana.displayName} created the group “Weekend trip”`,
    ]);
  }

  // Everyone writes; others' messages carry the sender's name, once per run of consecutive messages.
  await send(anaPage, 'Hi both!');
  await send(anaPage, 'Saturday?');
  // Each waits to see the previous message, so the order of the conversation is known.
  await expect(bubble(benPage, 'Saturday?')).toBeVisible();
  await send(benPage, 'Saturday works for me.');
  await expect(bubble(cyPage, 'Saturday works for me.')).toBeVisible();
  await send(cyPage, 'Me too.');
  for (const page of [anaPage, benPage, cyPage]) {
    await expect(page.getByTestId('message').locator('.bubble-body')).toHaveText([
      'Hi both!',
      'Saturday?',
      'Saturday works for me.',
      'Me too.',
    ]);
  }
  await expect(bubble(benPage, 'Hi both!').getByTestId('message-sender')).toHaveText(
    ana.displayName,
  );
  await expect(bubble(benPage, 'Saturday?').getByTestId('message-sender')).toHaveCount(0);
  await expect(bubble(anaPage, 'Me too.').getByTestId('message-sender')).toHaveText(cy.displayName);
  await expect(bubble(anaPage, 'Hi both!').getByTestId('message-sender')).toHaveCount(0);

  // Ana renames the group from the info panel; everyone sees it live.
  await anaPage.getByRole('button', { name: 'Group info' }).click();
  const panel = anaPage.getByTestId('group-panel');
  await expect(panel.getByTestId('member')).toHaveCount(3);
  await expect(panel.getByTestId('member').filter({ hasText: ana.displayName })).toContainText(
    'Admin',
  );
  await panel.getByRole('button', { name: 'Rename' }).click();
  await panel.getByLabel('Group name').fill('Trip 2026');
  await panel.getByRole('button', { name: 'Save' }).click();
  for (const page of [anaPage, benPage, cyPage]) {
    await expect(page.getByRole('heading', { name: 'Trip 2026' })).toBeVisible();
    await expect(page.getByTestId('system-message').last()).toContainText(
      'renamed the group to “Trip 2026”',
    );
  }

  // Ana removes Cy, after confirming.
  await panel.getByRole('button', { name: `Remove ${cy.displayName}`, exact: true }).click();
  await anaPage.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
  await expect(panel.getByTestId('member')).toHaveCount(2);
  await expect(anaPage.getByTestId('member-count')).toHaveText('2 members');

  // Cy sees the group as left: a read-only banner instead of the composer, the history up to the removal.
  await expect(cyPage.getByTestId('left-banner')).toBeVisible();
  await expect(cyPage.getByLabel('Message', { exact: true })).toHaveCount(0);
  await expect(cyPage.getByTestId('member-count')).toHaveText('You left this group');

  // A message after the removal reaches Ben but never Cy, live or after a reload.
  await send(benPage, 'Just the two of us now.');
  await expect(bubble(anaPage, 'Just the two of us now.')).toBeVisible();
  await expect(
    benPage.getByTestId('system-message').filter({ hasText: `removed ${cy.displayName}` }),
  ).toBeVisible();
  await expect(bubble(cyPage, 'Just the two of us now.')).toHaveCount(0);
  await cyPage.reload();
  await expect(cyPage.getByTestId('left-banner')).toBeVisible();
  await expect(cyPage.getByTestId('message').locator('.bubble-body')).toHaveText([
    'Hi both!',
    'Saturday?',
    'Saturday works for me.',
    'Me too.',
  ]);
  await expect(
    cyPage.getByTestId('conversation-item').filter({ hasText: 'Trip 2026' }),
  ).toBeVisible();

  await Promise.all(contexts.map((c) => c.close()));
});
