import { describe, expect, it } from '@jest/globals';
import { LIMITS } from '@chat/shared';
import { contentDisposition, sanitizeFileName } from './file-names.js';

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system32\\cmd.exe', 'cmd.exe'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['a\u0000b\u0007c\u001b.txt', 'abc.txt'],
    ['zero\u200Bwidth\u2066iso\u2069.md', 'zerowidthiso.md'],
    ['  spaced   out  .pdf ', 'spaced out .pdf'],
    ['what?<>|*:".txt', 'what_______.txt'],
    ['%00.txt', '%00.txt'],
    ['..', 'fallback'],
    ['', 'fallback'],
    ['\u202E', 'fallback'],
    ['Cafe\u0301.txt', 'Café.txt'],
  ])('%j -> %j', (raw, expected) => {
    expect(sanitizeFileName(raw, 'fallback')).toBe(expected);
  });

  it('cuts long names to FILE_NAME_MAX characters, keeping the extension', () => {
    const name = sanitizeFileName(`${'x'.repeat(400)}.pdf`, 'f');
    expect([...name]).toHaveLength(LIMITS.FILE_NAME_MAX);
    expect(name.endsWith('.pdf')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name (RFC 6266 / 8187)', () => {
    expect(contentDisposition('attachment', 'naïve "quote" 100%.txt')).toBe(
      `attachment; filename="na_ve _quote_ 100_.txt"; filename*=UTF-8''na%C3%AFve%20%22quote%22%20100%25.txt`,
    );
    expect(contentDisposition('inline', "it's (1).png")).toBe(
      `inline; filename="it's (1).png"; filename*=UTF-8''it%27s%20%281%29.png`,
    );
  });
});
