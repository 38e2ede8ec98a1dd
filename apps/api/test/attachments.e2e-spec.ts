/**
 * Attachments and avatars end to end: the real app (createApp) on an ephemeral port, real multipart uploads over
 * fetch, real files in a temporary UPLOAD_DIR, real sharp to make and inspect images, real sockets for sends and
 * fan-out. Small limits (300 KB per file, 1 MB quota) keep the files tiny and the suite fast.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createConnection } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import sharp from 'sharp';
import {
  type Attachment,
  type ConversationSummary,
  ErrorCode,
  LIMITS,
  MEDIA_COOKIE_NAME,
  type Message,
  type MessagePage,
  type PublicUser,
  type SelfUser,
} from '@chat/shared';
import { AttachmentsService } from '../src/attachments/attachments.service.js';
import { FileStorage } from '../src/attachments/file-storage.js';
import { asError, http, registerUser, type SignedIn } from './support/http.js';
import { connect, disconnectAll, messageInbox, send } from './support/sockets.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { acceptRequest } from './support/suite.js';

const MAX_FILE = 300_000;
const QUOTA = 1_000_000;

let t: TestApp;
let uploadDir: string;

beforeAll(async () => {
  uploadDir = await mkdtemp(join(tmpdir(), 'chat-uploads-'));
  t = await startTestApp({
    UPLOAD_DIR: uploadDir,
    UPLOAD_MAX_FILE_BYTES: String(MAX_FILE),
    UPLOAD_DAILY_QUOTA_BYTES: String(QUOTA),
    ATTACHMENT_UNSENT_TTL_MINUTES: '60',
  });
});
afterAll(async () => {
  disconnectAll();
  await t?.close();
  await rm(uploadDir, { recursive: true, force: true });
});

// ---------- factories ----------

const call = <T = unknown>(me: SignedIn, method: string, path: string, body?: unknown) =>
  http<T>(t.baseUrl, method, path, body, { token: me.accessToken });

interface FilePart {
  name: string;
  type: string;
  data: Buffer;
}

/** A multipart request with the given parts (field `file` unless stated), as a browser's FormData sends it. */
async function upload<T = Attachment>(
  me: SignedIn | null,
  path: string,
  parts: Array<FilePart & { field?: string }>,
  method = 'POST',
): Promise<{ status: number; body: T; headers: Headers }> {
  const form = new FormData();
  for (const p of parts) {
    form.append(p.field ?? 'file', new Blob([new Uint8Array(p.data)], { type: p.type }), p.name);
  }
  const res = await fetch(t.baseUrl + path, {
    method,
    body: form,
    headers: me ? { authorization: `Bearer ${me.accessToken}` } : {},
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: res.headers,
  };
}

/**
 * An upload over a raw TCP connection, to see what a client that keeps sending experiences: the request head
 * (with `headers`), then `body` chunks written one by one while the connection stays writable.
 * @returns the raw answer text and how many body bytes were written before the server closed the connection
 */
async function rawUpload(
  me: SignedIn,
  path: string,
  headers: Record<string, string>,
  body: { chunk: Buffer; count: number },
): Promise<{ answer: string; written: number }> {
  const { port, hostname } = new URL(t.baseUrl);
  const socket = createConnection({ port: Number(port), host: hostname });
  await new Promise((resolve) => socket.once('connect', resolve));
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.on('error', () => undefined);
  const head = Object.entries({
    host: `${hostname}:${port}`,
    authorization: `Bearer ${me.accessToken}`,
    ...headers,
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
  let written = 0;
  let open = true;
  void closed.then(() => (open = false));
  for (let i = 0; i < body.count && open && !socket.destroyed; i += 1) {
    const ok = socket.write(
      headers['transfer-encoding'] === 'chunked'
        ? Buffer.concat([
            Buffer.from(`${body.chunk.length.toString(16)}\r\n`),
            body.chunk,
            Buffer.from('\r\n'),
          ])
        : body.chunk,
    );
    written += body.chunk.length;
    if (!ok) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
  }
  await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
  socket.destroy();
  return { answer, written };
}

const attach = (me: SignedIn, conversationId: string, file: FilePart) =>
  upload(me, `/api/conversations/${conversationId}/attachments`, [file]);

/** GET a file route; returns the bytes and headers. */
async function download(
  path: string,
  auth: { token?: string; cookie?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const headers: Record<string, string> = { ...auth.headers };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  const res = await fetch(t.baseUrl + path, { headers });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

async function jpegWithExif(width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#c33' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'TestCam', Copyright: 'secret-owner' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

async function png(width = 200, height = 100): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3a6' } })
    .png()
    .toBuffer();
}

function pdf(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
      'trailer << /Root 1 0 R >>\n%%EOF\n',
  );
}

async function direct(a: SignedIn, b: SignedIn): Promise<string> {
  const res = await call<ConversationSummary>(a, 'POST', '/api/conversations/direct', {
    userId: b.id,
  });
  return res.body.id;
}

async function pair(prefix: string) {
  const a = await registerUser(t.baseUrl, `${prefix}a`);
  const b = await registerUser(t.baseUrl, `${prefix}b`);
  const conversationId = await direct(a, b);
  // b accepts the message request: the two are contacts (who hear of each other's new pictures).
  await acceptRequest(t, b, conversationId);
  return { a, b, conversationId };
}

/** The error code of a failed upload. */
function codeOf(res: { body: unknown }): string | undefined {
  return (res.body as { code?: string } | undefined)?.code;
}

/** Every file under UPLOAD_DIR (objects and scratch), relative paths. */
async function filesOnDisk(): Promise<string[]> {
  const entries = await readdir(uploadDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * The upload folder holds exactly `expected` again: a refused upload's scratch file is removed by the upload
 * middleware while (or just after) the error is answered, so this waits up to 5 s for it to go.
 */
async function expectFilesOnDisk(expected: string[]): Promise<void> {
  const deadline = Date.now() + 5_000;
  let files = await filesOnDisk();
  while (JSON.stringify(files) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    files = await filesOnDisk();
  }
  expect(files).toEqual(expected);
}

function sendRest(me: SignedIn, conversationId: string, body: string, attachmentIds?: string[]) {
  return call<Message>(me, 'POST', `/api/conversations/${conversationId}/messages`, {
    clientMessageId: randomUUID(),
    body,
    ...(attachmentIds ? { attachmentIds } : {}),
  });
}

// ---------- tests ----------

describe('upload and download', () => {
  it('re-encodes a JPEG: EXIF gone, orientation applied, thumbnail <= 320 px WebP, inline with safe headers', async () => {
    const { a, b, conversationId } = await pair('img');
    const original = await jpegWithExif(640, 480);
    expect((await sharp(original).metadata()).exif).toBeDefined();

    const up = await attach(a, conversationId, {
      name: 'holiday.jpg',
      type: 'image/jpeg',
      data: original,
    });
    expect(up.status).toBe(201);
    const att = up.body;
    // EXIF orientation 6 (rotate 90) was honoured before the metadata was dropped.
    expect(att).toMatchObject({
      kind: 'image',
      mimeType: 'image/jpeg',
      name: 'holiday.jpg',
      width: 480,
      height: 640,
      url: `/api/attachments/${att.id}/content`,
      thumbnailUrl: `/api/attachments/${att.id}/thumbnail`,
    });

    const sent = await sendRest(a, conversationId, '', [att.id]);
    expect(sent.status).toBe(201);
    expect(sent.body.body).toBe('');
    expect(sent.body.attachments).toEqual([att]);

    const file = await download(att.url, { token: b.accessToken });
    expect(file.status).toBe(200);
    const meta = await sharp(file.bytes).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(file.bytes.includes(Buffer.from('TestCam'))).toBe(false);
    expect(file.bytes.includes(Buffer.from('secret-owner'))).toBe(false);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(file.headers.get('content-disposition')).toMatch(/^inline; /);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(file.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(file.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const etag = file.headers.get('etag');
    expect(etag).toBeTruthy();

    const again = await download(att.url, {
      token: b.accessToken,
      headers: { 'if-none-match': etag! },
    });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);

    const thumb = await download(att.thumbnailUrl!, { token: b.accessToken });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const thumbMeta = await sharp(thumb.bytes).metadata();
    expect(thumbMeta.format).toBe('webp');
    expect(Math.max(thumbMeta.width!, thumbMeta.height!)).toBe(LIMITS.THUMBNAIL_SIZE);
    expect(thumbMeta.width).toBe(240);
    expect(thumbMeta.height).toBe(320);
  });

  it('stores a PDF as a download (attachment disposition, sanitised UTF-8 name), members only', async () => {
    const { a, b, conversationId } = await pair('pdf');
    const stranger = await registerUser(t.baseUrl, 'pdfx');
    const up = await attach(a, conversationId, {
      name: 'Résumé «final».pdf',
      type: 'application/pdf',
      data: pdf(),
    });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({
      kind: 'file',
      mimeType: 'application/pdf',
      name: 'Résumé «final».pdf',
      width: null,
      height: null,
      thumbnailUrl: null,
      size: pdf().length,
    });

    // Unsent: only the uploader sees it.
    expect((await download(up.body.url, { token: b.accessToken })).status).toBe(404);
    expect((await download(up.body.url, { token: a.accessToken })).status).toBe(200);
    await sendRest(a, conversationId, 'the CV', [up.body.id]);

    const got = await download(up.body.url, { token: b.accessToken });
    expect(got.status).toBe(200);
    expect(got.bytes.equals(pdf())).toBe(true);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('content-disposition')).toBe(
      `attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''${encodeURIComponent('Résumé «final».pdf')}`,
    );

    const refused = await download(up.body.url, { token: stranger.accessToken });
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.bytes.toString()).code).toBe(ErrorCode.ATTACHMENT_NOT_FOUND);
    expect((await download(up.body.url)).status).toBe(401);
  });

  it('accepts the media cookie set at login for file GETs only, not for other routes', async () => {
    const { a, conversationId } = await pair('ck');
    const up = await attach(a, conversationId, {
      name: 'p.png',
      type: 'image/png',
      data: await png(),
    });
    const login = await http(t.baseUrl, 'POST', '/api/auth/login', {
      username: a.username,
      password: a.password,
    });
    const media = login.setCookies.find((c) => c.startsWith(`${MEDIA_COOKIE_NAME}=`));
    expect(media).toMatch(/HttpOnly/i);
    expect(media).toMatch(/Path=\/api(;|$)/);
    expect(media).toMatch(/SameSite=Lax/i);
    const cookie = media!.split(';')[0]!;
    expect((await download(up.body.url, { cookie })).status).toBe(200);
    // Every other route still wants the Authorization header.
    const me = await fetch(`${t.baseUrl}/api/users/me`, { headers: { cookie } });
    expect(me.status).toBe(401);
    const logout = await http(t.baseUrl, 'POST', '/api/auth/logout', undefined, {
      refreshToken: login.refreshToken!,
    });
    expect(logout.setCookies.some((c) => c.startsWith(`${MEDIA_COOKIE_NAME}=;`))).toBe(true);
  });

  it('stores path tricks in names harmlessly and shows them sanitised', async () => {
    const { a, conversationId } = await pair('nm');
    const before = await filesOnDisk();
    const up = await attach(a, conversationId, {
      name: '../../etc/evil\u202Etxt.exe%00.txt',
      type: 'text/plain',
      data: Buffer.from('hello, plain text\n'),
    });
    expect(up.status).toBe(201);
    expect(up.body.name).toBe('eviltxt.exe%00.txt');
    expect(up.body.mimeType).toBe('text/plain');
    const after = await filesOnDisk();
    const added = after.filter((f) => !before.includes(f));
    expect(added).toHaveLength(1);
    expect(added[0]!.startsWith(join(uploadDir, 'objects'))).toBe(true);
    expect(added[0]).not.toMatch(/evil|etc/);
    const got = await download(up.body.url, { token: a.accessToken });
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; /);
  });
});

describe('bad uploads: a clear status and code, nothing stored', () => {
  it('refuses an HTML file named .png (415), SVG (415), a JPEG named .png (415) and an unknown binary (415)', async () => {
    const { a, conversationId } = await pair('bad');
    const before = await filesOnDisk();
    const cases: FilePart[] = [
      {
        name: 'cat.png',
        type: 'image/png',
        data: Buffer.from('<!doctype html><html><script>alert(1)</script></html>'),
      },
      {
        name: 'logo.svg',
        type: 'image/svg+xml',
        data: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
      },
      { name: 'page.html', type: 'text/html', data: Buffer.from('<html><body>hi</body></html>') },
      { name: 'photo.png', type: 'image/png', data: await jpegWithExif(32, 32) },
      { name: 'blob.bin', type: 'application/octet-stream', data: randomBytes(1000) },
    ];
    for (const file of cases) {
      const res = await attach(a, conversationId, file);
      expect({ name: file.name, status: res.status }).toEqual({ name: file.name, status: 415 });
      expect(codeOf(res)).toBe(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
    }
    await expectFilesOnDisk(before);
  });

  it('refuses a file over the limit with 413 FILE_TOO_LARGE and leaves no file behind', async () => {
    const { a, conversationId } = await pair('big');
    const before = await filesOnDisk();
    const res = await attach(a, conversationId, {
      name: 'big.pdf',
      type: 'application/pdf',
      data: Buffer.concat([pdf(), randomBytes(MAX_FILE + 10)]),
    });
    expect(res.status).toBe(413);
    expect(codeOf(res)).toBe(ErrorCode.FILE_TOO_LARGE);
    await expectFilesOnDisk(before);
  });

  it('refuses a declared Content-Length over the limit with 413 before reading the body, and closes the connection', async () => {
    const { a, conversationId } = await pair('cl');
    const total = MAX_FILE * 20;
    const { answer, written } = await rawUpload(
      a,
      `/api/conversations/${conversationId}/attachments`,
      {
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': String(total),
      },
      { chunk: randomBytes(64 * 1024), count: total / (64 * 1024) },
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain(ErrorCode.FILE_TOO_LARGE);
    expect(written).toBeLessThan(total);
  });

  it('cuts a chunked upload at the limit while streaming: 413, connection closed, the rest never read', async () => {
    const { a, conversationId } = await pair('ch');
    const boundary = 'bnd';
    const head = Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.pdf"\r\ncontent-type: application/pdf\r\n\r\n`,
    );
    const chunk = randomBytes(64 * 1024);
    const count = 400; // 25 MiB offered against a 300 kB limit
    const { answer, written } = await rawUpload(
      a,
      `/api/conversations/${conversationId}/attachments`,
      {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'transfer-encoding': 'chunked',
      },
      { chunk: Buffer.concat([head, chunk]), count },
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain(ErrorCode.FILE_TOO_LARGE);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(written).toBeLessThan(count * chunk.length);
  });

  it('refuses an image above the pixel limit with 413 IMAGE_TOO_LARGE before decoding it', async () => {
    const { a, conversationId } = await pair('bomb');
    const bomb = await sharp({
      create: { width: 8000, height: 6000, channels: 3, background: '#000' },
    })
      .toColourspace('b-w')
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(MAX_FILE);
    const before = await filesOnDisk();
    const res = await attach(a, conversationId, {
      name: 'bomb.png',
      type: 'image/png',
      data: bomb,
    });
    expect(res.status).toBe(413);
    expect(codeOf(res)).toBe(ErrorCode.IMAGE_TOO_LARGE);
    await expectFilesOnDisk(before);
  });

  it('refuses an empty file (400 EMPTY_FILE), no file (400), two files (400), a non-member (404)', async () => {
    const { a, conversationId } = await pair('emp');
    const stranger = await registerUser(t.baseUrl, 'empx');
    const before = await filesOnDisk();
    const empty = await attach(a, conversationId, {
      name: 'e.txt',
      type: 'text/plain',
      data: Buffer.alloc(0),
    });
    expect(empty.status).toBe(400);
    expect(codeOf(empty)).toBe(ErrorCode.EMPTY_FILE);

    const none = await upload(a, `/api/conversations/${conversationId}/attachments`, []);
    expect(none.status).toBe(400);

    const two = await upload(a, `/api/conversations/${conversationId}/attachments`, [
      { name: 'a.pdf', type: 'application/pdf', data: pdf() },
      { name: 'b.pdf', type: 'application/pdf', data: pdf() },
    ]);
    expect(two.status).toBe(400);
    const wrongField = await upload(a, `/api/conversations/${conversationId}/attachments`, [
      { field: 'upload', name: 'a.pdf', type: 'application/pdf', data: pdf() },
    ]);
    expect(wrongField.status).toBe(400);

    const outsider = await attach(stranger, conversationId, {
      name: 'a.pdf',
      type: 'application/pdf',
      data: pdf(),
    });
    expect(outsider.status).toBe(404);
    expect(codeOf(outsider)).toBe(ErrorCode.CONVERSATION_NOT_FOUND);
    expect(
      (await upload(null, `/api/conversations/${conversationId}/attachments`, [])).status,
    ).toBe(401);
    await expectFilesOnDisk(before);
  });

  it("enforces the daily quota: 429 UPLOAD_QUOTA_EXCEEDED once the day's bytes would pass it", async () => {
    const { a, conversationId } = await pair('quota');
    const chunk = Buffer.concat([pdf(), randomBytes(290_000)]);
    for (let i = 0; i < 3; i += 1) {
      expect(
        (
          await attach(a, conversationId, {
            name: `${i}.pdf`,
            type: 'application/pdf',
            data: chunk,
          })
        ).status,
      ).toBe(201);
    }
    const before = await filesOnDisk();
    const over = await attach(a, conversationId, {
      name: '3.pdf',
      type: 'application/pdf',
      data: chunk,
    });
    expect(over.status).toBe(429);
    expect(codeOf(over)).toBe(ErrorCode.UPLOAD_QUOTA_EXCEEDED);
    // A rolling 24-hour window: the wait given is its length, the most it can take.
    expect(over.headers.get('retry-after')).toBe(String(24 * 60 * 60));
    await expectFilesOnDisk(before);
  });
});

describe('sending attachments', () => {
  it('sends over the socket with attachmentIds and an empty body; members get them in message:new', async () => {
    const { a, b, conversationId } = await pair('sock');
    const up = await attach(a, conversationId, {
      name: 'doc.pdf',
      type: 'application/pdf',
      data: pdf(),
    });
    const bs = await connect(t.baseUrl, b.accessToken);
    const inbox = messageInbox(bs);
    const as = await connect(t.baseUrl, a.accessToken);
    const ack = await send(as, {
      conversationId,
      clientMessageId: randomUUID(),
      body: '   ',
      attachmentIds: [up.body.id],
    });
    expect(ack.ok).toBe(true);
    const received = await inbox.next();
    expect(received.attachments.map((x) => x.id)).toEqual([up.body.id]);
    expect(received.attachments[0]!.url).toBe(`/api/attachments/${up.body.id}/content`);
    // History carries them too.
    const history = await call<{ items: Message[] }>(
      b,
      'GET',
      `/api/conversations/${conversationId}/messages`,
    );
    expect(history.body.items.at(-1)!.attachments[0]!.name).toBe('doc.pdf');
  });

  it("refuses someone else's attachment (404), a used one (409), too many (400), an empty text-only message (400)", async () => {
    const { a, b, conversationId } = await pair('claim');
    const mine = await attach(a, conversationId, {
      name: 'm.pdf',
      type: 'application/pdf',
      data: pdf(),
    });
    const theirs = await attach(b, conversationId, {
      name: 't.pdf',
      type: 'application/pdf',
      data: pdf(),
    });

    const foreign = await sendRest(a, conversationId, 'x', [theirs.body.id]);
    expect(foreign.status).toBe(404);
    expect(asError(foreign).code).toBe(ErrorCode.ATTACHMENT_NOT_FOUND);

    // Another conversation of the same uploader does not count either.
    const other = await registerUser(t.baseUrl, 'claimc');
    const elsewhere = await direct(a, other);
    const wrongPlace = await sendRest(a, elsewhere, 'x', [mine.body.id]);
    expect(asError(wrongPlace).code).toBe(ErrorCode.ATTACHMENT_NOT_FOUND);

    expect((await sendRest(a, conversationId, 'first', [mine.body.id])).status).toBe(201);
    const reused = await sendRest(a, conversationId, 'second', [mine.body.id]);
    expect(reused.status).toBe(409);
    expect(asError(reused).code).toBe(ErrorCode.ATTACHMENT_IN_USE);

    const eleven = Array.from({ length: LIMITS.ATTACHMENTS_PER_MESSAGE + 1 }, () => randomUUID());
    const tooMany = await sendRest(a, conversationId, 'x', eleven);
    expect(tooMany.status).toBe(400);
    expect(asError(tooMany).code).toBe(ErrorCode.TOO_MANY_ATTACHMENTS);

    const blank = await sendRest(a, conversationId, '  ');
    expect(asError(blank).code).toBe(ErrorCode.VALIDATION_FAILED);

    // None of the failures stored a message: b's upload is still unsent and deletable by b only.
    expect((await call(a, 'DELETE', `/api/attachments/${theirs.body.id}`)).status).toBe(404);
    expect((await call(b, 'DELETE', `/api/attachments/${theirs.body.id}`)).status).toBe(204);
    expect((await download(theirs.body.url, { token: b.accessToken })).status).toBe(404);
    // A sent attachment cannot be deleted.
    expect((await call(a, 'DELETE', `/api/attachments/${mine.body.id}`)).status).toBe(404);
  });

  it('removes unsent attachments after the grace period (records, then files), never sent ones', async () => {
    const { a, conversationId } = await pair('gc');
    const unsent = await attach(a, conversationId, {
      name: 'u.png',
      type: 'image/png',
      data: await png(),
    });
    const sent = await attach(a, conversationId, {
      name: 's.png',
      type: 'image/png',
      data: await png(),
    });
    await sendRest(a, conversationId, 'keep', [sent.body.id]);
    const service = t.app.get(AttachmentsService);

    expect(await service.cleanupUnsent(new Date())).toBe(0);
    const later = new Date(Date.now() + (t.config.attachmentUnsentTtlMinutes + 1) * 60_000);
    const filesBefore = (await filesOnDisk()).length;
    expect(await service.cleanupUnsent(later)).toBeGreaterThanOrEqual(1);
    expect((await download(unsent.body.url, { token: a.accessToken })).status).toBe(404);
    expect((await download(sent.body.url, { token: a.accessToken })).status).toBe(200);
    // The image and its thumbnail are gone from the disk.
    expect((await filesOnDisk()).length).toBeLessThanOrEqual(filesBefore - 2);
  });
});

describe('avatars', () => {
  it('sets a square WebP profile picture (256 and 64 px), tells contacts, replaces and removes it', async () => {
    const { a, b } = await pair('av');
    const bs = await connect(t.baseUrl, b.accessToken);
    const updated = new Promise<PublicUser>((resolve) => bs.once('user:updated', resolve));

    const res = await upload<SelfUser>(
      a,
      '/api/users/me/avatar',
      [{ name: 'me.jpg', type: 'image/jpeg', data: await jpegWithExif(300, 200) }],
      'PUT',
    );
    expect(res.status).toBe(200);
    const url = res.body.avatarUrl!;
    expect(url).toMatch(/^\/api\/avatars\/[a-f0-9]{32}$/);
    expect(await updated).toMatchObject({ id: a.id, avatarUrl: url });

    const big = await download(url, { token: b.accessToken });
    expect(big.status).toBe(200);
    const bigMeta = await sharp(big.bytes).metadata();
    expect([bigMeta.format, bigMeta.width, bigMeta.height, bigMeta.exif]).toEqual([
      'webp',
      LIMITS.AVATAR_SIZE,
      LIMITS.AVATAR_SIZE,
      undefined,
    ]);
    const small = await download(`${url}?size=64`, { token: b.accessToken });
    const smallMeta = await sharp(small.bytes).metadata();
    expect([smallMeta.width, smallMeta.height]).toEqual([64, 64]);
    expect((await download(url)).status).toBe(401);

    const html = await upload(
      a,
      '/api/users/me/avatar',
      [{ name: 'x.png', type: 'image/png', data: Buffer.from('<html></html>') }],
      'PUT',
    );
    expect(html.status).toBe(415);

    const second = await upload<SelfUser>(
      a,
      '/api/users/me/avatar',
      [{ name: 'me2.png', type: 'image/png', data: await png(100, 100) }],
      'PUT',
    );
    expect(second.body.avatarUrl).not.toBe(url);
    // The old files are gone (a new URL is a new version).
    expect((await download(url, { token: b.accessToken })).status).toBe(404);

    const removed = await call<SelfUser>(a, 'DELETE', '/api/users/me/avatar');
    expect(removed.body.avatarUrl).toBeNull();
    expect((await download(second.body.avatarUrl!, { token: b.accessToken })).status).toBe(404);
  });

  it('lets group admins set the group picture (system message, conversation:updated), not members', async () => {
    const admin = await registerUser(t.baseUrl, 'gpa');
    const member = await registerUser(t.baseUrl, 'gpm');
    const group = await call<ConversationSummary>(admin, 'POST', '/api/conversations/group', {
      title: 'Pictures',
      memberIds: [member.id],
    });
    expect(group.status).toBe(201);
    const ms = await connect(t.baseUrl, member.accessToken);
    const inbox = messageInbox(ms);
    const summaryEvent = new Promise<ConversationSummary>((resolve) =>
      ms.on('conversation:updated', (c) => {
        if (c.id === group.body.id && c.avatarUrl) resolve(c);
      }),
    );

    const refused = await upload(
      member,
      `/api/conversations/${group.body.id}/avatar`,
      [{ name: 'g.png', type: 'image/png', data: await png() }],
      'PUT',
    );
    expect(refused.status).toBe(403);
    expect(codeOf(refused)).toBe(ErrorCode.ADMIN_REQUIRED);

    const ok = await upload<ConversationSummary>(
      admin,
      `/api/conversations/${group.body.id}/avatar`,
      [{ name: 'g.png', type: 'image/png', data: await png() }],
      'PUT',
    );
    expect(ok.status).toBe(200);
    expect(ok.body.avatarUrl).toMatch(/^\/api\/avatars\/[a-f0-9]{32}$/);
    expect((await summaryEvent).avatarUrl).toBe(ok.body.avatarUrl);
    const system = await inbox.next();
    expect(system.system).toEqual({ type: 'group_avatar_changed', actorId: admin.id });
    expect((await download(ok.body.avatarUrl!, { token: member.accessToken })).status).toBe(200);

    const { a, b, conversationId } = await pair('gpd');
    const notGroup = await upload(
      a,
      `/api/conversations/${conversationId}/avatar`,
      [{ name: 'g.png', type: 'image/png', data: await png() }],
      'PUT',
    );
    expect(notGroup.status).toBe(400);
    expect(b.id).toBeTruthy();
  });

  it('does not change the picture when its admin was removed while the image was processing', async () => {
    const owner = await registerUser(t.baseUrl, 'gro');
    const admin = await registerUser(t.baseUrl, 'gra');
    const group = await call<ConversationSummary>(owner, 'POST', '/api/conversations/group', {
      title: 'Race',
      memberIds: [admin.id],
    });
    const groupId = group.body.id;
    const promoted = await call(
      owner,
      'PATCH',
      `/api/conversations/${groupId}/members/${admin.id}`,
      {
        role: 'admin',
      },
    );
    expect(promoted.status).toBe(200);

    // Hold the upload inside its processing (the first rendition's write) until the admin is removed.
    const files = t.app.get(FileStorage);
    const put = files.put.bind(files);
    let reached!: () => void;
    const atPut = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = jest.spyOn(files, 'put').mockImplementationOnce(async (key, source) => {
      reached();
      await released;
      return put(key, source);
    });
    try {
      const uploading = upload(
        admin,
        `/api/conversations/${groupId}/avatar`,
        [{ name: 'g.png', type: 'image/png', data: await png() }],
        'PUT',
      );
      await atPut;
      const removed = await call(
        owner,
        'DELETE',
        `/api/conversations/${groupId}/members/${admin.id}`,
      );
      expect(removed.status).toBe(200);
      release();
      const res = await uploading;
      expect(res.status).toBe(403);
      expect(codeOf(res)).toBe(ErrorCode.MEMBERSHIP_ENDED);
    } finally {
      held.mockRestore();
    }
    const now = await call<ConversationSummary>(owner, 'GET', `/api/conversations/${groupId}`);
    expect(now.body.avatarUrl).toBeNull();
    const timeline = await call<MessagePage>(
      owner,
      'GET',
      `/api/conversations/${groupId}/messages`,
    );
    expect(timeline.body.items.map((m) => m.system?.type)).not.toContain('group_avatar_changed');
  });

  it('former group members download attachments from their history only', async () => {
    const admin = await registerUser(t.baseUrl, 'fma');
    const leaver = await registerUser(t.baseUrl, 'fml');
    const group = await call<ConversationSummary>(admin, 'POST', '/api/conversations/group', {
      title: 'Leaving',
      memberIds: [leaver.id],
    });
    const before = await attach(admin, group.body.id, {
      name: 'old.pdf',
      type: 'application/pdf',
      data: pdf(),
    });
    await sendRest(admin, group.body.id, 'before', [before.body.id]);
    expect((await call(leaver, 'POST', `/api/conversations/${group.body.id}/leave`)).status).toBe(
      200,
    );
    const after = await attach(admin, group.body.id, {
      name: 'new.pdf',
      type: 'application/pdf',
      data: pdf(),
    });
    await sendRest(admin, group.body.id, 'after', [after.body.id]);

    expect((await download(before.body.url, { token: leaver.accessToken })).status).toBe(200);
    expect((await download(after.body.url, { token: leaver.accessToken })).status).toBe(404);
    const blocked = await attach(leaver, group.body.id, {
      name: 'x.pdf',
      type: 'application/pdf',
      data: pdf(),
    });
    expect(blocked.status).toBe(403);
  });
});
