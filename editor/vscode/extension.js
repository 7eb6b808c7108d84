// Starts 5rc-lsp over stdio for .5r files.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('fiver');
  const command = config.get('server.path') || '5rc-lsp';
  const stdlib = config.get('stdlib') || '';
  const serverOptions = { command, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'fiver' }],
    initializationOptions: stdlib ? { stdlib } : {},
  };
  client = new LanguageClient('fiver', 'FiveR language server', serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
