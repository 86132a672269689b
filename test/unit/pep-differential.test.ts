// Differential tests: every fixture answer that packaging 26.2 gave (test/fixtures/pep/generate.py) must be ours too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { canonicalizeName, isNormalizedName, isValidName } from '../../server/src/pep/name';
import { Version } from '../../server/src/pep/version';
import { Specifier, SpecifierError, SpecifierSet } from '../../server/src/pep/specifier';
import { Marker, MarkerError } from '../../server/src/pep/marker';
import { parseRequirement, RequirementError } from '../../server/src/pep/requirement';
import { VersionSet } from '../../server/src/pep/version-set';

function fixture<T>(name: string): T {
  return JSON.parse(
    readFileSync(resolve(process.cwd(), process.env.PEP_FIXTURES ?? 'test/fixtures/pep', name), 'utf8'),
  ) as T;
}

/** Collects mismatches so one run reports them all (first 20), then asserts there were none. */
class Mismatches {
  readonly list: string[] = [];
  checked = 0;
  eq(label: string, got: unknown, want: unknown): void {
    this.checked++;
    if (JSON.stringify(got) !== JSON.stringify(want))
      this.list.push(`${label}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  done(min: number): void {
    assert.deepEqual(this.list.slice(0, 20), [], `${this.list.length} mismatches of ${this.checked}`);
    assert.ok(this.checked >= min, `only ${this.checked} checks`);
  }
}

interface VersionCase {
  s: string;
  ok: boolean;
  str?: string;
  public?: string;
  base?: string;
  epoch?: number;
  release?: number[] | null;
  pre?: [string, number] | null;
  post?: number | null;
  dev?: number | null;
  local?: string | null;
  isPre?: boolean;
  isPost?: boolean;
  isDev?: boolean;
}

describe('pep differential against packaging 26.2', () => {
  it('parses and normalizes versions', () => {
    const m = new Mismatches();
    for (const c of fixture<VersionCase[]>('versions.json')) {
      const v = Version.parse(c.s);
      m.eq(`valid ${JSON.stringify(c.s)}`, v !== null, c.ok);
      if (!v || !c.ok) continue;
      m.eq(`str ${c.s}`, v.toString(), c.str);
      m.eq(`public ${c.s}`, v.public, c.public);
      m.eq(`base ${c.s}`, v.baseVersion, c.base);
      m.eq(`parts ${c.s}`, [v.epoch, v.pre, v.post, v.dev, v.local], [c.epoch, c.pre, c.post, c.dev, c.local]);
      if (c.release) m.eq(`release ${c.s}`, v.release, c.release);
      m.eq(`flags ${c.s}`, [v.isPrerelease, v.isPostrelease, v.isDevrelease], [c.isPre, c.isPost, c.isDev]);
    }
    m.done(3000);
  });

  it('orders versions', () => {
    const f = fixture<{ versions: string[]; pairs: [number, number, number][] }>('ordering.json');
    const vs = f.versions.map((s) => Version.parse(s)!);
    const m = new Mismatches();
    for (const [a, b, c] of f.pairs) m.eq(`${f.versions[a]} vs ${f.versions[b]}`, Math.sign(vs[a]!.compare(vs[b]!)), c);
    m.done(4000);
  });

  it('parses specifiers and answers contains() with prereleases None/True/False', () => {
    type Row = [string, boolean, boolean, boolean];
    const m = new Mismatches();
    for (const c of fixture<
      { s: string; ok: boolean; str?: string; op?: string; version?: string; pre?: boolean | null; contains?: Row[] }[]
    >('specifiers.json')) {
      let spec: Specifier | null = null;
      try {
        spec = Specifier.parse(c.s);
      } catch (e) {
        if (!(e instanceof SpecifierError)) throw e;
      }
      m.eq(`valid ${JSON.stringify(c.s)}`, spec !== null, c.ok);
      if (!spec || !c.ok) continue;
      m.eq(
        `str ${c.s}`,
        [spec.toString(), spec.operator, spec.version, spec.prereleases ?? null],
        [c.str, c.op, c.version, c.pre],
      );
      for (const [v, none, yes, no] of c.contains!) {
        m.eq(
          `${c.s} contains ${v}`,
          [spec.contains(v), spec.contains(v, true), spec.contains(v, false)],
          [none, yes, no],
        );
      }
    }
    m.done(30000);
  });

  it('parses specifier sets, prints them, answers contains() and filter()', () => {
    type Row = [string, boolean, boolean, boolean, boolean | null];
    const m = new Mismatches();
    for (const c of fixture<
      {
        s: string;
        ok: boolean;
        str?: string;
        pre?: boolean | null;
        contains?: Row[];
        filterIn?: string[];
        filter?: string[][] | null;
      }[]
    >('specifier-sets.json')) {
      let set: SpecifierSet | null = null;
      try {
        set = SpecifierSet.parse(c.s);
      } catch (e) {
        if (!(e instanceof SpecifierError)) throw e;
      }
      m.eq(`valid ${JSON.stringify(c.s)}`, set !== null, c.ok);
      if (!set || !c.ok) continue;
      m.eq(`str ${c.s}`, [set.toString(), set.prereleases ?? null], [c.str, c.pre]);
      for (const [v, none, yes, no, asVersion] of c.contains!) {
        const parsed = Version.parse(v);
        m.eq(
          `${c.s} contains ${v}`,
          [set.contains(v), set.contains(v, true), set.contains(v, false), parsed ? set.contains(parsed) : null],
          [none, yes, no, asVersion],
        );
      }
      if (c.filter) {
        const input = c.filterIn!.map((s) => Version.parse(s)!);
        const got = [set.filter(input), set.filter(input, true), set.filter(input, false)].map((l) => l.map(String));
        m.eq(`${c.s} filter`, got, c.filter);
      }
    }
    m.done(8000);
  });

  it('parses, prints and evaluates markers', () => {
    const f = fixture<{
      envs: Record<string, string>[];
      cases: {
        s: string;
        ok: boolean;
        msg?: string | null;
        span?: [number, number];
        str?: string;
        eval?: (boolean | string)[];
      }[];
    }>('markers.json');
    const m = new Mismatches();
    for (const c of f.cases) {
      let marker: Marker | null = null;
      let err: MarkerError | null = null;
      try {
        marker = Marker.parse(c.s);
      } catch (e) {
        if (!(e instanceof MarkerError)) throw e;
        err = e;
      }
      m.eq(`valid ${JSON.stringify(c.s)}`, marker !== null, c.ok);
      if (err && !c.ok && c.msg)
        m.eq(`error ${JSON.stringify(c.s)}`, [err.message, err.offset, err.end], [c.msg, ...c.span!]);
      if (!marker || !c.ok) continue;
      m.eq(`str ${JSON.stringify(c.s)}`, marker.toString(), c.str);
      f.envs.forEach((env, i) => {
        let got: boolean | string;
        try {
          got = marker!.evaluate(env);
        } catch {
          got = 'error';
        }
        const want = c.eval![i]!;
        m.eq(`eval ${JSON.stringify(c.s)} env ${i}`, got, typeof want === 'string' ? 'error' : want);
      });
    }
    m.done(6000);
  });

  it(
    'parses requirements (name, extras, specifier, url, marker) ' +
      'and rejects what packaging rejects, at the same span',
    () => {
      const m = new Mismatches();
      type Case = {
        s: string;
        ok: boolean;
        msg?: string | null;
        span?: [number, number];
        name?: string;
        extras?: string[];
        specifier?: string | null;
        url?: string | null;
        marker?: string;
      };
      for (const c of fixture<Case[]>('requirements.json')) {
        try {
          const r = parseRequirement(c.s);
          m.eq(`valid ${JSON.stringify(c.s)}`, true, c.ok);
          if (!c.ok) continue;
          const got = {
            name: r.name,
            extras: r.extras,
            specifier: c.specifier === null ? null : r.specifier,
            url: r.url,
            marker: r.markerText,
          };
          m.eq(`parse ${JSON.stringify(c.s)}`, got, {
            name: c.name,
            extras: c.extras,
            specifier: c.specifier,
            url: c.url,
            marker: c.marker,
          });
          m.eq(`name span ${JSON.stringify(c.s)}`, c.s.slice(r.nameSpan.start, r.nameSpan.end), c.name);
          if (r.url !== null)
            m.eq(`url span ${JSON.stringify(c.s)}`, c.s.slice(r.urlSpan!.start, r.urlSpan!.end), r.url);
        } catch (e) {
          if (!(e instanceof RequirementError)) throw e;
          m.eq(`valid ${JSON.stringify(c.s)}`, false, c.ok);
          if (!c.ok && c.msg) m.eq(`error ${JSON.stringify(c.s)}`, [e.message, e.offset, e.end], [c.msg, ...c.span!]);
        }
      }
      m.done(2500);
    },
  );

  it('canonicalizes and validates names', () => {
    const m = new Mismatches();
    for (const [s, canon, valid, normalized] of fixture<[string, string, boolean, boolean][]>('names.json')) {
      m.eq(
        `name ${JSON.stringify(s)}`,
        [canonicalizeName(s), isValidName(s), isNormalizedName(s)],
        [canon, valid, normalized],
      );
    }
    m.done(400);
  });

  it(
    'VersionSet agrees with contains(v, prereleases=True) on ' +
      'sampled boundary versions; witness and set algebra hold',
    () => {
      const f = fixture<{ versions: string[]; sets: { s: string; samples: number[]; in: number[]; unsat: boolean }[] }>(
        'version-sets.json',
      );
      const vs = f.versions.map((s) => Version.parse(s)!);
      const m = new Mismatches();
      const built = f.sets.map((c) => VersionSet.fromSpecifierSet(SpecifierSet.parse(c.s)));
      f.sets.forEach((c, i) => {
        const set = built[i]!;
        const specs = SpecifierSet.parse(c.s);
        const inside = new Set(c.in);
        for (const j of c.samples) m.eq(`${c.s} ∋ ${f.versions[j]}`, set.contains(vs[j]!), inside.has(j));
        if (inside.size > 0) m.eq(`${c.s} nonempty`, set.isEmpty(), false);
        // packaging's is_unsatisfiable() is sound but not complete (it misses `!=0.*,<1.0` and `==1.post0.dev0,>1`),
        // so only its "unsatisfiable" answers bind; our non-empty answers are proven by the witness check below.
        if (c.unsat) m.eq(`${c.s} is_unsatisfiable() implies isEmpty`, set.isEmpty(), true);
        const w = set.witness();
        m.eq(`${c.s} witness/emptiness`, w === null, set.isEmpty());
        if (w) m.eq(`${c.s} witness ${w} contained`, specs.contains(w, true), true);
        const comp = set.complement();
        for (const j of c.samples) m.eq(`${c.s} complement ${f.versions[j]}`, comp.contains(vs[j]!), !inside.has(j));
        m.eq(`${c.s} complement twice`, comp.complement().equals(set), true);
        // Pairwise algebra against the neighbour's membership answers.
        const o = f.sets[(i + 1) % f.sets.length]!;
        const other = built[(i + 1) % f.sets.length]!;
        const oIn = new Set(o.in);
        const both = set.intersect(other);
        const either = set.union(other);
        const sampled = new Set([...c.samples, ...o.samples]);
        for (const j of sampled) {
          const a = specs.contains(vs[j]!, true);
          const b = oIn.has(j) || (!o.samples.includes(j) && SpecifierSet.parse(o.s).contains(vs[j]!, true));
          m.eq(`(${c.s}) ∩ (${o.s}) ∋ ${f.versions[j]}`, both.contains(vs[j]!), a && b);
          m.eq(`(${c.s}) ∪ (${o.s}) ∋ ${f.versions[j]}`, either.contains(vs[j]!), a || b);
        }
        const bw = both.witness();
        m.eq(`(${c.s}) ∩ (${o.s}) witness/emptiness`, bw === null, both.isEmpty());
        if (bw)
          m.eq(
            `(${c.s}) ∩ (${o.s}) witness ${bw}`,
            specs.contains(bw, true) && SpecifierSet.parse(o.s).contains(bw, true),
            true,
          );
      });
      m.done(60000);
    },
  );
});
