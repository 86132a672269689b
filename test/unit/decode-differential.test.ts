// Differential test: decodeDependencyFile against pip 23.2.1's auto_decode on byte files in the encodings requirements
// files come in (expected.json, written by encoding_oracle.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeDependencyFile } from '../../server/src/parsers/decode';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';

interface Expected {
  files: Record<string, { text: string | null; error: string | null; start?: number | null }>;
}

const corpus = join(__dirname, '..', '..', '..', 'test/fixtures/encoding-corpus');
const expected = JSON.parse(readFileSync(join(corpus, 'expected.json'), 'utf8')) as Expected;
const names = Object.keys(expected.files);

test('the corpus covers BOMs, coding comments and undecodable bytes', () => {
  assert.ok(names.length >= 20);
  assert.ok(names.filter((n) => expected.files[n]!.error).length >= 8);
  assert.ok(expected.files['powershell-freeze-utf16le.txt']!.text?.startsWith('numpy==1.26.4'));
});

for (const name of names) {
  const exp = expected.files[name]!;
  test(`pip's auto_decode agrees: ${name}${exp.error ? ` (${exp.error})` : ''}`, () => {
    const bytes = readFileSync(join(corpus, name));
    const got = decodeDependencyFile(bytes);
    if (exp.text !== null) {
      assert.equal(got.error, undefined, got.error);
      // A BOM stays as U+FEFF at offset 0 (as Node's UTF-8 reading keeps it); pip drops it.
      assert.equal(got.text!.replace(/^\ufeff/, ''), exp.text);
      return;
    }
    assert.ok(got.error !== undefined, 'pip cannot decode this file');
    if (typeof exp.start === 'number') assert.equal(got.byteOffset, exp.start, got.error);
    // The parser then reports the file as undecodable at that point, and reads nothing after it.
    assert.ok(got.lossy.includes('\ufffd'));
  });
}

test('a PowerShell freeze file parses as pip parses it', () => {
  const d = decodeDependencyFile(readFileSync(join(corpus, 'powershell-freeze-utf16le.txt')));
  const parsed = parseRequirementsFile('/p/requirements.txt', d.text!, { kind: 'requirements', env: {} });
  assert.deepEqual(parsed.findings, []);
  assert.deepEqual(
    parsed.dependencies.map((x) => [x.name, x.specifier, d.text!.slice(x.span.start, x.span.end)]),
    [
      ['numpy', '==1.26.4', 'numpy==1.26.4'],
      ['torch', '==2.1.2+cu121', 'torch==2.1.2+cu121'],
      ['transformers', '==4.36.2', 'transformers==4.36.2'],
    ],
  );
});

test('undecodable text is still reported, at the byte pip stops at', () => {
  const bytes = readFileSync(join(corpus, 'invalid-utf8.txt'));
  const d = decodeDependencyFile(bytes);
  assert.ok(d.error !== undefined);
  const parsed = parseRequirementsFile('/p/requirements.txt', d.lossy, { kind: 'requirements', env: {} });
  assert.equal(parsed.findings.length, 1);
  assert.match(parsed.findings[0]!.message, /not valid UTF-8/);
  assert.equal(d.lossy.slice(0, parsed.findings[0]!.span.start), 'numpy\nscipy  # ');
});

test('hostile input: 8 MB in each encoding decodes in linear time', () => {
  const n = 8 * 1024 * 1024;
  const files = [
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('numpy==1.0\n'.repeat(n / 22), 'utf16le')]),
    Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('numpy==1.0\n'.repeat(n / 22), 'utf16le').swap16()]),
    Buffer.concat([Buffer.from('# coding: cp1252\n'), Buffer.alloc(n, 0x80)]),
    Buffer.concat([Buffer.from('# coding: latin-1\n'), Buffer.alloc(n, 0xe9)]),
    Buffer.from('é'.repeat(n / 2)),
    Buffer.concat([
      Buffer.from([0x00, 0x00, 0xfe, 0xff]),
      Buffer.alloc((n / 4) * 4, 0).fill(Buffer.from([0, 0, 0, 0x61])),
    ]),
  ];
  for (const f of files) {
    const t = Date.now();
    const d = decodeDependencyFile(f);
    assert.equal(d.error, undefined);
    assert.ok(Date.now() - t < 10_000, `${Date.now() - t} ms`);
  }
});
