// The command table: every palette command of the extension, registered once at activation.
import * as vscode from 'vscode';
import { activateEnvironmentCommand } from './activate-environment';
import type { CommandContext } from './context';
import { createCondaEnvCommand } from './create-conda-env';
import { createVenvCommand } from './create-venv';
import { deactivateEnvironmentCommand } from './deactivate-environment';
import { installIntoEnvironmentCommand } from './install-into-environment';
import { judgeAgainstGpuProfileCommand } from './judge-gpu-profile';
import { restartServer } from './restart-server';
import { selectProfileCommand } from './select-profile';
import { showOutput } from './show-output';
import { typeInTerminal } from './type-in-terminal';
import { updateLock } from './update-lock';
import { updateAllCommand } from './update-all';

type CommandFactory = (context: CommandContext) => (...args: unknown[]) => unknown;

/** Command id (as contributed in package.json) -> implementation. */
export const commands: Readonly<Record<string, CommandFactory>> = {
  'stackDoctor.restartServer': restartServer,
  'stackDoctor.showOutput': showOutput,
  'stackDoctor.createVenv': createVenvCommand,
  'stackDoctor.createCondaEnv': createCondaEnvCommand,
  'stackDoctor.activateEnvironment': activateEnvironmentCommand,
  'stackDoctor.deactivateEnvironment': deactivateEnvironmentCommand,
  'stackDoctor.installIntoEnvironment': installIntoEnvironmentCommand,
  'stackDoctor.selectProfile': selectProfileCommand,
  'stackDoctor.judgeAgainstGpuProfile': judgeAgainstGpuProfileCommand,
  'stackDoctor.typeInTerminal': typeInTerminal,
  'stackDoctor.updateLock': updateLock,
  'stackDoctor.updateAll': updateAllCommand,
};

export function registerCommands(context: CommandContext): vscode.Disposable[] {
  return Object.entries(commands).map(([id, factory]) => vscode.commands.registerCommand(id, factory(context)));
}
