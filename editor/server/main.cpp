// 5rc-lsp: the FiveR language server, speaking LSP 3.17 over stdin/stdout.
#include "editor/server/LspServer.h"
#include "editor/server/Transport.h"

#include <cstdio>
#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::cout << "usage: 5rc-lsp\n  A language server for .5r files over stdio (LSP 3.17).\n"
                   "  The stdlib folder comes from initializationOptions.stdlib, else\n"
                   "  $FIVER_STDLIB, else the one built in.\n";
      return 0;
    }
    if (std::strcmp(argv[i], "--stdio") == 0) continue; // what editors pass by default
    std::cerr << "5rc-lsp: unknown option " << argv[i] << "\n";
    return 2;
  }
  fiver::lsp::StreamTransport transport(stdin, stdout);
  fiver::lsp::LspServer server(transport);
  int code = server.run();
  std::fflush(stdout);
  // The reader thread may still be blocked on stdin: leave without joining it.
  std::_Exit(code);
}
