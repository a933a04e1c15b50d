/** Ids made on the device: UUIDv7 (RFC 9562), time-ordered and monotonic within this page, so that two
 * events logged at the same `at` (a new contact, then the meeting with them) replay in the order made. */

let lastMs = -1;
let counter = 0;

export function uuidv7() {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = crypto.getRandomValues(new Uint16Array(1))[0] & 0x3ff; // leave room to count up
  } else {
    ms = lastMs;
    counter += 1;
    if (counter > 0xfff) { lastMs = ms = lastMs + 1; counter = 0; }
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let high = Math.floor(ms / 2 ** 16); // the top 32 of the 48 bits
  const low = ms % 2 ** 16;
  for (let i = 3; i >= 0; i--) { bytes[i] = high & 0xff; high = Math.floor(high / 256); }
  bytes[4] = low >> 8;
  bytes[5] = low & 0xff;
  bytes[6] = 0x70 | (counter >> 8); // version 7, then the counter as rand_a
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f); // RFC 9562 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `date` as ISO 8601 with the device's UTC offset, to the second: "2026-05-12T10:30:00+02:00". */
export function localInstant(date = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
