// Bytes of a dependency file -> text, as pip 23.2.1's auto_decode reads requirements files
// (pip/_internal/utils/encoding.py).

/**
 * The text, or where and why pip could not decode the bytes (`lossy`: the text up to there, U+FFFD, then the rest as
 * UTF-8).
 */
export type DecodedFile =
  | { text: string; encoding: string; error?: undefined }
  | { text?: undefined; encoding: string; error: string; byteOffset: number; lossy: string };

/**
 * pip's BOMs, in pip's order. The first match wins, so a UTF-32-LE file (FF FE 00 00) is read as UTF-16
 * (pip's `codecs.BOM_UTF16` is little-endian on every machine pip runs on in practice), exactly as pip
 * misreads it: NUL characters follow.
 */
const BOMS: Array<[number[], string]> = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xff, 0xfe], 'utf-16'],
  [[0xfe, 0xff], 'utf-16-be'],
  [[0xff, 0xfe], 'utf-16-le'],
  [[0xff, 0xfe, 0x00, 0x00], 'utf-32'],
  [[0x00, 0x00, 0xfe, 0xff], 'utf-32-be'],
  [[0xff, 0xfe, 0x00, 0x00], 'utf-32-le'],
];

/** pip's ENCODING_RE, `coding[:=]\s*([-\w.]+)` on bytes (ASCII \w and \s). */
const ENCODING_RE = /coding[:=][ \t\n\r\f\v]*([-A-Za-z0-9_.]+)/;

/**
 * Decodes a dependency file as pip does: a BOM names the encoding (the BOM is kept as U+FEFF at offset 0,
 * as Node's UTF-8 reading keeps it, and every parser skips it); else a `# ... coding: NAME` comment at the
 * start of one of the first two lines; else the locale's preferred encoding, UTF-8 on the systems this runs
 * on. Strict, as Python's `bytes.decode`: the first byte that does not decode is an error.
 */
export function decodeDependencyFile(buf: Uint8Array, preferredEncoding = 'utf-8'): DecodedFile {
  for (const [bom, encoding] of BOMS) {
    if (startsWith(buf, bom)) {
      const r = decodeAs(buf.subarray(bom.length), encoding, bom.length);
      return r.error === undefined ? { text: '\ufeff' + r.text, encoding } : withLossy(buf, r, encoding);
    }
  }
  // The first two lines, as data.split(b"\n")[:2].
  let lineStart = 0;
  for (let k = 0; k < 2 && lineStart <= buf.length; k++) {
    let nl = buf.indexOf(0x0a, lineStart);
    if (nl < 0) nl = buf.length;
    if (buf[lineStart] === 0x23) {
      const m = ENCODING_RE.exec(Buffer.from(buf.subarray(lineStart, nl)).toString('latin1'));
      if (m) {
        const r = decodeAs(buf, m[1]!, 0);
        return r.error === undefined ? { text: r.text, encoding: m[1]! } : withLossy(buf, r, m[1]!);
      }
    }
    lineStart = nl + 1;
  }
  const r = decodeAs(buf, preferredEncoding, 0);
  return r.error === undefined ? { text: r.text, encoding: preferredEncoding } : withLossy(buf, r, preferredEncoding);
}

type Attempt =
  { text: string; error?: undefined } | { text?: undefined; error: string; byteOffset: number; prefix: string };

function withLossy(buf: Uint8Array, r: Extract<Attempt, { error: string }>, encoding: string): DecodedFile {
  const rest = Buffer.from(buf.subarray(Math.min(buf.length, r.byteOffset + 1))).toString('utf8');
  return { encoding, error: r.error, byteOffset: r.byteOffset, lossy: r.prefix + '\ufffd' + rest };
}

function startsWith(buf: Uint8Array, bytes: number[]): boolean {
  return buf.length >= bytes.length && bytes.every((b, i) => buf[i] === b);
}

