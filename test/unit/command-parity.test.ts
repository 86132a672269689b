// The client's command table and package.json agree: every contributed command is registered, every registered one
// is contributed, and every menu, keybinding or activation event names one of them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';

/**
 * The keys of the `commands` table of client/src/commands/index.ts, read from its source (the module imports `vscode`,
 * which a unit test cannot load): the object literal's `'id': factory` entries.
 */
function tableCommands(): string[] {
  const file = 'client/src/commands/index.ts';
  const source = fs.readFileSync(file, 'utf8');
  const table = /export const commands\b[^=]*=\s*\{([^}]*)\}/.exec(source);
  assert.ok(table, `no commands table in ${file}`);
  const entries = table[1]!
    .split(/,\s*/)
    .map((e) => e.trim())
    .filter((e) => e && !e.startsWith('//'));
  return entries.map((e) => {
    const m = /^'([^']+)'\s*:\s*[A-Za-z_$][\w$]*$/.exec(e);
    assert.ok(m, `${file}: an entry that is not 'id': factory: ${e}`);
    return m[1]!;
  });
}

interface Manifest {
  activationEvents?: string[];
  contributes: {
    commands: { command: string }[];
    menus?: Record<string, { command?: string }[]>;
    keybindings?: { command: string }[];
  };
}

describe('command parity', () => {
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as Manifest;
  const table = tableCommands();

  it('registers exactly the commands package.json contributes, each once', () => {
    const contributed = pkg.contributes.commands.map((c) => c.command);
    assert.equal(new Set(contributed).size, contributed.length, 'each contributed once');
    assert.equal(new Set(table).size, table.length, 'each registered once');
    assert.deepEqual([...table].sort(), [...contributed].sort());
  });

  it('names only registered commands in menus, keybindings and activation events', () => {
    const named: string[] = [
      ...Object.values(pkg.contributes.menus ?? {}).flatMap((items) =>
        items.flatMap((i) => (i.command ? [i.command] : [])),
      ),
      ...(pkg.contributes.keybindings ?? []).map((k) => k.command),
      ...(pkg.activationEvents ?? [])
        .filter((e) => e.startsWith('onCommand:'))
        .map((e) => e.slice('onCommand:'.length)),
    ];
    for (const c of named) assert.ok(table.includes(c), `${c} is named in package.json but not registered`);
  });
});
