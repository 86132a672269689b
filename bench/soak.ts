// The 5,000-edit editing session: hover, completion, code action and link latency per kind, ranges checked
// against their versions, memory.
import { startPackageIndex } from '../test/helpers/package-index';
import { soak, type SoakResult } from '../test/helpers/soak';

const PACKAGES = [
  'numpy',
  'scipy',
  'pandas',
  'torch',
  'torchvision',
  'transformers',
  'tokenizers',
  'accelerate',
  'datasets',
  'pydantic',
  'fastapi',
  'uvicorn',
  'requests',
  'rich',
  'tqdm',
  'protobuf',
];

/** The session offline and over a loopback index (so that the index stage runs in the pauses). */
export async function benchSoak(
  edits = 5000,
  only?: 'offline' | 'index',
): Promise<Record<string, Omit<SoakResult, 'stderr'> & { stderrLines: number }>> {
  const out: Record<string, Omit<SoakResult, 'stderr'> & { stderrLines: number }> = {};
  const summarize = ({ stderr, ...rest }: SoakResult) => ({
    ...rest,
    outOfRange: rest.outOfRange.slice(0, 5),
    stderrLines: stderr ? stderr.split('\n').length : 0,
  });
  if (only !== 'index') out.offline = summarize(await soak({ edits }));
  if (only === 'offline') return out;
  const index = await startPackageIndex(
    PACKAGES.flatMap((name) => ['1.0.0', '2.0.0'].map((version) => ({ name, version }))),
  );
  try {
    out['loopback index'] = summarize(await soak({ edits, indexUrl: index.url }));
  } finally {
    await index.close();
  }
  return out;
}

// Bundled into run.js too, where `require.main === module` also holds: only `node out/bench/soak.js` runs this.
if (require.main === module && /[\\/]soak\.js$/.test(process.argv[1] ?? '')) {
  // `node out/bench/soak.js [edits] [offline|index]`: both sessions, or one.
  const only = process.argv[3] === 'offline' || process.argv[3] === 'index' ? process.argv[3] : undefined;
  void benchSoak(Number(process.argv[2] ?? 5000), only).then((r) => console.log(JSON.stringify(r, null, 2)));
}
