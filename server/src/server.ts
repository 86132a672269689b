// The Stack Doctor language server: LSP wiring only; every handler hands a document to the session or to lsp/ features.
import {
  createConnection,
  DidChangeConfigurationNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  CodeActionKind,
  CodeLensRefreshRequest,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex } from './model/text';
import { codeActionsFor, fixNotes, onlyKinds, pathOf } from './lsp/convert';
import { completeRequirements, documentLinks, hoverAt } from './lsp/features';
import { Session } from './lsp/session';
import { PackageCompletion } from './lsp/completion';
import { lockedInlayHints, NewerVersions } from './lsp/inlay-hints';
import { PackageHover } from './lsp/package-hover';
import { PackageVersions } from './lsp/package-versions';
import { normalizeSettings } from './lsp/settings';
import { startTrace } from './lsp/trace';
import { Backlog } from './lsp/backlog';
import { setForeground } from './model/turns';
import { fileKindRow } from './workspace/file-kinds';

startTrace(process.env.SD_TRACE_FILE);

// Background work (resolutions, fix searches, postponed analyses) gives way while the client's messages wait.
const backlog = new Backlog();
backlog.watch();
setForeground(() => backlog.pending());
const connection = createConnection(ProposedFeatures.all, { messageStrategy: backlog.strategy });
const documents = new TextDocuments(TextDocument);
const session = new Session(connection);
let pullsConfiguration = false;
let resolvesCodeActions = false;
let refreshesInlayHints = false;
let refreshesCodeLenses = false;
const packages = new PackageVersions(session, {
  onDataChanged: () => {
    if (refreshesInlayHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
    if (refreshesCodeLenses) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  },
});
const completion = new PackageCompletion(packages);
const newer = new NewerVersions(packages);
const packageHover = new PackageHover(packages);
/** What the client sent at start: the settings then, and what only it knows (global storage, trust, test timings). */
let initOptions: Record<string, unknown> = {};

connection.onInitialize((params) => {
  const init = (params.initializationOptions ?? {}) as Record<string, unknown>;
  initOptions = init;
  session.settings = normalizeSettings(init);
  // Only a client that says the workspace is trusted gets what trust allows.
  session.trusted = init.trusted === true;
  pullsConfiguration = params.capabilities.workspace?.configuration === true;
  session.progressSupported = params.capabilities.window?.workDoneProgress === true;
  resolvesCodeActions =
    params.capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true;
  refreshesInlayHints = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
  refreshesCodeLenses = params.capabilities.workspace?.codeLens?.refreshSupport === true;
  // Relative paths in settings (a profile committed beside the project) are read from the first workspace folder.
  const root = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
  session.workspaceRoot = root ? pathOf(root) : undefined;
  const folders = params.workspaceFolders?.length ? params.workspaceFolders.map((f) => f.uri) : root ? [root] : [];
  session.workspaceFolders = folders.map(pathOf).filter((p): p is string => p !== undefined);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.Source], resolveProvider: true },
      hoverProvider: true,
      documentLinkProvider: { resolveProvider: false },
      completionProvider: { triggerCharacters: ['-', '/', ' ', '=', '<', '>', '~', '"', "'", ','] },
      inlayHintProvider: true,
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'stack-doctor', version: '0.1.0' },
  };
});

async function reloadSettings(): Promise<void> {
  if (pullsConfiguration) {
    try {
      const pulled = (await connection.workspace.getConfiguration('stackDoctor')) as Record<string, unknown> | null;
      session.settings = normalizeSettings({ ...initOptions, ...(pulled ?? {}) });
    } catch {
      // the client could not answer; keep what we have
    }
  }
  await session.loadTarget();
}

const ready = new Promise<void>((resolve) => {
  connection.onInitialized(async () => {
    // The working folder is where a child process would start and what relative paths would read: the client gives
    // a fixed one outside the workspace; this line lets a test (and a person) check it.
    connection.console.info(`Stack Doctor language server started; working folder: ${process.cwd()}`);
    if (pullsConfiguration)
      void connection.client
        .register(DidChangeConfigurationNotification.type, { section: 'stackDoctor' })
        .catch(() => undefined);
    await reloadSettings();
    resolve();
  });
});

