// Everything sema sees at once: the standard library, the checked file and
// its imports, parsed, with one symbol table per kind of declaration.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/frontend/Ast.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fiver {

struct Program {
  std::vector<std::unique_ptr<ast::File>> files; // stable addresses for the tables below
  std::map<std::string, const ast::Recipe*> recipes;
  std::map<std::string, const ast::MethodDecl*> methods;
  std::map<std::string, const ast::ModelDecl*> models;
  std::map<std::string, const ast::TaskDecl*> tasks;
  std::map<std::string, const ast::StudyDecl*> studies;
  const ast::File* main = nullptr; // the file being checked
  std::string sourceHash;          // FNV-1a over every loaded file, in load order

  std::vector<std::string> methodNames() const;
};

// The stdlib folder's *.5r files, sorted, then each method folder's
// (methods/<name>/*.5r beside the stdlib folder, in folder order): the order
// they load in.
std::vector<std::string> stdlibFiles(const std::string& dir);
// Fills the program's name tables from its parsed files (E0xxx for names
// defined twice) and sets its source hash.
void declareNames(Program& program, uint64_t sourceHash, DiagnosticEngine& diags);

// Parses the stdlib folder (sorted *.5r), then `path` (or `text` in its place)
// and its imports, relative to the importing file, each file once.
Program loadProgram(const std::string& path, const std::optional<std::string>& text,
                    const std::string& stdlibDir, SourceManager& sources, DiagnosticEngine& diags);

} // namespace fiver
