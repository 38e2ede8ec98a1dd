import { expect, test } from '@playwright/test';
import { conversationItem, send, twoPeopleInConversation } from './fixtures';

/** Set E2E_SCREENSHOT_DIR to keep pictures of formatted messages (light desktop, dark phone; never asserted). */
const screenshotDir = process.env.E2E_SCREENSHOT_DIR;

test('message text renders the chat subset of Markdown for both people, links open safely, HTML stays text', async ({
  browser,
}) => {
  const [{ person: ada, page: adaPage }, { person: bob, page: bobPage }] =
    await twoPeopleInConversation(browser, 'ada', 'bob');

  await send(adaPage, '**bold** _italic_ ~~gone~~ `x = 1` see https://example.com/a_b?q=1');
  await send(adaPage, '```\nconst a = 1;\n  indented();\n```');
  await send(adaPage, '> quoted line\n\n- one\n- two');
  await send(
    adaPage,
    '<b>not bold</b> <img src=x onerror="window.__pwned=1"> [click](javascript:window.__pwned=2) ![pic](https://example.com/p.png)',
  );
  await send(adaPage, '# not a heading\nline two   with spaces');

  await conversationItem(bobPage, ada).click();
  for (const page of [adaPage, bobPage]) {
    const texts = page.getByTestId('message-text');
    await expect(texts).toHaveCount(5);

    const first = texts.nth(0);
    await expect(first.locator('strong')).toHaveText('bold');
    await expect(first.locator('em')).toHaveText('italic');
    await expect(first.locator('del')).toHaveText('gone');
    await expect(first.locator('code')).toHaveText('x = 1');
    const link = first.getByRole('link', { name: 'https://example.com/a_b?q=1' });
    await expect(link).toHaveAttribute('href', 'https://example.com/a_b?q=1');
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', /noopener/);
    await expect(link).toHaveAttribute('rel', /noreferrer/);

    await expect(texts.nth(1).locator('pre code')).toHaveText('const a = 1;\n  indented();\n');

    await expect(texts.nth(2).locator('blockquote')).toHaveText('quoted line');
    await expect(texts.nth(2).locator('ul > li')).toHaveText(['one', 'two']);

    // HTML is shown as typed, never parsed; a javascript: link is not a link; an image is a link, never fetched.
    const hostile = texts.nth(3);
    await expect(hostile).toContainText('<b>not bold</b>');
    await expect(hostile).toContainText('<img src=x onerror="window.__pwned=1">');
    await expect(hostile.locator('b, img, script')).toHaveCount(0);
    await expect(hostile.getByRole('link', { name: 'click' })).toHaveCount(0);
    await expect(hostile.getByRole('link', { name: 'pic' })).toHaveAttribute(
      'href',
      'https://example.com/p.png',
    );
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

    // Headings are off in chat; line breaks and runs of spaces stay as typed.
    const plain = texts.nth(4);
    await expect(plain.locator('h1')).toHaveCount(0);
    await expect(plain).toHaveText('# not a heading\nline two   with spaces');
  }

  // Previews are plain text: the reply's quote and the conversation list show no Markdown markers.
  const first = bobPage.getByTestId('message').nth(0);
  await first.hover();
  await first.getByRole('button', { name: 'Message actions' }).click();
  await bobPage.getByRole('menuitem', { name: 'Reply' }).click();
  await expect(bobPage.getByTestId('composer-reply')).toContainText('bold italic gone x = 1');
  await send(bobPage, 'Replying **plainly**');
  await expect(bobPage.getByTestId('reply-quote')).toContainText(
    'bold italic gone x = 1 see https://example.com/a_b?q=1',
  );
  await expect(conversationItem(adaPage, bob)).toContainText('Replying plainly');

  if (screenshotDir) {
    await bobPage.screenshot({ path: `${screenshotDir}/formatting-light.png` });
    await bobPage.emulateMedia({ colorScheme: 'dark' });
    await bobPage.setViewportSize({ width: 375, height: 740 });
    await bobPage.screenshot({ path: `${screenshotDir}/formatting-dark-375.png` });
  }
});
