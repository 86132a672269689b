// The conda solve of an environment: rattler's solver over gathered records, then blame, explanation, CUDA cases and
// verified fixes.
import type { Dependency, Fix, TextEdit } from '../model/types';
import { isMatchSpecError, parseMatchSpec, type MatchSpec } from '../conda-spec/match-spec';
import { sharedSolver, VIRTUAL_HOST, type RattlerSolver, type SolvedRecord } from './rattler';
import { closestNames, cmpVersion, distinctVersionsDesc, rattlerSpec, recordMatches } from './record-match';
import type { ChannelRecord } from './repodata';
import { specName } from './repodata';
import { serve, type Served } from './served-channel';
import type { VirtualPackage } from './virtual-packages';
import type { ChannelPriority, CondaConflict, CondaNotFound, CondaPackage, CondaSolveReport } from '../model/reports';

/** A top-level conda spec with its line. */
export interface SpecLine {
  dep: Dependency;
  spec: MatchSpec;
  /** Index of the channel a `channel::name` spec names (in the solve's list), or null. */
  channel: number | null;
}

/** The solve's inputs. */
export interface SolveSetup {
  lines: SpecLine[];
  /** Records by name (gathered), channel index on each. */
  records: Map<string, ChannelRecord[]>;
  channelNames: string[];
  priority: ChannelPriority;
  subdir: string;
  virtual: VirtualPackage[];
  /** False when the target's driver was not probed and no CONDA_OVERRIDE_CUDA is set (default true). */
  cudaKnown?: boolean;
  /** 1-based line of a dependency, for explanations. */
  lineOf: (dep: Dependency) => number;
  /** All names the channels have (for closest-name suggestions). */
  allNames: () => Iterable<string>;
  timeoutMs: number;
  solver?: RattlerSolver;
  /**
   * `pip:` lines that could move to the conda part: each is kept in `condaHas` only when the environment plus its conda
   * spec solves.
   */
  pipMoves?: { pipName: string; condaName: string; spec: string; replaces: Dependency | null }[];
  /**
   * How a fix rewrites a line to another version (conda's fuzzy `1.2.*`, or `*`) and build glob: what the title shows
   * and the edits. Default: the line as a match spec (`numpy=1.2`), as environment.yml writes it.
   */
  respell?: (dep: Dependency, version: string, build: string | null) => { text: string; edits: TextEdit[] };
  /**
   * When the solve fails, stop at the verdict: one conflict of every line with the solver's text, no minimal lines,
   * explanation or fixes (the caller solves again with more records).
   */
  verdictOnly?: boolean;
}

interface Ctx {
  setup: SolveSetup;
  solver: RattlerSolver;
  served: Served;
  deadline: number;
  solveMs: number;
  cache: Map<string, Promise<Outcome>>;
}

type Outcome = { ok: true; records: SolvedRecord[] } | { ok: false; unsat: boolean; message: string };

function lockedOf(virtual: readonly VirtualPackage[]): unknown[] {
  return virtual.map((v) => ({
    packageName: v.name,
    version: v.version,
    build: v.build,
    buildNumber: 0,
    url: `http://${VIRTUAL_HOST}/virtual/${v.name}-${v.version}-${v.build}.conda`,
    filename: `${v.name}-${v.version}-${v.build}.conda`,
  }));
}

async function run(
  ctx: Ctx,
  specs: string[],
  virtual: readonly VirtualPackage[] = ctx.setup.virtual,
): Promise<Outcome> {
  const key = JSON.stringify([specs, virtual]);
  const hit = ctx.cache.get(key);
  if (hit) return hit;
  const left = ctx.deadline - Date.now();
  if (left <= 0) return { ok: false, unsat: false, message: 'the time for the conda solve ran out' };
  const t0 = Date.now();
  // Virtual packages are always installed, as conda has them: asked for by name so that constrains on them apply.
  const all = [...specs, ...virtual.map((v) => v.name)];
  const p = ctx.solver
    .solve(all, [ctx.served.channelUrl], [ctx.setup.subdir, 'noarch'], lockedOf(virtual), left)
    .then((o) => {
      ctx.solveMs += Date.now() - t0;
      return o;
    });
  ctx.cache.set(key, p);
  return p;
}

