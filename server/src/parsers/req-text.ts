// Text that remembers where each of its characters came from in a file, and Python's notion of whitespace and line
// breaks.
import type { Span } from '../model/types';
/**
 * A string derived from the file text (lines joined across `\`, comments cut, `${VAR}` expanded),
 * with, for each character, the file offsets it covers: `starts[i]`..`ends[i]`. Text inserted by an
 * expansion covers the whole `${VAR}` it replaced.
 */
export class MappedText {
  /**
   * `base` >= 0: the text is the file's own characters from `base` on (the common case: no continuation, no
   * expansion), and no per-character arrays are kept. Otherwise `st`/`en` hold each character's file range.
   */
  private constructor(
    readonly text: string,
    private readonly base: number,
    private readonly st: Int32Array | null,
    private readonly en: Int32Array | null,
    /** File offset of the (empty) end of the text. */
    readonly endOffset: number,
  ) {}

  static fromFile(fileText: string, start: number, end: number): MappedText {
    return new MappedText(fileText.slice(start, end), start, null, null, end);
  }

  static concat(parts: MappedText[]): MappedText {
    if (parts.length === 1) return parts[0]!;
    const last = parts[parts.length - 1];
    const text = parts.map((p) => p.text).join('');
    // Contiguous pieces of the file stay an identity mapping.
    if (parts.every((p, k) => p.base >= 0 && (k === 0 || parts[k - 1]!.base + parts[k - 1]!.text.length === p.base))) {
      return new MappedText(text, parts[0]!.base, null, null, last ? last.endOffset : 0);
    }
    const starts = new Int32Array(text.length);
    const ends = new Int32Array(text.length);
    let k = 0;
    for (const p of parts) {
      for (let i = 0; i < p.text.length; i++) {
        starts[k + i] = p.startAt(i);
        ends[k + i] = p.endAt(i);
      }
      k += p.text.length;
    }
    return new MappedText(text, -1, starts, ends, last ? last.endOffset : 0);
  }

  /** Characters that map onto the file range start..end (a synthetic separator, a prepended space). */
  static synthetic(text: string, start: number, end: number): MappedText {
    return new MappedText(
      text,
      -1,
      new Int32Array(text.length).fill(start),
      new Int32Array(text.length).fill(end),
      end,
    );
  }

  /** The same mapping under another text of the same length (e.g. lower-cased). */
  withText(text: string): MappedText {
    return new MappedText(text, this.base, this.st, this.en, this.endOffset);
  }

  get length(): number {
    return this.text.length;
  }

  /** The file offset of the first character when the text is the file's own characters from there on, else -1. */
  get fileStart(): number {
    return this.base;
  }

  private startAt(i: number): number {
    return this.st ? this.st[i]! : this.base + i;
  }

  private endAt(i: number): number {
    return this.en ? this.en[i]! : this.base + i + 1;
  }

  /** File offset where the character at index i starts (the end offset for i >= length). */
  offsetAt(i: number): number {
    return i < this.text.length ? this.startAt(i) : this.endOffset;
  }

  slice(a: number, b: number = this.text.length): MappedText {
    const lo = Math.max(0, Math.min(a, this.text.length));
    const hi = Math.max(lo, Math.min(b, this.text.length));
    if (!this.st) return new MappedText(this.text.slice(lo, hi), this.base + lo, null, null, this.offsetAt(hi));
    return new MappedText(
      this.text.slice(lo, hi),
      -1,
      this.st.subarray(lo, hi),
      this.en!.subarray(lo, hi),
      this.offsetAt(hi),
    );
  }

  /** The file span covered by text indices a..b. */
  span(a: number, b: number): Span {
    const lo = Math.max(0, Math.min(a, this.text.length));
    const hi = Math.max(lo, Math.min(b, this.text.length));
    if (hi === lo) {
      const o = this.offsetAt(lo);
      return { start: o, end: o };
    }
    return { start: this.startAt(lo), end: Math.max(this.startAt(lo), this.endAt(hi - 1)) };
  }

  /**
   * The text with each `${VAR}` expansion written back as the `${VAR}` of `fileText` it replaced (the text as written,
   * line joins and cut comments aside).
   */
  asWritten(fileText: string): string {
    if (!this.st) return this.text;
    let out = '';
    for (let i = 0; i < this.text.length; i++) {
      const s = this.st[i]!;
      const e = this.en![i]!;
      const source = e - s > 1 ? fileText.slice(s, e) : '';
      if (/^\$\{[A-Z0-9_]+\}$/.test(source)) {
        out += source;
        while (i + 1 < this.text.length && this.st[i + 1] === s && this.en![i + 1] === e) i++;
      } else out += this.text[i];
    }
    return out;
  }

  /** Maps a span of `text` (as offsets into it) back to the file. */
  mapSpan(s: Span): Span {
    return this.span(s.start, s.end);
  }
}

// Python's notion of whitespace and line breaks (str.isspace, re's \s, str.splitlines).

export function isPySpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    (c >= 0x1c && c <= 0x20) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

export function isPyLineBreak(c: number): boolean {
  return (c >= 10 && c <= 13) || c === 0x1c || c === 0x1d || c === 0x1e || c === 0x85 || c === 0x2028 || c === 0x2029;
}
