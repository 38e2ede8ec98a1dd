import removeMarkdown from 'remove-markdown';

/**
 * Private-use characters that stand in for what remove-markdown would take as markup but messages show as typed,
 * while it runs: `<` (it deletes anything between `<` and `>` as an HTML tag; messages never render HTML, so a
 * `<b>` or "2 < 3 > 1" shows as typed) and a `#` that starts a line (headings are off in chat).
 */
const LESS_THAN = '\uE0FF';
const HASH = '\uE0FE';

/**
 * A message's Markdown as the plain text of a one-line preview (the conversation list, a reply's quote, a search
 * result, a notification): the markup of the chat subset removed (`**bold**` -> `bold`, `[text](url)` -> `text`,
 * quote and list markers, code fences), white space folded to single spaces; what chat shows as typed (HTML, a
 * line starting with `#`) stays. remove-markdown does the Markdown,
 * with GFM (strikethrough); underscores inside words (`@ada_lovelace`, `snake_case`) stay, as CommonMark reads them.
 * Characters it does not know, such as the search highlight markers, pass through.
 * @param markdown a message body or a snippet of one (a snippet cut mid-markup keeps the unmatched markers)
 */
export function plainText(markdown: string): string {
  const guarded = markdown.replaceAll('<', LESS_THAN).replace(/^([ \t]*)#/gm, `$1${HASH}`);
  const plain = fold(
    removeMarkdown(guarded, { gfm: true }).replaceAll(LESS_THAN, '<').replaceAll(HASH, '#'),
  );
  // What remove-markdown takes for markup that leaves nothing ("[note]: text" as a link definition, a line of
  // dashes as a rule) still shows in the message: then the preview shows the text as typed.
  return plain !== '' ? plain : fold(markdown);
}

function fold(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
