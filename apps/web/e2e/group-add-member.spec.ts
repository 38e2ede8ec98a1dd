import { expect, test } from '@playwright/test';
import { signUpWithContacts } from './fixtures';

test('after adding someone from the group info panel, the search says they are in the group, not "No people found"', async ({
  page,
  request,
}) => {
  const [, ben, cy] = await signUpWithContacts(page, request, 'ana', 'ben', 'cy');
  await page.getByRole('button', { name: 'New group' }).click();
  const dialog = page.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Group name').fill('Adders');
  await dialog.getByLabel('Search people').fill(ben.displayName);
  await dialog
    .getByTestId('person-result')
    .filter({ hasText: `@${ben.username}` })
    .click();
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('heading', { name: 'Adders' })).toBeVisible();

  await page.getByRole('button', { name: 'Group info' }).click();
  const panel = page.getByTestId('group-panel');
  await panel.getByRole('button', { name: 'Add people' }).click();
  await panel.getByLabel('Search people').fill(cy.displayName);
  await panel
    .getByTestId('person-result')
    .filter({ hasText: `@${cy.username}` })
    .click();
  await expect(page.getByTestId('member-count')).toHaveText('3 members');
  await expect(panel.getByTestId('people-search-note')).toHaveText(
    `${cy.displayName}: in the group.`,
  );
});
