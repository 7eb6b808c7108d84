// Everything sema sees at once: the standard library, the checked file and
// its imports, parsed, with one symbol table per kind of declaration.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/frontend/Ast.h"

#include <cstdint>
#include <functional>
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
// defined twice) and sets its source hash. The editor calls it on programs
// it assembles from cached files.
void declareNames(Program& program, uint64_t sourceHash, DiagnosticEngine& diags);

// Parses the stdlib folder (sorted *.5r), then `path` (or `text` in its place)
// and its imports, relative to the importing file, each file once; imports
// nested deeper than the limit are an error (E0005).
Program loadProgram(const std::string& path, const std::optional<std::string>& text,
                    const std::string& stdlibDir, SourceManager& sources, DiagnosticEngine& diags);

// Turns one file's text into its AST, reporting syntax errors to `diags`.
using FileParser = std::function<ast::File(const std::string& path, const std::string& text,
                                           DiagnosticEngine& diags)>;

// The same load with each file parsed by `parse` (e.g. a ParseCache's).
Program loadProgram(const std::string& path, const std::optional<std::string>& text,
                    const std::string& stdlibDir, SourceManager& sources, DiagnosticEngine& diags,
                    const FileParser& parse);

} // namespace fiver
