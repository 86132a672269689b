// The active environment: kept in workspaceState, shown in the status bar, put into new terminals (environment variable
// collection), and told to the Python extension and the language server.
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { activationVariables } from './environments/activation';
import { readEnvironment, type PythonEnvironment } from './environments/environment';
import { tellPythonExtension } from './python-extension';
import type { ServerController } from './server-controller';

const STATE_KEY = 'stackDoctor.activeEnvironment';

/** What is persisted: only where the environment is; the rest is read again from its folder. */
interface StoredEnvironment {
  prefix: string;
  source: PythonEnvironment['source'];
}

/** One entry of the terminal environment variable collection, for tests and diagnostics. */
export interface VariableEntry {
  variable: string;
  value: string;
  type: 'replace' | 'append' | 'prepend';
}

export class ActiveEnvironment implements vscode.Disposable {
  private current: PythonEnvironment | undefined;
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly server: ServerController,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.item = vscode.window.createStatusBarItem('stackDoctor.environment', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Stack Doctor: environment';
    this.item.command = 'stackDoctor.activateEnvironment';
    this.render();
    this.item.show();
    // A (re)started server holds no environment: tell it again. Not in an untrusted workspace, where it runs no
    // interpreter of ours.
    this.subscriptions.push(
      this.item,
      server.onDidStart(() => {
        if (vscode.workspace.isTrusted) void this.notifyServer(false);
      }),
    );
  }

  /** The active environment, or undefined. */
  get environment(): PythonEnvironment | undefined {
    return this.current;
  }

  /**
   * Brings back the environment stored for this workspace (read from its folder; nothing is run). In an untrusted
   * workspace it waits for trust: until then terminals get nothing and the server is told nothing.
   */
  async restore(): Promise<void> {
    const stored = this.context.workspaceState.get<StoredEnvironment>(STATE_KEY);
    if (!stored) {
      this.context.environmentVariableCollection.clear();
      return;
    }
    const env = await readEnvironment(stored.prefix, stored.source);
    if (!env) {
      this.output.warn(`The environment that was active, ${stored.prefix}, is gone.`);
      await this.clear();
      return;
    }
    if (!vscode.workspace.isTrusted) {
      this.context.environmentVariableCollection.clear();
      this.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restore()));
      return;
    }
    this.current = env;
    this.applyVariables(env);
    this.render();
    await this.notifyServer(false);
  }

  /**
   * Makes `env` the active environment: stored, shown, in new terminals, and told to the Python extension and the
   * language server. Returns warnings for the person (a server that is not running, a Python extension that failed).
   */
  async activate(env: PythonEnvironment): Promise<string[]> {
    this.current = env;
    await this.context.workspaceState.update(STATE_KEY, {
      prefix: env.prefix,
      source: env.source,
    } satisfies StoredEnvironment);
    this.applyVariables(env);
    this.render();
    this.output.info(`Activated ${env.name} (${env.prefix}, Python ${env.version ?? 'unknown'}).`);
    const warnings: string[] = [];
    const folder =
      vscode.workspace.getWorkspaceFolder(vscode.Uri.file(env.prefix)) ?? vscode.workspace.workspaceFolders?.[0];
    try {
      const how = await tellPythonExtension(env.python, folder);
      if (how !== 'not-installed')
        this.output.info(
          `Told the Python extension (${how === 'api' ? 'its environments API' : 'python.defaultInterpreterPath'}).`,
        );
    } catch (error) {
      warnings.push(
        `the Python extension could not be told (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    const told = await this.notifyServer(true);
    if (!told)
      warnings.push(
        'the language server is not running, so diagnostics will use this ' +
          'environment once it starts (Stack Doctor: Restart Language Server)',
      );
    return warnings;
  }

  /** Forgets the active environment: terminals, status bar and the language server go back to none. */
  async clear(): Promise<PythonEnvironment | undefined> {
    const was = this.current;
    this.current = undefined;
    await this.context.workspaceState.update(STATE_KEY, undefined);
    this.context.environmentVariableCollection.clear();
    this.render();
    await this.notifyServer(true);
    return was;
  }

  /** The terminal environment variable collection as it is now. */
  variables(): VariableEntry[] {
    const out: VariableEntry[] = [];
    const types: Record<number, VariableEntry['type']> = {
      [vscode.EnvironmentVariableMutatorType.Replace]: 'replace',
      [vscode.EnvironmentVariableMutatorType.Append]: 'append',
      [vscode.EnvironmentVariableMutatorType.Prepend]: 'prepend',
    };
    this.context.environmentVariableCollection.forEach((variable, mutator) =>
      out.push({ variable, value: mutator.value, type: types[mutator.type] ?? 'replace' }),
    );
    return out;
  }

  /** The status bar item's text and tooltip. */
  statusBar(): { text: string; tooltip: string; command: string } {
    return {
      text: this.item.text,
      tooltip: typeof this.item.tooltip === 'string' ? this.item.tooltip : '',
      command: 'stackDoctor.activateEnvironment',
    };
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  /**
   * PATH first, then the variables `activate` sets; those it removes are emptied when the host has them (Python treats
   * empty as unset).
   */
  private applyVariables(env: PythonEnvironment): void {
    const collection = this.context.environmentVariableCollection;
    const activation = activationVariables(env);
    collection.clear();
    collection.description =
      `Activates the ${env.kind === 'venv' ? 'virtual' : 'conda'} ` + `environment ${env.name} (${env.prefix})`;
    collection.prepend('PATH', activation.pathPrepend.join(nodePath.delimiter) + nodePath.delimiter);
    for (const [variable, value] of Object.entries(activation.set)) collection.replace(variable, value);
    for (const variable of activation.unset) if (process.env[variable] !== undefined) collection.replace(variable, '');
  }

  private render(): void {
    const env = this.current;
    if (env) {
      this.item.text = `$(package) ${env.name}${env.version ? ` (${env.version})` : ''}`;
      this.item.tooltip =
        `Stack Doctor: ${env.kind === 'venv' ? 'virtual' : 'conda'} environment ${env.name}, ` +
        `Python ${env.version ?? 'version unknown'}\n${env.prefix}\nClick to activate another.`;
    } else {
      this.item.text = '$(package) No environment';
      this.item.tooltip = 'Stack Doctor: no environment is active. Click to activate one.';
    }
  }

  /**
   * Sends the active interpreter (or null) to the server; false when it is not running. `log`: say so in the output.
   */
  private async notifyServer(log: boolean): Promise<boolean> {
    const python = this.current?.python ?? null;
    try {
      const sent = await this.server.notify('stackDoctor/activeEnvironment', { python });
      if (!sent && log)
        this.output.warn('The language server is not running; it is told the active environment when it starts.');
      return sent;
    } catch (error) {
      this.output.warn(
        `Telling the language server the active environment failed: ` +
          `${error instanceof Error ? error.message : String(error)}`,
      );
      return false;
    }
  }
}
