'use client';

import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import type { Root } from 'mdast';
import type { Processor } from 'unified';
import { useMemo } from 'react';
import { SKIP, visit } from 'unist-util-visit';
import { splitMentions } from '@/lib/mentions';

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
  // Only remarkMentions makes spans (raw HTML is off), for highlighted mentions.
  'span',
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

/**
 * remark plugin factory: wraps each `@name` of `names` (lower-case usernames, `all`) in a `<span class="mention">`
 * (an mdast node whose hast name is overridden), outside links and code. Only names the message mentions by id are
 * marked, so typing `@someone` who is not mentioned stays plain text.
 */
function remarkMentions(names: readonly string[]) {
  return () => (tree: Root) => {
    visit(tree, 'text', (node, index, parent) => {
      if (!parent || index === undefined || parent.type === 'link') return;
      const parts = splitMentions(node.value, names);
      if (!parts.some((p) => p.mention)) return;
      const nodes = parts.map((part) =>
        part.mention
          ? {
              type: 'strong' as const,
              data: { hName: 'span', hProperties: { className: ['mention'] } },
              children: [{ type: 'text' as const, value: part.text }],
            }
          : { type: 'text' as const, value: part.text },
      );
      parent.children.splice(index, 1, ...nodes);
      return [SKIP, index + nodes.length];
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
export default function MessageMarkdown({
  body,
  mentionNames,
}: {
  body: string;
  mentionNames?: readonly string[] | undefined;
}) {
  const key = mentionNames?.join(' ') ?? '';
  const plugins = useMemo(
    () => (key === '' ? remarkPlugins : [...remarkPlugins, remarkMentions(key.split(' '))]),
    [key],
  );
  return (
    <Markdown
      remarkPlugins={plugins}
      allowedElements={ALLOWED_ELEMENTS}
      unwrapDisallowed
      urlTransform={(url) => safeUrl(url) ?? ''}
      components={components}
    >
      {body}
    </Markdown>
  );
}
