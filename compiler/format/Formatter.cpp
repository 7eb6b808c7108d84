#include "compiler/format/Formatter.h"

#include "compiler/frontend/Parser.h"

#include "FiveRLexer.h"

#include <antlr4-runtime.h>

#include <set>

namespace fiver {

namespace {

using L = fiverg::FiveRLexer;

bool isOpen(const std::string& t) {
  return t == "(" || t == "[" || t == "{";
}
bool isClose(const std::string& t) {
  return t == ")" || t == "]" || t == "}";
}

// Spacing between two tokens on one line.
bool spaceBetween(const antlr4::Token* a, const antlr4::Token* b, bool inMethodHeader,
                  bool afterUnaryMinus) {
  const std::string& x = a->getText();
  const std::string& y = b->getText();
  if (b->getType() == L::LINE_COMMENT || b->getType() == L::BLOCK_COMMENT) return true;
  if (x == "(" || x == "[") return false;
  if (y == ")" || y == "]" || y == "," || y == ";") return false;
  if (y == "%") return false;
  if (y == ":") return inMethodHeader;
  if (y == "(")
    return x == "{" || x == "," || x == ":" || x == "=" || x == ">=" || x == "*" || x == "/" ||
           x == "+" || x == "-" || a->getType() == L::REPEAT;
  if (afterUnaryMinus) return false;
  return true;
}

// A `-` that negates (after an opener, a separator or an operator) rather
// than subtracts.
bool isUnaryMinus(const antlr4::Token* minus, const antlr4::Token* before) {
  if (minus->getText() != "-") return false;
  if (!before) return true;
  static const std::set<std::string> kBefore = {"(", "[", "{", ",", ":", "=",
                                                "*", "/", "+", "-", ">="};
  return kBefore.count(before->getText()) > 0;
}

} // namespace

std::optional<std::string> formatSource(const std::string& path, const std::string& text,
                                        DiagnosticEngine& diags) {
  size_t before = diags.errorCount();
  parseFile(path, text, diags);
  if (diags.errorCount() > before) return std::nullopt;

  antlr4::ANTLRInputStream input(text);
  L lexer(&input);
  lexer.removeErrorListeners();
  std::vector<std::unique_ptr<antlr4::Token>> tokens = lexer.getAllTokens();

  std::string out;
  std::string line;  // the line being built, without indentation
  int depth = 0;     // open brackets of every kind
  int lineDepth = 0; // depth at the start of the current line
  bool lineStartsClosed = false;
  bool inMethodHeader = false;
  const antlr4::Token* prev = nullptr;
  const antlr4::Token* prevPrev = nullptr;
  int pendingBlank = 0; // blank lines seen before the next token

  auto flush = [&]() {
    if (line.empty()) return;
    int indent = lineDepth - (lineStartsClosed ? 1 : 0);
    out += std::string(static_cast<size_t>(std::max(0, indent)) * 2, ' ') + line + "\n";
    line.clear();
  };

  size_t prevEndLine = 0;
  for (const auto& owned : tokens) {
    const antlr4::Token* t = owned.get();
    if (t->getType() == antlr4::Token::EOF) break;
    // Whitespace is skipped by the lexer; line numbers tell where breaks were.
    if (prev && t->getLine() > prevEndLine) {
      flush();
      pendingBlank = t->getLine() - prevEndLine > 1 ? 1 : 0;
      inMethodHeader = false;
    }
    const std::string& text = t->getText();
    if (line.empty()) {
      if (pendingBlank && !out.empty()) out += "\n";
      pendingBlank = 0;
      lineDepth = depth;
      lineStartsClosed = isClose(text);
      inMethodHeader = t->getType() == L::METHOD;
      line = text;
    } else {
      if (spaceBetween(prev, t, inMethodHeader, isUnaryMinus(prev, prevPrev))) line += " ";
      line += text;
    }
    if (isOpen(text)) ++depth;
    if (isClose(text)) depth = std::max(0, depth - 1);
    prevPrev = prev;
    prev = t;
    // A block comment may span lines; the next token's line is compared with its end.
    prevEndLine = t->getLine();
    for (char c : text)
      prevEndLine += c == '\n';
  }
  flush();
  return out;
}

} // namespace fiver
