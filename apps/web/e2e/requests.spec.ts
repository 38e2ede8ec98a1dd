import { expect, test, type Page } from '@playwright/test';
import { answerConfirm, makePerson, registerViaUi, send, startConversation } from './fixtures';

const screenshotDir = process.env.E2E_SCREENSHOT_DIR;

async function shot(page: Page, name: string): Promise<void> {
  if (screenshotDir)
    await page.screenshot({ path: `${screenshotDir}/${name}.png`, fullPage: true });
}

test('a stranger’s first message arrives as a request: accept, decline and block, by keyboard too', async ({
  browser,
}) => {
  const [ana, ben, cy] = [makePerson('ana'), makePerson('ben'), makePerson('cy')];
  const contexts = [
    await browser.newContext(),
    await browser.newContext({ viewport: { width: 375, height: 740 }, colorScheme: 'dark' }),
    await browser.newContext(),
  ];
  const [anaPage, benPage, cyPage] = [
    await contexts[0]!.newPage(),
    await contexts[1]!.newPage(),
    await contexts[2]!.newPage(),
  ] as const;
  await registerViaUi(anaPage, ana);
  await registerViaUi(benPage, ben);
  await registerViaUi(cyPage, cy);

  // Ana writes to Ben, whom she has never talked to: it is a request on Ben's side.
  await startConversation(anaPage, ben);
  await send(anaPage, 'Hello Ben, we met at the conference');
  const requests = benPage.getByTestId('request-list');
  const fromAna = requests.getByTestId('conversation-item').filter({ hasText: ana.displayName });
  await expect(fromAna).toContainText('Hello Ben');
  await shot(benPage, 'requests-list-375-dark');

  // Ben reads it; Ana sees no read tick and no "online" for Ben while it is a request.
  await fromAna.click();
  const bar = benPage.getByTestId('request-bar');
  await expect(bar).toContainText(`${ana.displayName} (@${ana.username}) wants to message you`);
  await shot(benPage, 'request-bar-375-dark');
  // (Ben's read receipt would be out within a second; give it time to prove it does not reach Ana.)
  await benPage.waitForTimeout(1500);
  await expect(anaPage.locator('[data-receipt="read"]')).toHaveCount(0);
  await expect(anaPage.getByTestId('presence-line')).not.toHaveText('online');

  // Accept by keyboard: the request becomes a normal conversation and presence flows.
  await bar.getByRole('button', { name: 'Accept' }).focus();
  await benPage.keyboard.press('Enter');
  await expect(bar).toHaveCount(0);
  await expect(anaPage.getByTestId('presence-line')).toHaveText('online');
  await expect(anaPage.getByTestId('message').locator('[data-receipt="read"]')).toHaveCount(1);
  await send(benPage, 'Hi Ana!');
  await expect(anaPage.getByTestId('message').filter({ hasText: 'Hi Ana!' })).toBeVisible();

  // Cy writes to Ben too; Ben declines: it leaves his list, Cy is not told.
  await startConversation(cyPage, ben);
  await send(cyPage, 'Buy cheap watches');
  await benPage.goto('/c');
  const fromCy = benPage
    .getByTestId('request-list')
    .getByTestId('conversation-item')
    .filter({ hasText: cy.displayName });
  await fromCy.click();
  // The pane of the declined conversation does not ask the API for it again on its way out (it would 404).
  const notFound: string[] = [];
  benPage.on('response', (response) => {
    if (response.status() === 404) notFound.push(response.url());
  });
  await benPage.getByTestId('request-bar').getByRole('button', { name: 'Decline' }).click();
  await expect(benPage).toHaveURL(/\/c$/);
  await expect(
    benPage.getByTestId('conversation-item').filter({ hasText: cy.displayName }),
  ).toHaveCount(0);
  // A refetch would be on its way by now; let its answer arrive before looking.
  await benPage.waitForLoadState('networkidle');
  expect(notFound).toEqual([]);

  // Cy writes again: a new request; this time Ben blocks.
  await send(cyPage, 'Still there?');
  await expect(fromCy).toBeVisible();
  await fromCy.click();
  await benPage.getByTestId('request-bar').getByRole('button', { name: 'Block' }).click();
  await answerConfirm(benPage, `Block ${cy.displayName}?`, 'Block');
  await expect(benPage).toHaveURL(/\/c$/);
  await expect(
    benPage.getByTestId('conversation-item').filter({ hasText: cy.displayName }),
  ).toHaveCount(0);

  // Cy can no longer send to Ben.
  await send(cyPage, 'Hello?');
  await expect(cyPage.getByText(/cannot be reached/i).first()).toBeVisible();

  // Ben's privacy settings list Cy; unblocking is one button.
  await benPage.getByTestId('privacy-button').click();
  const dialog = benPage.getByRole('dialog', { name: 'Privacy' });
  await expect(dialog.getByTestId('blocked-list')).toContainText(cy.displayName);
  await dialog.getByLabel('Nobody (and I do not see anyone’s)').check();
  await expect(dialog.getByRole('status')).toHaveText('Saved.');
  await dialog.getByLabel('Nobody (everyone has to invite me)').check();
  await expect(dialog.getByLabel('Nobody (everyone has to invite me)')).toBeChecked();
  await shot(benPage, 'privacy-dialog-375-dark');
  await dialog.getByRole('button', { name: `Unblock ${cy.displayName}` }).click();
  await expect(dialog.getByText('You have not blocked anyone.')).toBeVisible();
  await benPage.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // Block from a conversation's header (Ana, light theme, wide): the composer gives way to a banner.
  await anaPage.getByTestId('block-button').click();
  // Cancel first: nothing changes, and the focus is back on the button that asked.
  await answerConfirm(anaPage, `Block ${ben.displayName}?`, 'Cancel');
  await expect(anaPage.getByTestId('block-button')).toBeFocused();
  await expect(anaPage.getByLabel('Message', { exact: true })).toBeVisible();
  await anaPage.getByTestId('block-button').click();
  await answerConfirm(anaPage, `Block ${ben.displayName}?`, 'Block');
  await expect(anaPage.getByTestId('blocked-banner')).toContainText(
    `You blocked ${ben.displayName}`,
  );
  await shot(anaPage, 'blocked-banner-light');
  await anaPage.getByTestId('blocked-banner').getByRole('button', { name: 'Unblock' }).click();
  await expect(anaPage.getByLabel('Message', { exact: true })).toBeVisible();

  for (const context of contexts) await context.close();
});

