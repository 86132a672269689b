// What the Marketplace page and CI users read from the repository: the licence, the changelog, the icon, the
// walkthrough, the TOML language and the pre-commit hook, held to package.json and the file-kind table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { codeList } from '../../server/src/model/codes';
import { classify, manifestEntries } from '../../server/src/workspace/file-kinds';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const commands = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
/** VS Code's own commands the walkthrough may link to (they open Quick Open and the Problems panel). */
const BUILT_IN = new Set(['workbench.action.quickOpen', 'workbench.actions.view.problems']);

describe('the settings', () => {
  it('checks.severityOverrides offers every diagnostic code, once each', () => {
    const names = pkg.contributes.configuration.properties['stackDoctor.checks.severityOverrides'].propertyNames.enum;
    assert.deepEqual([...names].sort(), [...codeList].sort());
  });
});

describe('the Marketplace page', () => {
  it("the README's commands and settings tables name every palette command and every setting", () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const hidden = new Set<string>(
      (pkg.contributes.menus?.commandPalette ?? [])
        .filter((m: { when?: string }) => m.when === 'false')
        .map((m: { command: string }) => m.command),
    );
    for (const c of pkg.contributes.commands as { command: string; title: string }[]) {
      if (hidden.has(c.command)) continue;
      assert.ok(readme.includes(`| Stack Doctor: ${c.title} | \`${c.command}\` |`), c.command);
    }
    for (const key of Object.keys(pkg.contributes.configuration.properties))
      assert.ok(readme.includes(`| \`${key}\` |`), key);
  });

  it('LICENSE is the licence package.json names', () => {
    assert.equal(pkg.license, 'MIT');
    const text = fs.readFileSync('LICENSE', 'utf8');
    assert.match(text, /^MIT License\n\nCopyright \(c\) \d{4} Stack Doctor contributors\n/);
    assert.match(text, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  });

  it('CHANGELOG.md has an Unreleased section and one for the version package.json gives', () => {
    const text = fs.readFileSync('CHANGELOG.md', 'utf8');
    const versions = [...text.matchAll(/^## \[([^\]]+)\]/gm)].map((m) => m[1]);
    assert.deepEqual(versions.slice(0, 2), ['Unreleased', pkg.version]);
  });

  it('the icon is a 128x128 PNG and the banner a colour with a theme', () => {
    assert.equal(pkg.icon, 'media/icon.png');
    const png = fs.readFileSync(pkg.icon);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.toString('latin1', 12, 16), 'IHDR');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
    assert.match(pkg.galleryBanner.color, /^#[0-9A-Fa-f]{6}$/);
    assert.ok(['dark', 'light'].includes(pkg.galleryBanner.theme));
  });

  it('the walkthrough: open a file, see a finding, pick a profile, create an environment; every link and page exists', () => {
    const [walkthrough, ...others] = pkg.contributes.walkthroughs;
    assert.equal(others.length, 0);
    const steps = walkthrough.steps as {
      id: string;
      description: string;
      media: { markdown: string };
      completionEvents: string[];
    }[];
    assert.deepEqual(
      steps.map((s) => s.id),
      ['openDependencyFile', 'seeFinding', 'selectProfile', 'createEnvironment'],
    );
    for (const step of steps) {
      assert.ok(fs.statSync(step.media.markdown).isFile(), step.media.markdown);
      assert.match(fs.readFileSync(step.media.markdown, 'utf8'), /^# /);
      const links = [...step.description.matchAll(/\(command:([\w.:-]+)/g)].map((m) => m[1]!);
      assert.ok(links.length > 0, `${step.id} has a button`);
      for (const id of links) assert.ok(commands.has(id) || BUILT_IN.has(id), `${step.id} links ${id}`);
      for (const event of step.completionEvents.filter((e) => e.startsWith('onCommand:'))) {
        const id = event.slice('onCommand:'.length);
        assert.ok(commands.has(id) || BUILT_IN.has(id), `${step.id} completes on ${id}`);
      }
    }
    // Every step but the first (opening a file is VS Code's Quick Open) runs a command of this extension.
    for (const step of steps.slice(1))
      assert.ok([...step.description.matchAll(/\(command:(stackDoctor\.\w+)/g)].length);
    assert.deepEqual(
      steps.find((s) => s.id === 'selectProfile')!.description.match(/command:(\S+?)\)/)![1],
      'stackDoctor.selectProfile',
    );
  });

  it('pyproject.toml and the other TOML files of Python projects open as TOML, with a language configuration', () => {
    const toml = pkg.contributes.languages.find((l: { id: string }) => l.id === 'toml');
    assert.ok(toml, 'a toml language');
    for (const name of ['pyproject.toml', 'pixi.toml', 'poetry.lock', 'uv.lock', 'pylock.toml'])
      assert.ok(toml.filenames.includes(name), name);
    assert.deepEqual(toml.filenamePatterns, ['pylock.*.toml']);
    // Not every `.toml`: opening a Cargo.toml must not start the language server (`onLanguage:toml` activates it).
    assert.equal(toml.extensions, undefined);
    const config = JSON.parse(fs.readFileSync(toml.configuration, 'utf8'));
    assert.equal(config.comments.lineComment, '#');
    // No grammar of ours: a TOML extension that contributes the same language id brings its highlighting.
    assert.ok(!pkg.contributes.grammars.some((g: { language: string }) => g.language === 'toml'));
  });
});

describe('CI', () => {
  const hooks = parseYaml(fs.readFileSync('.pre-commit-hooks.yaml', 'utf8')) as Record<string, unknown>[];

  it('the pre-commit hook runs the command line of the npm package on the files it is given', () => {
    assert.equal(hooks.length, 1);
    const hook = hooks[0]!;
    assert.equal(hook.id, 'stack-doctor');
    assert.equal(hook.language, 'node');
    assert.equal(hook.entry, 'stack-doctor check');
    assert.equal(hook.pass_filenames, true);
    assert.equal(pkg.bin[String(hook.entry).split(' ')[0]!], './dist/cli.js');
    // pre-commit packs the hook's repository with npm: the command line must be built then.
    assert.equal(pkg.scripts.prepack, 'node esbuild.mjs');
  });

  it("the hook's files are the file-kind table's names, in any folder", () => {
    const files = String(hooks[0]!.files);
    assert.equal(files, manifestEntries().preCommitFiles);
    // Python's `(?i)` prefix is JavaScript's `i` flag; the rest of this regex means the same in both.
    assert.ok(files.startsWith('(?i)'));
    const re = new RegExp(files.slice(4), 'i');
    const paths = [
      'requirements.txt',
      'svc/Requirements-GPU.txt',
      'requirements/base.in',
      'ci/constraints-cu121.txt',
      'env/environment.yaml',
      'gpu.environment.yml',
      'conda-linux.yml',
      'pkg/pyproject.toml',
      'dev-requirements.in',
      'docs.requirements.txt',
      'setup.py',
      'requirements.txt.bak',
      'myrequirements.txt',
      'environment.yml.orig',
      'other/base.txt',
      'pyproject.toml/readme.md',
    ];
    for (const p of paths) assert.equal(re.test(p), classify(p) !== null, p);
  });

  it('the README documents the hook and a GitHub Actions step that uploads SARIF to code scanning', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    assert.match(readme, /id: stack-doctor/);
    assert.match(readme, /github\/codeql-action\/upload-sarif@v\d/);
    assert.match(readme, /--format sarif/);
    assert.match(readme, /npx stack-doctor check/);
  });
});