const specsOf = (lines: readonly SpecLine[]): string[] => lines.map((l) => rattlerSpec(l.spec));

/** Makes the solver's text read with channel names instead of the in-memory channel's URL. */
function cleanMessage(ctx: Ctx, message: string): string {
  return message
    .replace(/^Cannot solve the request because of: /, '')
    .replace(
      new RegExp(`http://${VIRTUAL_HOST.replace(/\./g, '\\.')}/[0-9a-f]+/?`, 'g'),
      ctx.setup.channelNames.join(', '),
    )
    .trim();
}

/** Drops lines while the rest still fails: a minimal set of lines that cannot be installed together. */
async function minimalCore(ctx: Ctx, lines: SpecLine[], seedNames: Set<string>): Promise<SpecLine[] | null> {
  let cur = lines;
  const seed = lines.filter((l) => seedNames.has(l.spec.name.toLowerCase()));
  if (seed.length && seed.length < lines.length) {
    const o = await run(ctx, specsOf(seed));
    if (!o.ok && o.unsat) cur = seed;
  }
  for (const l of [...cur]) {
    if (cur.length === 1) break;
    const trial = cur.filter((x) => x !== l);
    const o = await run(ctx, specsOf(trial));
    if (!o.ok && !o.unsat) return null;
    if (!o.ok) cur = trial;
  }
  return cur;
}

function pkgOf(ctx: Ctx, r: SolvedRecord): CondaPackage | null {
  if (r.name.startsWith('__')) return null;
  const sub = r.subdir === 'noarch' ? 'noarch' : ctx.setup.subdir;
  const rec = ctx.served.byFile.get(`${sub}/${r.fn}`);
  const python = rec ? rec.noarch === 'python' || rec.depends.some((d) => specName(d) === 'python') : false;
  return {
    name: r.name,
    version: r.version,
    build: r.build,
    subdir: sub,
    channel: rec ? (ctx.setup.channelNames[rec.channel] ?? '') : '',
    python,
    depends: rec ? rec.depends : [],
  };
}

/** The spec text of a line with its version (and build) replaced, the channel kept. */
function respec(l: SpecLine, version: string, build: string | null): string {
  const ch = l.spec.channel ? `${l.spec.channel}${l.spec.subdir ? `/${l.spec.subdir}` : ''}::` : '';
  const v = version.replace(/\.\*$/, '');
  return build ? `${ch}${l.spec.name}=${v}=${build}` : `${ch}${l.spec.name}=${v}`;
}

/** A fix's text and edits: the setup's spelling, else the line as a match spec. */
function spell(ctx: Ctx, l: SpecLine, version: string, build: string | null): { text: string; edits: TextEdit[] } {
  if (ctx.setup.respell) return ctx.setup.respell(l.dep, version, build);
  const text = respec(l, version, build);
  return { text, edits: [{ file: l.dep.file, span: l.dep.span, newText: text }] };
}

/** conda's fuzzy `=1.2` as a version spec. */
const fuzzy = (v: string): string => (v.endsWith('.*') ? v : `${v}.*`);

function explain(ctx: Ctx, core: SpecLine[], message: string): string {
  const parts: string[] = [];
  for (const a of core) {
    const recs = (ctx.setup.records.get(a.spec.name.toLowerCase()) ?? []).filter((r) => recordMatches(a.spec, r));
    for (const b of core) {
      if (a === b) continue;
      const bn = b.spec.name.toLowerCase();
      const needs = new Map<string, string>();
      for (const r of recs) {
        const d = r.depends.find((x) => specName(x) === bn);
        if (d === undefined) continue;
        const rest = d
          .trim()
          .slice(d.trim().indexOf(' ') + 1)
          .trim();
        if (d.trim().includes(' ') && !needs.has(rest)) needs.set(rest, r.version);
      }
      if (!needs.size) continue;
      const shown = [...needs]
        .slice(0, 2)
        .map(([spec, v]) => `${a.spec.name} ${v} needs ${bn} ${spec}`)
        .join(', ');
      parts.push(
        `${shown}${needs.size > 2 ? ` (and ${needs.size - 2} more builds alike)` : ''}; ` +
          `${b.dep.text} is asked at line ${ctx.setup.lineOf(b.dep)}`,
      );
    }
  }
  if (parts.length) return [...new Set(parts)].join('\n');
  const lines = core.map((l) => `${l.dep.text} (line ${ctx.setup.lineOf(l.dep)})`).join(', ');
  return `${lines}: ${cleanMessage(ctx, message)}`;
}