test('a group add by a stranger is an invitation the person accepts', async ({ browser }) => {
  const [ana, ben] = [makePerson('ana'), makePerson('ben')];
  const contexts = [await browser.newContext(), await browser.newContext()];
  const [anaPage, benPage] = [await contexts[0]!.newPage(), await contexts[1]!.newPage()] as const;
  await registerViaUi(anaPage, ana);
  await registerViaUi(benPage, ben);

  await anaPage.getByRole('button', { name: 'New group' }).click();
  const newGroup = anaPage.getByRole('dialog', { name: 'New group' });
  await newGroup.getByLabel('Group name').fill('Book club');
  await newGroup.getByLabel('Search people').fill(ben.displayName);
  await newGroup
    .getByTestId('person-result')
    .filter({ hasText: `@${ben.username}` })
    .click();
  await newGroup.getByRole('button', { name: 'Create group' }).click();
  await expect(anaPage.getByRole('heading', { name: 'Book club' })).toBeVisible();
  await anaPage.getByRole('button', { name: 'Group info' }).click();
  await expect(anaPage.getByText('Invited')).toBeVisible();

  const invitation = benPage
    .getByTestId('request-list')
    .getByTestId('conversation-item')
    .filter({ hasText: 'Book club' });
  await invitation.click();
  const bar = benPage.getByTestId('request-bar');
  await expect(bar).toContainText('You were invited to this group.');
  await shot(benPage, 'group-invitation-light');
  await bar.getByRole('button', { name: 'Accept' }).click();
  await expect(bar).toHaveCount(0);
  await expect(anaPage.getByText('Invited')).toHaveCount(0);

  for (const context of contexts) await context.close();
});