/** Python's codec lookup for the names a coding comment uses: lower case, `-` and spaces as `_`, then aliases. */
function codecOf(name: string): string | null {
  const n = name.toLowerCase().replace(/[- ]/g, '_');
  const aliases: Record<string, string> = {
    utf_8: 'utf-8',
    utf8: 'utf-8',
    u8: 'utf-8',
    utf: 'utf-8',
    utf8_ucs2: 'utf-8',
    utf8_ucs4: 'utf-8',
    cp65001: 'utf-8',
    utf_8_sig: 'utf-8-sig',
    latin_1: 'latin-1',
    latin1: 'latin-1',
    latin: 'latin-1',
    l1: 'latin-1',
    iso_8859_1: 'latin-1',
    iso8859_1: 'latin-1',
    '8859': 'latin-1',
    cp819: 'latin-1',
    iso_ir_100: 'latin-1',
    ascii: 'ascii',
    us_ascii: 'ascii',
    '646': 'ascii',
    us: 'ascii',
    'ansi_x3.4_1968': 'ascii',
    cp1252: 'cp1252',
    windows_1252: 'cp1252',
    '1252': 'cp1252',
    utf_16: 'utf-16',
    utf16: 'utf-16',
    u16: 'utf-16',
    utf_16le: 'utf-16-le',
    utf_16_le: 'utf-16-le',
    utf_16be: 'utf-16-be',
    utf_16_be: 'utf-16-be',
    utf_32: 'utf-32',
    utf32: 'utf-32',
    u32: 'utf-32',
    utf_32le: 'utf-32-le',
    utf_32_le: 'utf-32-le',
    utf_32be: 'utf-32-be',
    utf_32_be: 'utf-32-be',
  };
  return aliases[n] ?? null;
}

/** cp1252 bytes Python's codec leaves undefined. */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);
/** cp1252's characters for 0x80..0x9f (the rest is Latin-1); U+FFFD where undefined. */
const CP1252_HIGH =
  '\u20ac\ufffd\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\ufffd\u017d\ufffd\ufffd\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\ufffd\u017e\u0178';

/** `bytes.decode(encoding)` (strict); `base` is where `buf` starts in the file, for error offsets. */
function decodeAs(buf: Uint8Array, encoding: string, base: number): Attempt {
  const codec = codecOf(encoding);
  if (codec === null) return { error: `unknown encoding: ${encoding}`, byteOffset: base, prefix: '' };
  switch (codec) {
    case 'utf-8':
      return utf8(buf, base);
    case 'utf-8-sig':
      return startsWith(buf, [0xef, 0xbb, 0xbf]) ? utf8(buf.subarray(3), base + 3) : utf8(buf, base);
    case 'latin-1':
      return { text: Buffer.from(buf).toString('latin1') };
    case 'ascii': {
      const bad = buf.findIndex((b) => b > 0x7f);
      return bad < 0
        ? { text: Buffer.from(buf).toString('latin1') }
        : fail(`'ascii' codec can't decode byte 0x${buf[bad]!.toString(16)}`, buf, bad, base, 'latin1');
    }
    case 'cp1252': {
      const bad = buf.findIndex((b) => CP1252_UNDEFINED.has(b));
      const units = new Uint16Array(buf.length);
      for (let k = 0; k < buf.length; k++) {
        const b = buf[k]!;
        units[k] = b >= 0x80 && b < 0xa0 ? CP1252_HIGH.charCodeAt(b - 0x80) : b;
      }
      const text = Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString('utf16le');
      return bad < 0
        ? { text }
        : fail(`'charmap' codec can't decode byte 0x${buf[bad]!.toString(16)}`, buf, bad, base, 'latin1');
    }
    case 'utf-16':
    case 'utf-32': {
      // Python's utf-16/utf-32 codecs take a BOM of their own, else read little-endian.
      const width = codec === 'utf-16' ? 2 : 4;
      const be = width === 2 ? [0xfe, 0xff] : [0x00, 0x00, 0xfe, 0xff];
      const le = width === 2 ? [0xff, 0xfe] : [0xff, 0xfe, 0x00, 0x00];
      if (startsWith(buf, be)) return wide(buf.subarray(width), width, false, base + width);
      if (startsWith(buf, le)) return wide(buf.subarray(width), width, true, base + width);
      return wide(buf, width, true, base);
    }
    case 'utf-16-le':
      return wide(buf, 2, true, base);
    case 'utf-16-be':
      return wide(buf, 2, false, base);
    case 'utf-32-le':
      return wide(buf, 4, true, base);
    default:
      return wide(buf, 4, false, base);
  }
}

