'use client';

import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import type { Root } from 'mdast';
import type { Processor } from 'unified';
import { visit } from 'unist-util-visit';

/**
 * The elements a message may render: the chat subset of Markdown (bold, italic, strikethrough, inline code, code
 * blocks, quotes, lists, links, line breaks). Anything else the parser still makes (GFM tables, task-list
 * checkboxes) is unwrapped to its text.
 */
const ALLOWED_ELEMENTS = [
  'p',
  'br',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
];

/** Link schemes a message may carry; everything else (javascript:, data:, vbscript:, file:, ...) is dropped. */
const SAFE_LINK = /^(https?:|mailto:)/i;

/**
 * Keeps a link only when its URL is absolute http(s) or mailto. Relative URLs are refused too: they would resolve
 * against the app's own origin and could point at its routes.
 */
export function safeUrl(url: string): string | null {
  const trimmed = url.trim();
  return SAFE_LINK.test(trimmed) ? trimmed : null;
}

/**
 * remark plugin: turns off the Markdown constructs a chat message does not use, so what they would eat stays text
 * as typed: ATX and setext headings (`# hi`, `hi` over `---`), thematic breaks (`---`), and HTML (`<b>`, `<script>`,
 * `<img onerror>`). The mechanism is micromark's `disable.null` extension field, as remark's docs give it.
 */
function remarkChatConstructs(this: Processor) {
  // remark-parse declares this field on unified's Data; its types are not a direct dependency here.
  const data = this.data() as { micromarkExtensions?: unknown[] };
  data.micromarkExtensions = [
    ...(data.micromarkExtensions ?? []),
    {
      disable: {
        null: ['headingAtx', 'setextUnderline', 'thematicBreak', 'htmlFlow', 'htmlText'],
      },
    },
  ];
}

/**
 * remark plugin, a second line of defence: what the author typed as HTML (`<b>`, `<script>`, `<img onerror>`) stays visible as the text they
 * typed (react-markdown would otherwise drop it silently), and an image (`![alt](url)`) becomes a link to its URL,
 * never an <img> that fetches from a stranger's server (that would leak the reader's IP address and read state).
 */
function remarkChatSubset() {
  return (tree: Root) => {
    visit(tree, (node, index, parent) => {
      if (!parent || index === undefined) return;
      if (node.type === 'html') {
        parent.children[index] = { type: 'text', value: node.value };
      } else if (node.type === 'image') {
        const label = node.alt || node.url;
        parent.children[index] = {
          type: 'link',
          url: node.url,
          children: [{ type: 'text', value: label }],
        };
      }
    });
  };
}

const components: Components = {
  a({ href, children }) {
    const url = href ? safeUrl(href) : null;
    if (!url) return <>{children}</>;
    return (
      <a href={url} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    );
  },
};

const remarkPlugins = [remarkChatConstructs, remarkGfm, remarkChatSubset];

/**
 * The chat subset of Markdown rendered as React elements (GFM autolinks, so a bare URL is a link), links opening in a
 * new tab without a referrer, no raw HTML and no remote images. react-markdown never sets innerHTML, so a body cannot
 * inject markup. Loaded lazily by `MessageText` for the bodies that need it.
 */
export default function MessageMarkdown({ body }: { body: string }) {
  return (
    <Markdown
      remarkPlugins={remarkPlugins}
      allowedElements={ALLOWED_ELEMENTS}
      unwrapDisallowed
      urlTransform={(url) => safeUrl(url) ?? ''}
      components={components}
    >
      {body}
    </Markdown>
  );
}