connection.onDidChangeConfiguration(async () => {
  await reloadSettings();
  session.refreshAll();
  if (refreshesInlayHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
});

documents.onDidOpen(async (e) => {
  await ready;
  session.open(e.document);
});
documents.onDidChangeContent((e) => session.change(e.document));
documents.onDidClose((e) => session.close(e.document));
// Saving changes what other files read from the disk (includes, constraints): analyse again.
documents.onDidSave((e) => session.change(e.document));

connection.onDidChangeWatchedFiles((e) => {
  for (const c of e.changes) {
    const p = pathOf(c.uri);
    if (p) {
      if (c.type === FileChangeType.Deleted) session.analysis.evict(p);
      session.fileChanged(p);
    }
  }
});

/** The client activated an environment (or none): markers and installed checks use its interpreter from now on. */
connection.onNotification('stackDoctor/activeEnvironment', async (params: { python?: string | null }) => {
  session.activePython = typeof params?.python === 'string' && params.python ? params.python : undefined;
  await session.loadTarget();
  session.refreshAll();
});

/** The editor the person looks at shows this document (or none): its sets are resolved first. */
connection.onNotification('stackDoctor/activeDocument', (params: { uri?: string | null }) => {
  session.setActiveDocument(typeof params?.uri === 'string' ? params.uri : null);
});

/** Something outside the files changed (an install finished): analyse the open files again. */
connection.onNotification('stackDoctor/refresh', async () => {
  await session.loadTarget();
  session.refreshAll();
});

connection.onCodeAction(async (params) => {
  const p = pathOf(params.textDocument.uri);
  return onlyKinds(
    [
      ...codeActionsFor(params.context.diagnostics),
      ...(p ? await newer.codeActions(p, params.range, resolvesCodeActions) : []),
    ],
    params.context.only,
  );
});
connection.onCodeActionResolve((action) => newer.resolveCodeAction(action));

connection.onHover(async (params) => {
  const p = pathOf(params.textDocument.uri);
  const file = p && session.parsed(p);
  if (!p || !file) return null;
  const lines = new LineIndex(file.text);
  const hover = hoverAt(file, lines, params.position, session.setsOf(p));
  const offset = lines.offsetAt(params.position);
  const more = hover ? await packageHover.hover(p, offset).catch(() => null) : null;
  const conda = hover ? session.condaHoverAt(p, offset) : null;
  // What the line's quick fixes leave out of their titles comes first: the fixes stay in view without scrolling.
  const notes = hover ? fixNotes(session.published(p), params.position.line) : null;
  for (const extra of [notes, more, conda])
    if (hover && extra) (hover.contents as { value: string }).value += '\n\n---\n\n' + extra;
  return hover;
});

connection.languages.inlayHint.on((params) => {
  const p = pathOf(params.textDocument.uri);
  return p ? [...newer.inlayHints(p, params.range), ...lockedInlayHints(session, p, params.range)] : [];
});

connection.onCodeLens((params) => {
  const p = pathOf(params.textDocument.uri);
  return p ? newer.codeLenses(p, params.textDocument.uri) : [];
});

/** "Update all" (palette and code lens): the edit moving every requirement of the file to the newest that resolve. */
connection.onRequest('stackDoctor/updateAll', async (params: { uri?: string }) => {
  const p = typeof params?.uri === 'string' ? pathOf(params.uri) : undefined;
  return p ? await newer.updateAllEdit(p) : null;
});

connection.onDocumentLinks((params) => {
  const p = pathOf(params.textDocument.uri);
  const file = p && session.parsed(p);
  return file ? documentLinks(file, new LineIndex(file.text)) : [];
});

connection.onCompletion(async (params) => {
  const p = pathOf(params.textDocument.uri);
  const doc = p && session.document(p);
  const kind = p ? session.parsed(p)?.kind : undefined;
  if (!p || !doc || !kind) return [];
  const packages = await completion.complete(p, kind, doc.getText(), doc.offsetAt(params.position));
  // pip's lines also complete options and paths; other kinds offer only names and versions.
  if (packages || fileKindRow(kind).completion !== 'pip') return packages ?? [];
  const line = doc.getText({ start: { line: params.position.line, character: 0 }, end: params.position });
  return completeRequirements(p, line);
});

connection.onShutdown(() => session.dispose());

documents.listen(connection);
connection.listen();
