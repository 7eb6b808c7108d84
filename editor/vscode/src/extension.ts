// Starts 5rc-lsp over stdio for .5r files and restarts it when its settings change.
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

function createClient(): LanguageClient {
  const config = vscode.workspace.getConfiguration('fiver');
  const command = config.get<string>('serverPath') || '5rc-lsp';
  const stdlib = config.get<string>('stdlib') || '';
  const serverOptions: ServerOptions = { command, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'fiver' }],
    initializationOptions: stdlib ? { stdlib } : {},
  };
  return new LanguageClient('fiver', 'FiveR language server', serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  client = createClient();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration('fiver')) return;
      await client?.stop();
      client = createClient();
      await client.start();
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