/** CUDA versions the reached builds ask for (`__cuda >=X`), ascending. */
function cudaNeeds(ctx: Ctx): string[] {
  const out = new Set<string>();
  for (const recs of ctx.setup.records.values())
    for (const r of recs)
      for (const d of r.depends) {
        const m = /^__cuda\s*>=?\s*([0-9][0-9.]*)/.exec(d.trim());
        if (m) out.add(m[1]!);
      }
  return [...out].sort(cmpVersion);
}

/** Whether `__cuda` is what fails, and the smallest driver CUDA that solves (null when no CUDA version helps). */
async function cudaCause(ctx: Ctx, specs: string[]): Promise<CondaConflict['cuda']> {
  const has = ctx.setup.virtual.find((v) => v.name === '__cuda')?.version ?? null;
  const others = ctx.setup.virtual.filter((v) => v.name !== '__cuda');
  const withCuda = (v: string): VirtualPackage[] => [...others, { name: '__cuda', version: v, build: '0' }];
  const high = await run(ctx, specs, withCuda('999'));
  if (!high.ok) return null;
  let needs: string | null = null;
  for (const v of cudaNeeds(ctx)
    .filter((v) => !has || cmpVersion(v, has) > 0)
    .slice(0, 8)) {
    const o = await run(ctx, specs, withCuda(v));
    if (o.ok) {
      needs = v;
      break;
    }
  }
  return {
    kind: has ? 'cuda-driver' : 'cuda-unavailable',
    needs,
    has,
    known: has !== null || ctx.setup.cudaKnown !== false,
  };
}

/** Fixes for the lines of a conflict, each accepted by a solve of the whole environment with the line changed. */
async function fixesFor(
  ctx: Ctx,
  all: SpecLine[],
  core: SpecLine[],
  cuda: CondaConflict['cuda'],
): Promise<{ dep: Dependency; fix: Fix }[]> {
  const out: { dep: Dependency; fix: Fix }[] = [];
  const tryLine = async (l: SpecLine, version: string, build: string | null): Promise<boolean> => {
    const changed = all.map((x) =>
      x === l ? rattlerSpec({ name: x.spec.name, version: fuzzy(version), build }) : rattlerSpec(x.spec),
    );
    const o = await run(ctx, changed);
    return o.ok;
  };
  for (const l of core) {
    const name = l.spec.name.toLowerCase();
    const recs = (ctx.setup.records.get(name) ?? []).filter((r) => l.channel === null || r.channel === l.channel);
    if (cuda) {
      // Pick another build of a version the line allows: a CUDA build the driver runs, or the CPU one.
      const allowed = recs.filter((r) => recordMatches({ version: l.spec.version, build: null }, r));
      const flavours = new Set<string>();
      for (const r of allowed) {
        const m = /cuda(\d+)/i.exec(r.build);
        if (m) flavours.add(`*cuda${m[1]}*`);
        else if (/cpu/i.test(r.build)) flavours.add('*cpu*');
      }
      const ordered = [...flavours].sort((a, b) =>
        a === '*cpu*' ? 1 : b === '*cpu*' ? -1 : b.localeCompare(a, undefined, { numeric: true }),
      );
      for (const glob of ordered) {
        if (glob === l.spec.build) continue;
        const version = l.spec.version || '*';
        const changed = all.map((x) =>
          x === l ? rattlerSpec({ name: x.spec.name, version, build: glob }) : rattlerSpec(x.spec),
        );
        if ((await run(ctx, changed)).ok) {
          const { text, edits } = spell(ctx, l, version === '*' ? '*' : version, glob);
          out.push({
            dep: l.dep,
            fix: {
              title: glob === '*cpu*' ? `Use the CPU build: ${text}` : `Use the build for the driver's CUDA: ${text}`,
              edits,
              preferred: !out.length,
            },
          });
          break;
        }
      }
      if (out.some((f) => f.dep === l.dep)) continue;
    }
    const versions = distinctVersionsDesc(recs).filter(
      (v) => !recordMatches({ version: l.spec.version, build: null }, { version: v, build: '' }),
    );
    const candidates =
      name === 'python'
        ? [...new Set(versions.map((v) => v.split('.').slice(0, 2).join('.')))].slice(0, 6)
        : versions.slice(0, 8);
    for (const v of candidates) {
      if (Date.now() > ctx.deadline) break;
      if (await tryLine(l, v, null)) {
        const { text, edits } = spell(ctx, l, fuzzy(v), null);
        out.push({
          dep: l.dep,
          fix: {
            title: `Change to ${text} (a solve accepts it)`,
            edits,
            preferred: !out.length,
          },
        });
        break;
      }
    }
  }
  return out;
}