function fail(error: string, buf: Uint8Array, at: number, base: number, prefixEncoding: 'latin1' | 'utf8'): Attempt {
  return { error, byteOffset: base + at, prefix: Buffer.from(buf.subarray(0, at)).toString(prefixEncoding) };
}

/** Strict UTF-8 (Python's: no surrogates, no overlong forms, nothing above U+10FFFF). */
function utf8(buf: Uint8Array, base: number): Attempt {
  const n = buf.length;
  for (let i = 0; i < n;) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else
      return fail(
        `'utf-8' codec can't decode byte 0x${b.toString(16)} in position ${base + i}: invalid start byte`,
        buf,
        i,
        base,
        'utf8',
      );
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (c === undefined)
        return fail(
          `'utf-8' codec can't decode byte 0x${b.toString(16)} in position ${base + i}: unexpected end of data`,
          buf,
          i,
          base,
          'utf8',
        );
      if (c < min || c > max)
        return fail(
          `'utf-8' codec can't decode byte 0x${b.toString(16)} in position ${base + i}: invalid continuation byte`,
          buf,
          i,
          base,
          'utf8',
        );
    }
    i += need + 1;
  }
  return { text: Buffer.from(buf).toString('utf8') };
}

/** Strict UTF-16 or UTF-32 in one byte order. */
function wide(buf: Uint8Array, width: 2 | 4, little: boolean, base: number): Attempt {
  const parts: string[] = [];
  let chunk = '';
  const unit = (i: number): number =>
    width === 2
      ? little
        ? buf[i]! | (buf[i + 1]! << 8)
        : (buf[i]! << 8) | buf[i + 1]!
      : little
        ? (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)) >>> 0
        : ((buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!) >>> 0;
  const name = `utf-${width * 8}-${little ? 'le' : 'be'}`;
  const bad = (i: number, why: string): Attempt => {
    parts.push(chunk);
    return {
      error: `'${name}' codec can't decode bytes in position ${base + i}: ${why}`,
      byteOffset: base + i,
      prefix: parts.join(''),
    };
  };
  if (width === 2) {
    // Check the surrogates, then let Node decode (it is far faster than building the string here).
    let k = 0;
    for (; k + 2 <= buf.length; k += 2) {
      const u = unit(k);
      if (u < 0xd800 || u > 0xdfff) continue;
      if (u >= 0xdc00) break;
      if (k + 4 > buf.length) break;
      const v = unit(k + 2);
      if (v < 0xdc00 || v > 0xdfff) break;
      k += 2;
    }
    if (k >= buf.length) {
      const le = Buffer.from(buf);
      if (!little) le.swap16();
      return { text: le.toString('utf16le') };
    }
  }
  let i = 0;
  for (; i + width <= buf.length; i += width) {
    const u = unit(i);
    if (width === 4) {
      if (u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff)) return bad(i, 'code point not in range(0x110000)');
      chunk += String.fromCodePoint(u);
    } else if (u >= 0xd800 && u <= 0xdbff) {
      if (i + 2 * width > buf.length) return bad(i, 'unexpected end of data');
      const v = unit(i + width);
      if (v < 0xdc00 || v > 0xdfff) return bad(i, 'illegal UTF-16 surrogate');
      chunk += String.fromCharCode(u, v);
      i += width;
    } else if (u >= 0xdc00 && u <= 0xdfff) return bad(i, 'illegal encoding');
    else chunk += String.fromCharCode(u);
    if (chunk.length > 4096) {
      parts.push(chunk);
      chunk = '';
    }
  }
  if (i < buf.length) return bad(i, 'truncated data');
  parts.push(chunk);
  return { text: parts.join('') };
}
