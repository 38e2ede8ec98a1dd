/**
 * The bare Socket.IO relay the load benchmark compares the API against: the same transport, no database, no rules.
 * A client connects with `auth: { room }`, joins that room, and every `message:send` is acked at once and re-emitted
 * to the room as `message:new` with a counter for `seq`, shaped like the API's Message so both cost the same to
 * encode. Prints `relay listening <port>` on stdout when ready; exits on SIGTERM or when its parent goes away.
 *
 * Run: node relay-server.mjs <port>   (127.0.0.1 only)
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 0);
const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false });
let seq = 0;

io.on('connection', (socket) => {
  const room = String(socket.handshake.auth?.room ?? 'lobby');
  const userId = String(socket.handshake.auth?.userId ?? socket.id);
  void socket.join(room);
  socket.on('message:send', (payload, ack) => {
    if (typeof payload !== 'object' || payload === null) return;
    seq += 1;
    const message = {
      id: `m${seq}`,
      conversationId: room,
      seq,
      senderId: userId,
      clientMessageId: String(payload.clientMessageId),
      kind: 'text',
      body: String(payload.body),
      system: null,
      attachments: [],
      createdAt: new Date().toISOString(),
    };
    if (typeof ack === 'function') ack({ ok: true, data: message });
    io.to(room).emit('message:new', message);
  });
});

http.listen(port, '127.0.0.1', () => {
  const address = http.address();
  console.log(`relay listening ${typeof address === 'object' && address ? address.port : port}`);
});
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
