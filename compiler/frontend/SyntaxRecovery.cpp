#include "compiler/frontend/SyntaxRecovery.h"

#include <algorithm>
#include <iterator>

namespace fiver::frontend {

namespace {

// Walks the text's code, skipping strings and comments, whose brackets do not
// count.
class CodeScanner {
public:
  explicit CodeScanner(const std::string& text, size_t from = 0) : text_(text), at_(from) {}

  // The next code byte at or after the position, or npos at the end.
  size_t next() {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '"') {
        skipString();
      } else if (c == '/' && at_ + 1 < text_.size() && text_[at_ + 1] == '/') {
        while (at_ < text_.size() && text_[at_] != '\n')
          ++at_;
      } else if (c == '/' && at_ + 1 < text_.size() && text_[at_ + 1] == '*') {
        size_t close = text_.find("*/", at_ + 2);
        at_ = close == std::string::npos ? text_.size() : close + 2;
      } else {
        return at_++;
      }
    }
    return std::string::npos;
  }

private:
  void skipString() {
    for (++at_; at_ < text_.size() && text_[at_] != '"' && text_[at_] != '\n'; ++at_)
      if (text_[at_] == '\\') ++at_;
    if (at_ < text_.size() && text_[at_] == '"') ++at_;
  }

  const std::string& text_;
  size_t at_;
};

bool opens(char c) {
  return c == '(' || c == '[' || c == '{';
}
bool closes(char c) {
  return c == ')' || c == ']' || c == '}';
}
bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t lineStart(const std::string& text, size_t at) {
  size_t nl = at == 0 ? std::string::npos : text.rfind('\n', at - 1);
  return nl == std::string::npos ? 0 : nl + 1;
}

size_t lineEnd(const std::string& text, size_t at) {
  size_t nl = text.find('\n', at);
  return nl == std::string::npos ? text.size() : nl;
}

// Whether the line starting at `start` begins with a closing brace.
bool startsWithClosingBrace(const std::string& text, size_t start) {
  size_t i = start;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
    ++i;
  return i < text.size() && text[i] == '}';
}

// Tracks the brackets opened inside a span: a `}` with no `{` among them
// closes a block opened before the span.
class OpenBrackets {
public:
  // Returns false for a `}` that closes a block opened before the span.
  bool add(char c) {
    if (opens(c)) {
      opened_.push_back(c);
    } else if (c == '}') {
      auto brace = std::find(opened_.rbegin(), opened_.rend(), '{');
      if (brace == opened_.rend()) return false;
      opened_.erase(std::prev(brace.base()), opened_.end());
    } else if (closes(c) && !opened_.empty() && opened_.back() != '{') {
      opened_.pop_back(); // a stray `)` or `]` is ignored
    }
    return true;
  }
  bool empty() const { return opened_.empty(); }
  bool hasBlock() const { return std::find(opened_.begin(), opened_.end(), '{') != opened_.end(); }

private:
  std::vector<char> opened_;
};

} // namespace

ByteSpan itemSpanAt(const std::string& text, size_t at) {
  at = std::min(at, text.size());
  ByteSpan span{lineStart(text, at), lineEnd(text, at)};
  OpenBrackets brackets;
  CodeScanner scan(text, span.begin);
  for (size_t i = scan.next(); i != std::string::npos; i = scan.next()) {
    if (i >= span.end) {
      // Still inside brackets opened on the item's lines: take the next line
      // too, unless it closes the enclosing block.
      if (brackets.empty()) break;
      if (!brackets.hasBlock() && startsWithClosingBrace(text, lineStart(text, i))) break;
      span.end = lineEnd(text, i);
    }
    brackets.add(text[i]);
  }
  return span;
}

bool blankOut(std::string& text, ByteSpan span) {
  span.end = std::min(span.end, text.size());
  OpenBrackets brackets;
  std::vector<bool> keep(span.end - span.begin, false);
  CodeScanner scan(text, span.begin);
  for (size_t i = scan.next(); i != std::string::npos && i < span.end; i = scan.next())
    keep[i - span.begin] = !brackets.add(text[i]);
  bool changed = false;
  for (size_t i = span.begin; i < span.end; ++i) {
    if (keep[i - span.begin] || isSpace(text[i])) continue;
    text[i] = ' ';
    changed = true;
  }
  return changed;
}

std::vector<ByteSpan> topLevelSpans(const std::string& text) {
  std::vector<ByteSpan> spans;
  int depth = 0;
  bool open = false, sawBrace = false;
  CodeScanner scan(text);
  for (size_t i = scan.next(); i != std::string::npos; i = scan.next()) {
    if (isSpace(text[i])) continue;
    // A declaration without a block (an import) ends with its line.
    if (open && depth == 0 && !sawBrace && i > spans.back().end) open = false;
    if (!open) {
      spans.push_back({i, lineEnd(text, i)});
      open = true;
      sawBrace = false;
    }
    if (opens(text[i])) {
      ++depth;
      sawBrace |= text[i] == '{';
    } else if (closes(text[i]) && depth > 0) {
      --depth;
    }
    if (depth == 0 && sawBrace) {
      spans.back().end = i + 1;
      open = false;
    } else if (i >= spans.back().end) {
      spans.back().end = lineEnd(text, i);
    }
  }
  return spans;
}

} // namespace fiver::frontend
