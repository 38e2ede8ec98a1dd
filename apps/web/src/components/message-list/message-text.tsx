'use client';

import { lazy, memo, Suspense } from 'react';

/** The Markdown renderer (react-markdown, remark-gfm, micromark): fetched the first time a body needs it. */
const MessageMarkdown = lazy(() => import('./message-markdown'));

/**
 * Characters and shapes that may make Markdown render a body differently from its plain text: emphasis, code, links
 * and autolinks (`:` of a scheme, `@` of an e-mail, `www.`), quotes, lists, escapes, entities, HTML, and the block
 * structure of blank lines and indented lines (paragraphs, indented code).
 */
const MARKDOWN_SYNTAX = /[\\`*_~[\]<>&!#|@:+=-]|www\.|^\s*\d+[.)]|^[ \t]|\n[ \t]*\n/im;

/**
 * Whether `body` renders the same as Markdown and as plain text in a paragraph (most chat messages: words,
 * punctuation, emoji, single line breaks). Conservative: a body it cannot vouch for goes to the Markdown renderer.
 */
export function isPlainText(body: string): boolean {
  return !MARKDOWN_SYNTAX.test(body);
}

/**
 * A message's body as formatted text: the chat subset of Markdown (bold, italic, strikethrough, code, quotes, lists,
 * links; see `message-markdown.tsx`), line breaks and spaces as typed (the stylesheet keeps them with
 * `white-space: pre-wrap`). A body without Markdown syntax is rendered directly as the one paragraph Markdown would
 * make of it; the others through the Markdown renderer, which is loaded on first need (its ~30 kB stay out of the
 * chat page's first load) and shows the plain text until then. Text only ever becomes React text nodes.
 * Memoised: a conversation re-renders often and a body rarely changes.
 */
export const MessageText = memo(function MessageText({
  body,
  mentionNames,
}: {
  body: string;
  /** Lower-case usernames (and `all`) this message mentions: their `@name` is highlighted. */
  mentionNames?: readonly string[] | undefined;
}) {
  const plain = <p>{body}</p>;
  return (
    <div className="bubble-body" data-testid="message-text">
      {isPlainText(body) ? (
        plain
      ) : (
        <Suspense fallback={plain}>
          <MessageMarkdown body={body} mentionNames={mentionNames} />
        </Suspense>
      )}
    </div>
  );
});
