/**
 * Writes the notification sound, public/sounds/notify.wav: a 150 ms two-tone chime (880 Hz then 1320 Hz, each with
 * a short fade in and out so it does not click), 8 kHz, 8-bit unsigned mono PCM, about 1.2 kB. Generated here
 * rather than downloaded so nothing comes from a CDN and its licence is this project's. Run:
 * `node scripts/make-notification-sound.mjs` in apps/web (the output is committed).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RATE = 8000;
const tones = [
  { hz: 880, ms: 70 },
  { hz: 1320, ms: 80 },
];
const samples = [];
for (const { hz, ms } of tones) {
  const n = Math.round((RATE * ms) / 1000);
  const fade = Math.round(RATE * 0.008);
  for (let i = 0; i < n; i++) {
    const envelope = Math.min(1, i / fade, (n - 1 - i) / fade);
    const value = Math.sin((2 * Math.PI * hz * i) / RATE) * 0.45 * envelope;
    samples.push(Math.round(128 + value * 127));
  }
}
const data = Buffer.from(samples);
const header = Buffer.alloc(44);
header.write('RIFF', 0);
header.writeUInt32LE(36 + data.length, 4);
header.write('WAVE', 8);
header.write('fmt ', 12);
header.writeUInt32LE(16, 16); // PCM chunk size
header.writeUInt16LE(1, 20); // PCM
header.writeUInt16LE(1, 22); // mono
header.writeUInt32LE(RATE, 24);
header.writeUInt32LE(RATE, 28); // byte rate: 1 byte per sample
header.writeUInt16LE(1, 32); // block align
header.writeUInt16LE(8, 34); // bits per sample
header.write('data', 36);
header.writeUInt32LE(data.length, 40);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'sounds', 'notify.wav');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, Buffer.concat([header, data]));
console.log(`wrote ${out} (${44 + data.length} bytes)`);