/** The names the solver's text mentions (to seed the search for the lines that take part). */
function namesIn(message: string): Set<string> {
  const out = new Set<string>();
  for (const m of message.matchAll(/(?:^|[\s\u2500\u2514\u251c\u2502])([A-Za-z0-9_][A-Za-z0-9_.+-]*)(?=[ =<>!~]|$)/gm))
    out.add(m[1]!.toLowerCase());
  return out;
}

/** Solves the environment and, when conda would refuse it, finds the lines, the explanation and verified fixes. */
export async function solveEnvironment(setup: SolveSetup): Promise<
  Pick<CondaSolveReport, 'status' | 'unavailable' | 'picked' | 'solution' | 'notFound' | 'conflicts' | 'condaHas'> & {
    solves: number;
    solveMs: number;
  }
> {
  const solver = setup.solver ?? sharedSolver();
  const served = serve(setup, solver);
  const ctx: Ctx = { setup, solver, served, deadline: Date.now() + setup.timeoutMs, solveMs: 0, cache: new Map() };
  const before = solver.solves;
  try {
    const notFound: CondaNotFound[] = [];
    const where = setup.channelNames.join(', ') || 'the channels';
    const live: SpecLine[] = [];
    for (const l of setup.lines) {
      const name = l.spec.name.toLowerCase();
      let recs = (setup.records.get(name) ?? []).filter((r) => l.channel === null || r.channel === l.channel);
      // Strict channel priority: only the first channel that has the name counts (as `serve` applies it).
      if (l.channel === null && setup.priority === 'strict' && recs.length) {
        const firstChannel = Math.min(...recs.map((r) => r.channel));
        recs = recs.filter((r) => r.channel === firstChannel);
      }
      if (!recs.length)
        notFound.push({
          dep: l.dep,
          kind: 'package',
          suggestions: closestNames(name, setup.allNames()),
          where: l.channel !== null ? (setup.channelNames[l.channel] ?? where) : where,
        });
      else if (!recs.some((r) => recordMatches(l.spec, r))) {
        const strictNote =
          l.channel === null && setup.priority === 'strict'
            ? `${setup.channelNames[recs[0]!.channel] ?? where} (strict channel ` +
              `priority: only the first channel that has ${name} counts)`
            : null;
        notFound.push({
          dep: l.dep,
          kind: 'version',
          suggestions: distinctVersionsDesc(recs).slice(0, 3),
          where: l.channel !== null ? (setup.channelNames[l.channel] ?? where) : (strictNote ?? where),
        });
      } else live.push(l);
    }
    const first = await run(ctx, specsOf(live));
    const base = { notFound, condaHas: {}, solves: 0, solveMs: 0 };
    if (first.ok) {
      const solution = first.records.map((r) => pkgOf(ctx, r)).filter((p): p is CondaPackage => p !== null);
      const picked = live.flatMap((l) => {
        const p = solution.find((s) => s.name === l.spec.name.toLowerCase());
        return p ? [{ dep: l.dep, pkg: p }] : [];
      });
      const condaHas: CondaSolveReport['condaHas'] = {};
      for (const m of setup.pipMoves ?? []) {
        if (!solution.some((p) => p.name === m.condaName)) continue;
        const kept = live.filter((l) => l.dep !== m.replaces);
        if ((await run(ctx, [...specsOf(kept), m.spec])).ok)
          condaHas[m.pipName] = { condaName: m.condaName, spec: m.spec, replaces: m.replaces };
      }
      return {
        ...base,
        condaHas,
        status: notFound.length ? 'failed' : 'ok',
        unavailable: null,
        picked,
        solution,
        conflicts: [],
        solves: solver.solves - before,
        solveMs: ctx.solveMs,
      };
    }
    if (!first.unsat)
      return {
        ...base,
        status: notFound.length ? 'failed' : 'unavailable',
        unavailable: first.message,
        picked: [],
        solution: [],
        conflicts: [],
        solves: solver.solves - before,
        solveMs: ctx.solveMs,
      };
    // A failed solve's result, and the conflict of every line with rattler's own message where no core is found.
    const failed = (conflicts: CondaConflict[]) => ({
      ...base,
      status: 'failed' as const,
      unavailable: null,
      picked: [],
      solution: [],
      conflicts,
      solves: solver.solves - before,
      solveMs: ctx.solveMs,
    });
    const whole = (): CondaConflict => ({
      roots: live.map((l) => l.dep),
      explanation: cleanMessage(ctx, first.message),
      cuda: null,
      fixes: [],
    });
    if (setup.verdictOnly) return failed([whole()]);
    // Cores until the rest solves (at most three).
    const conflicts: CondaConflict[] = [];
    let rest = live;
    let message = first.message;
    for (let i = 0; i < 3 && rest.length; i++) {
      const core = await minimalCore(ctx, rest, namesIn(message));
      if (!core) break;
      const cuda =
        /__cuda/.test(message) || core.some((l) => /cuda/i.test(l.spec.build ?? ''))
          ? await cudaCause(ctx, specsOf(core))
          : null;
      const coreMsg = await run(ctx, specsOf(core));
      const text = cuda
        ? cudaExplanation(ctx, core, cuda)
        : explain(ctx, core, !coreMsg.ok ? coreMsg.message : message);
      conflicts.push({
        roots: core.map((l) => l.dep),
        explanation: text,
        cuda,
        fixes: await fixesFor(ctx, live, core, cuda),
      });
      rest = rest.filter((l) => !core.includes(l));
      const o = await run(ctx, specsOf(rest));
      if (o.ok || !o.unsat) break;
      message = o.message;
    }
    if (!conflicts.length) conflicts.push(whole());
    return failed(conflicts);
  } finally {
    solver.drop(served.id);
  }
}

function cudaExplanation(ctx: Ctx, core: SpecLine[], cuda: NonNullable<CondaConflict['cuda']>): string {
  const lines = core.map((l) => `${l.dep.text} (line ${ctx.setup.lineOf(l.dep)})`).join(', ');
  const need = cuda.needs ? `a driver that supports CUDA ${cuda.needs} or newer` : 'an NVIDIA driver';
  return cuda.has
    ? `${lines}: every build that fits needs ${need} (__cuda >=${cuda.needs ?? '?'}), and the ` +
        `target's driver supports CUDA ${cuda.has} (__cuda=${cuda.has}); conda refuses the install.`
    : `${lines}: every build that fits needs ${need} (__cuda${cuda.needs ? ` >=${cuda.needs}` : ''}), ` +
        `and the target has no NVIDIA driver (no __cuda); conda refuses the install.`;
}

/**
 * Parses a line's spec for the solve, or null where conda's parser would reject it (the parser's syntax finding covers
 * it).
 */
export function specLineOf(dep: Dependency): MatchSpec | null {
  const m = parseMatchSpec(dep.text);
  return isMatchSpecError(m) || m.url ? null : m;
}
