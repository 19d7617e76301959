// Draws the extension icon (images/icon.png, 256×256): a small three-layer network on a rounded indigo tile, with
// one amber edge standing for the soft bug the extension finds. Run `node scripts/make-icon.mjs` after changing it
// and commit the PNG; the build does not run this. No image library: a 4× supersampled raster and a hand-written PNG
// encoder are enough for circles, lines and a rounded square.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 256;
const SS = 4; // supersampling factor per axis
const N = SIZE * SS;
const rgba = new Float32Array(N * N * 4); // premultiplied, 0..1

function blend(x, y, [r, g, b], a) {
  if (x < 0 || y < 0 || x >= N || y >= N || a <= 0) return;
  const i = (y * N + x) * 4;
  rgba[i] = r * a + rgba[i] * (1 - a);
  rgba[i + 1] = g * a + rgba[i + 1] * (1 - a);
  rgba[i + 2] = b * a + rgba[i + 2] * (1 - a);
  rgba[i + 3] = a + rgba[i + 3] * (1 - a);
}

const hex = (h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16) / 255);

// The tile: a rounded square with a vertical gradient.
const top = hex('#3b3f9e');
const bottom = hex('#1b1d4f');
const radius = 48 * SS;
for (let y = 0; y < N; y++) {
  const t = y / (N - 1);
  const color = top.map((c, k) => c * (1 - t) + bottom[k] * t);
  for (let x = 0; x < N; x++) {
    const dx = Math.max(radius - x, x - (N - 1 - radius), 0);
    const dy = Math.max(radius - y, y - (N - 1 - radius), 0);
    if (dx * dx + dy * dy <= radius * radius) blend(x, y, color, 1);
  }
}

function line(x0, y0, x1, y1, width, color) {
  [x0, y0, x1, y1, width] = [x0, y0, x1, y1, width].map((v) => v * SS);
  const minX = Math.floor(Math.min(x0, x1) - width);
  const maxX = Math.ceil(Math.max(x0, x1) + width);
  const minY = Math.floor(Math.min(y0, y1) - width);
  const maxY = Math.ceil(Math.max(y0, y1) + width);
  const len2 = (x1 - x0) ** 2 + (y1 - y0) ** 2;
  for (let y = minY; y <= maxY; y++) {
    for (let x = minX; x <= maxX; x++) {
      const t = Math.max(0, Math.min(1, ((x - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / len2));
      const d = Math.hypot(x - (x0 + t * (x1 - x0)), y - (y0 + t * (y1 - y0)));
      if (d <= width / 2) blend(x, y, color, 1);
    }
  }
}

function disc(cx, cy, r, color) {
  [cx, cy, r] = [cx, cy, r].map((v) => v * SS);
  for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
    for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
      if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) blend(x, y, color, 1);
    }
  }
}

const layers = [
  [64, [72, 128, 184]],
  [128, [56, 104, 152, 200]],
  [192, [96, 160]],
];
const edge = hex('#9fa8ff');
const amber = hex('#ffb020');
for (let l = 0; l + 1 < layers.length; l++) {
  const [xa, ya] = layers[l];
  const [xb, yb] = layers[l + 1];
  for (const y0 of ya) for (const y1 of yb) line(xa, y0, xb, y1, 4, edge);
}
// The highlighted edge: the one path the audit flags.
line(128, 152, 192, 160, 9, amber);
for (const [x, ys] of layers) {
  for (const y of ys) {
    disc(x, y, 17, hex('#1b1d4f'));
    disc(x, y, 14, hex('#ffffff'));
  }
}
disc(128, 152, 14, amber);

// Downsample and encode as an 8-bit RGBA PNG.
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const i = ((y * SS + sy) * N + (x * SS + sx)) * 4;
        for (let k = 0; k < 4; k++) sum[k] += rgba[i + k];
      }
    }
    const a = sum[3] / (SS * SS);
    const o = y * (SIZE * 4 + 1) + 1 + x * 4;
    for (let k = 0; k < 3; k++) raw[o + k] = a > 0 ? Math.round((sum[k] / (SS * SS) / a) * 255) : 0;
    raw[o + 3] = Math.round(a * 255);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'images', 'icon.png');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
