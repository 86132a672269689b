// PEP 508 dependency specifiers parsed exactly as packaging 26.2's _parser does, with the span of every part.
import { SpanError } from './span-error';
import { Marker, MarkerError, Tokenizer, parseMarkerList } from './marker';
import { SpecifierError, SpecifierSet } from './specifier';

/** Half-open range of UTF-16 offsets into the parsed string. */
export interface Span {
  start: number;
  end: number;
}

/** An invalid requirement: `message` is packaging's ("Expected ..."), `[offset, end)` its error span. */
export class RequirementError extends SpanError {
  override name = 'RequirementError';
}

/** One parsed requirement; spans are offsets into the parsed string. */
export interface ParsedRequirement {
  /** The name as written. */
  name: string;
  nameSpan: Span;
  /** Extras as written, in order. */
  extras: string[];
  /** Covers `[...]`. */
  extrasSpan: Span | null;
  /** `str(SpecifierSet)` as packaging prints it; "" when none. */
  specifier: string;
  specifierSet: SpecifierSet;
  /** The version part as written, parentheses included; null when there is none. */
  specifierSpan: Span | null;
  url: string | null;
  urlSpan: Span | null;
  marker: Marker | null;
  /** `str(Marker)`, or "". */
  markerText: string;
  markerSpan: Span | null;
}

function backOverWs(s: string, end: number, floor: number): number {
  while (end > floor && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  return end;
}

function parseMarkerAfterSemicolon(t: Tokenizer, spanStart: number, expected: string): { marker: Marker; span: Span } {
  if (t.take('SEMICOLON') === null) t.fail(`Expected ${expected} or end`, spanStart, t.pos);
  let start = t.pos;
  while (t.source[start] === ' ' || t.source[start] === '\t') start++;
  const list = parseMarkerList(t);
  t.take('WS');
  return { marker: new Marker(list), span: { start, end: backOverWs(t.source, t.pos, start) } };
}

function parse(text: string): ParsedRequirement {
  const t = new Tokenizer(text);
  t.take('WS');
  const nameStart = t.pos;
  const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier');
  const nameSpan = { start: nameStart, end: t.pos };
  t.take('WS');

  const extras: string[] = [];
  let extrasSpan: Span | null = null;
  if (t.peek('LEFT_BRACKET') !== null) {
    const open = t.pos;
    t.take('LEFT_BRACKET');
    t.take('WS');
    const first = t.take('IDENTIFIER');
    if (first !== null) {
      extras.push(first);
      for (;;) {
        t.take('WS');
        if (t.peek('IDENTIFIER') !== null) t.fail('Expected comma between extra names');
        if (t.take('COMMA') === null) break;
        t.take('WS');
        extras.push(t.expect('IDENTIFIER', 'extra name after comma'));
      }
    }
    t.take('WS');
    if (t.take('RIGHT_BRACKET') === null)
      t.fail('Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras', open);
    extrasSpan = { start: open, end: t.pos };
  }
  t.take('WS');

  let specifier = '';
  let specifierSpan: Span | null = null;
  let url: string | null = null;
  let urlSpan: Span | null = null;
  let marker: { marker: Marker; span: Span } | null = null;
  if (t.take('AT') !== null) {
    t.take('WS');
    const urlStart = t.pos;
    url = t.expect('URL', 'URL after @');
    urlSpan = { start: urlStart, end: t.pos };
    if (t.peek('END') === null) {
      t.expect('WS', 'whitespace after URL');
      if (t.peek('END') === null)
        marker = parseMarkerAfterSemicolon(t, urlStart, 'semicolon (after URL and whitespace)');
    }
  } else {
    const specStart = t.pos;
    let specEnd = specStart;
    const paren = t.take('LEFT_PARENTHESIS') !== null;
    t.take('WS');
    for (let tok = t.peek('SPECIFIER'); tok !== null; tok = t.peek('SPECIFIER')) {
      const itemStart = t.pos;
      t.pos += tok.length;
      specifier += tok;
      specEnd = t.pos;
      if (t.peek('VERSION_PREFIX_TRAIL') !== null)
        t.fail('.* suffix can only be used with `==` or `!=` operators', itemStart, t.pos + 1);
      if (t.peek('VERSION_LOCAL_LABEL_TRAIL') !== null)
        t.fail('Local version label can only be used with `==` or `!=` operators', itemStart, t.pos);
      t.take('WS');
      if (t.take('COMMA') === null) break;
      specifier += ',';
      specEnd = t.pos;
      t.take('WS');
    }
    t.take('WS');
    if (paren) {
      if (t.take('RIGHT_PARENTHESIS') === null)
        t.fail('Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier', specStart);
      specEnd = t.pos;
    }
    if (paren || specifier) specifierSpan = { start: specStart, end: specEnd };
    t.take('WS');
    if (t.peek('END') === null) {
      marker = parseMarkerAfterSemicolon(
        t,
        specStart,
        specifier
          ? 'comma (within version specifier), semicolon (after version specifier)'
          : 'semicolon (after name with no version specifier)',
      );
    }
  }
  t.expect('END', 'end of dependency specifier');

  let specifierSet: SpecifierSet;
  try {
    specifierSet = SpecifierSet.parse(specifier);
  } catch (e) {
    if (e instanceof SpecifierError && specifierSpan)
      throw new RequirementError(e.message, specifierSpan.start, specifierSpan.end);
    throw e;
  }
  return {
    name,
    nameSpan,
    extras,
    extrasSpan,
    specifier: specifierSet.toString(),
    specifierSet,
    specifierSpan,
    url,
    urlSpan,
    marker: marker?.marker ?? null,
    markerText: marker ? marker.marker.toString() : '',
    markerSpan: marker?.span ?? null,
  };
}

/**
 * Parses a PEP 508 requirement (`name[extras] (spec) ; marker` or `name @ url ; marker`) accepting exactly what
 * `packaging.requirements.Requirement` accepts. Throws `RequirementError` with packaging's message and span.
 * Results are remembered by text (an edit re-parses a whole file, but changes one line): treat them as read-only.
 */
export function parseRequirement(text: string): ParsedRequirement {
  const hit = memo.get(text);
  if (hit !== undefined) {
    if (hit instanceof RequirementError) throw hit;
    return hit;
  }
  let result: ParsedRequirement | RequirementError;
  try {
    result = parse(text);
  } catch (e) {
    if (e instanceof MarkerError) result = new RequirementError(e.message, e.offset, e.end);
    else throw e;
  }
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, result);
  if (result instanceof RequirementError) throw result;
  return result;
}

/** Parsed requirements by text; cleared whole when full (a cheap bound: files rarely hold this many distinct lines). */
const memo = new Map<string, ParsedRequirement | RequirementError>();
const MEMO_LIMIT = 50_000;
