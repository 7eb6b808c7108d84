// Runs the ANTLR-generated parser and converts its parse tree into the AST.
// ANTLR reports positions in code points; diagnostics use byte columns, so a
// code-point -> byte table translates every position.
#include "compiler/frontend/Parser.h"

#include "compiler/frontend/SyntaxRecovery.h"

#include "FiveRLexer.h"
#include "FiveRParser.h"

#include <antlr4-runtime.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace fiver {

namespace {

using P = fiverg::FiveRParser;

// Deeper bracket nesting than this is rejected before parsing: the generated
// recursive-descent parser would otherwise exhaust the stack on hostile input.
constexpr int kMaxNesting = 256;

// Maps code-point indices (ANTLR's) to byte offsets and byte positions to
// line/column.
class PositionMap {
public:
  PositionMap(std::string path, const std::string& text) : path_(std::move(path)) {
    for (size_t i = 0; i < text.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      if ((c & 0xC0) != 0x80) cpToByte_.push_back(static_cast<uint32_t>(i));
      if (c == '\n') lineStarts_.push_back(static_cast<uint32_t>(i + 1));
    }
    cpToByte_.push_back(static_cast<uint32_t>(text.size()));
  }

  SourceLoc locAtByte(uint32_t byte) const {
    auto it = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), byte);
    uint32_t line = static_cast<uint32_t>(it - lineStarts_.begin());
    SourceLoc loc;
    loc.file = path_;
    loc.line = line;
    loc.column = byte - lineStarts_[line - 1] + 1;
    loc.offset = byte;
    return loc;
  }

  uint32_t byteOf(size_t codePoint) const {
    if (codePoint >= cpToByte_.size()) return cpToByte_.back();
    return cpToByte_[codePoint];
  }

  // The range covering code points [start, stop] inclusive.
  SourceRange range(size_t start, size_t stop) const {
    uint32_t b = byteOf(start);
    uint32_t e = stop + 1 >= start ? byteOf(stop + 1) : b;
    SourceRange r;
    r.begin = locAtByte(b);
    r.length = e > b ? e - b : 1;
    return r;
  }

  SourceRange range(antlr4::Token* t) const {
    if (!t || t->getType() == antlr4::Token::EOF) return endRange();
    return range(t->getStartIndex(), t->getStopIndex());
  }

  SourceRange range(antlr4::ParserRuleContext* ctx) const {
    if (!ctx || !ctx->getStart()) return endRange();
    antlr4::Token* stop = ctx->getStop() ? ctx->getStop() : ctx->getStart();
    if (stop->getStopIndex() + 1 < ctx->getStart()->getStartIndex()) return range(ctx->getStart());
    return range(ctx->getStart()->getStartIndex(), stop->getStopIndex());
  }

  SourceRange endRange() const {
    SourceRange r;
    r.begin = locAtByte(cpToByte_.back());
    r.length = 1;
    return r;
  }

private:
  std::string path_;
  std::vector<uint32_t> cpToByte_;
  std::vector<uint32_t> lineStarts_{0};
};

class DiagnosticErrorListener : public antlr4::BaseErrorListener {
public:
  DiagnosticErrorListener(const PositionMap& pos, DiagnosticEngine& diags)
      : pos_(pos), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t, size_t,
                   const std::string& msg, std::exception_ptr) override {
    // One syntax error per parse: later ones are mostly consequences of the
    // first. parseFile skips the item at fault and parses again for the next.
    if (reported_++ > 0) return;
    // Items are written one a line: when the parser only notices the problem
    // at the first token of the next line (`seed` with no value, a triple
    // missing a word), the error belongs to the line that ended too early.
    if (antlr4::Token* last = lastTokenOfEarlierLine(recognizer, offending)) {
      SourceRange end = pos_.range(last);
      end.begin.column += end.length;
      end.begin.offset += end.length;
      end.length = 0;
      Diagnostic& d =
          diags_.report(DiagId::SyntaxError, end, "this line ends before its item is complete");
      // A failed line predicate says nothing useful; ANTLR's other messages do.
      d.notes.push_back({pos_.range(offending), msg.rfind("rule ", 0) == 0
                                                    ? "the next item starts here"
                                                    : describe(msg) + " on the next line"});
      return;
    }
    diags_.report(DiagId::SyntaxError, pos_.range(offending), describe(msg));
  }

private:
  // The token before `offending` when it ends on an earlier line; null at the
  // end of the file (a missing `}` is not a line's fault) or on the same line.
  static antlr4::Token* lastTokenOfEarlierLine(antlr4::Recognizer* recognizer,
                                               antlr4::Token* offending) {
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (!parser || !offending || offending->getType() == antlr4::Token::EOF) return nullptr;
    antlr4::TokenStream* tokens = parser->getTokenStream();
    for (size_t i = offending->getTokenIndex(); i-- > 0;) {
      antlr4::Token* t = tokens->get(i);
      if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
      const std::string text = t->getText();
      size_t newlines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
      return t->getLine() + newlines < offending->getLine() ? t : nullptr;
    }
    return nullptr;
  }

  static std::string describe(std::string msg) {
    if (msg.rfind("no viable alternative at input", 0) == 0) return "unexpected " + msg.substr(31);
    // ANTLR lists every token that could follow; past a handful the list
    // (mostly soft keywords) hides the point: what was found.
    size_t expecting = msg.find(" expecting {");
    if (expecting != std::string::npos &&
        std::count(msg.begin() + static_cast<long>(expecting), msg.end(), ',') >= 5) {
      msg.erase(expecting);
      for (const char* prefix : {"extraneous input ", "mismatched input "})
        if (msg.rfind(prefix, 0) == 0) msg = "unexpected " + msg.substr(std::strlen(prefix));
    }
    return msg;
  }

  const PositionMap& pos_;
  DiagnosticEngine& diags_;
  int reported_ = 0;
};

// Converts parse-tree contexts into AST nodes.
class AstBuilder {
public:
  AstBuilder(const PositionMap& pos, DiagnosticEngine& diags) : pos_(pos), diags_(diags) {}

  ast::File file(P::FileContext* ctx, const std::string& path) {
    ast::File f;
    f.path = path;
    for (P::TopDeclContext* d : ctx->topDecl()) {
      if (auto* i = d->importDecl()) {
        f.imports.push_back(
            {unquote(i->STRING()->getText()), pos_.range(i->STRING()->getSymbol())});
      } else if (auto* r = d->recipeDecl()) {
        f.recipes.push_back(recipe(r));
      } else if (auto* m = d->methodDecl()) {
        f.methods.push_back(method(m));
      } else if (auto* m = d->modelDecl()) {
        f.models.push_back(model(m));
      } else if (auto* t = d->taskDecl()) {
        f.tasks.push_back(task(t));
      } else if (auto* st = d->studyDecl()) {
        f.studies.push_back(study(st));
      }
    }
    return f;
  }

  ast::RecipeItem recipeItem(P::RecipeItemContext* ctx) {
    ast::RecipeItem item;
    item.range = pos_.range(ctx);
    if (auto* t = dynamic_cast<P::TripleItemContext*>(ctx)) {
      item.kind = ast::RecipeItem::Kind::Triple;
      item.triple = triple(t->triple());
    } else if (auto* d = dynamic_cast<P::DropItemContext*>(ctx)) {
      item.kind = ast::RecipeItem::Kind::Drop;
      item.key = word(d->ident());
    } else if (auto* t = dynamic_cast<P::TargetItemContext*>(ctx)) {
      item.kind = ast::RecipeItem::Kind::Target;
      item.key = word(t->ident());
      item.value = value(t->value());
    } else if (auto* s = dynamic_cast<P::SettingItemContext*>(ctx)) {
      item.kind = ast::RecipeItem::Kind::Setting;
      item.key = word(s->key);
      item.value = value(s->value());
    }
    return item;
  }

private:
  ast::Word word(P::IdentContext* ctx) {
    if (!ctx) return {};
    return {ctx->getText(), pos_.range(ctx)};
  }

  static std::string unquote(const std::string& s) {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) {
        char c = s[++i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  ast::Recipe recipe(P::RecipeDeclContext* ctx) {
    ast::Recipe r;
    r.name = word(ctx->name);
    if (ctx->base) r.base = word(ctx->base);
    r.range = pos_.range(ctx);
    for (P::RecipeItemContext* i : ctx->recipeItem()) {
      if (dynamic_cast<P::EmptyItemContext*>(i)) continue;
      r.items.push_back(recipeItem(i));
    }
    return r;
  }

  ast::Triple triple(P::TripleContext* ctx) {
    ast::Triple t;
    t.action = word(ctx->action);
    t.component = word(ctx->component);
    t.timing = word(ctx->timing);
    t.information = word(ctx->information);
    t.range = pos_.range(ctx->action);
    SourceRange last = pos_.range(ctx->information);
    t.range.length = last.begin.offset + last.length - t.range.begin.offset;
    if (P::MethodRefContext* m = ctx->methodRef()) {
      ast::Call c;
      c.name = word(m->ident());
      c.hasParens = m->getText().find('(') != std::string::npos;
      c.range = pos_.range(m);
      c.args = args(m->args());
      t.method = std::move(c);
    }
    return t;
  }

  ast::Call call(P::CallContext* ctx) {
    ast::Call c;
    c.name = word(ctx->ident());
    c.hasParens = true;
    c.range = pos_.range(ctx);
    if (ctx->args()) c.args = args(ctx->args());
    return c;
  }

  std::vector<ast::Arg> args(P::ArgsContext* ctx) {
    std::vector<ast::Arg> out;
    if (!ctx) return out;
    for (P::ArgContext* a : ctx->arg()) {
      ast::Arg arg;
      if (a->name) arg.name = word(a->name);
      arg.value = value(a->value());
      arg.range = pos_.range(a);
      out.push_back(std::move(arg));
    }
    return out;
  }

  ast::Value value(P::ValueContext* ctx) {
    ast::Value v;
    if (!ctx) return v;
    v.range = pos_.range(ctx);
    if (auto* n = dynamic_cast<P::NumberValueContext*>(ctx)) {
      v = expr(n->expr());
      if (n->unit()) {
        v.unit = unit(n->unit());
        v.range = pos_.range(ctx);
        if (v.kind != ast::Value::Kind::Number) {
          diags_.report(DiagId::InvalidNumber, pos_.range(n->unit()),
                        "a unit can only follow a number");
        }
      }
    } else if (auto* s = dynamic_cast<P::StringValueContext*>(ctx)) {
      v.kind = ast::Value::Kind::String;
      v.text = unquote(s->STRING()->getText());
    } else if (auto* c = dynamic_cast<P::CallValueContext*>(ctx)) {
      ast::Call cl = call(c->call());
      v.kind = ast::Value::Kind::Call;
      v.text = cl.name.text;
      v.nameRange = cl.name.range;
      v.args = std::move(cl.args);
    } else if (auto* l = dynamic_cast<P::ListValueContext*>(ctx)) {
      v.kind = ast::Value::Kind::List;
      for (P::ValueContext* item : l->value())
        v.items.push_back(value(item));
    }
    return v;
  }

  ast::Value expr(P::ExprContext* ctx) {
    ast::Value v;
    if (!ctx) return v;
    v.range = pos_.range(ctx);
    if (auto* n = dynamic_cast<P::NumberAtomContext*>(ctx)) {
      std::string text = n->NUMBER()->getText();
      text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
      v.kind = ast::Value::Kind::Number;
      v.number = std::strtod(text.c_str(), nullptr);
      v.isInteger = text.find_first_of(".eE") == std::string::npos;
    } else if (auto* n = dynamic_cast<P::NameAtomContext*>(ctx)) {
      v.kind = ast::Value::Kind::Name;
      v.text = n->getText();
      v.nameRange = v.range;
    } else if (auto* p = dynamic_cast<P::ParenExprContext*>(ctx)) {
      v = expr(p->expr());
    } else if (auto* n = dynamic_cast<P::NegExprContext*>(ctx)) {
      ast::Value inner = expr(n->expr());
      if (inner.kind == ast::Value::Kind::Number) {
        inner.number = -inner.number;
        inner.range = v.range;
        return inner;
      }
      v.kind = ast::Value::Kind::Negate;
      v.items.push_back(std::move(inner));
    } else if (auto* m = dynamic_cast<P::MulExprContext*>(ctx)) {
      v.kind = ast::Value::Kind::Binary;
      v.text = m->op->getText();
      v.items.push_back(expr(m->expr(0)));
      v.items.push_back(expr(m->expr(1)));
    } else if (auto* a = dynamic_cast<P::AddExprContext*>(ctx)) {
      v.kind = ast::Value::Kind::Binary;
      v.text = a->op->getText();
      v.items.push_back(expr(a->expr(0)));
      v.items.push_back(expr(a->expr(1)));
    }
    return v;
  }

  static Unit unit(P::UnitContext* ctx) {
    if (ctx->EPOCHS()) return Unit::Epochs;
    if (ctx->STEPS()) return Unit::Steps;
    if (ctx->SAMPLES()) return Unit::Samples;
    if (ctx->SECONDS()) return Unit::Seconds;
    if (ctx->MINUTES()) return Unit::Seconds; // scaled by the caller below
    return Unit::Percent;
  }

  ast::MethodDecl method(P::MethodDeclContext* ctx) {
    ast::MethodDecl m;
    m.name = word(ctx->name);
    for (P::MethodTripleContext* t : ctx->methodTriple()) {
      ast::DeclaredTriple d;
      d.action = word(t->action);
      d.component = word(t->component);
      d.timing = word(t->timing);
      d.information = word(t->information);
      d.isDefault = t->DEFAULT() != nullptr;
      d.range = pos_.range(t);
      m.triples.push_back(std::move(d));
    }
    m.action = m.triples.front().action;
    m.component = m.triples.front().component;
    m.timing = m.triples.front().timing;
    m.information = m.triples.front().information;
    m.isDefault = m.triples.front().isDefault;
    m.range = pos_.range(ctx);
    for (P::MethodItemContext* item : ctx->methodItem()) {
      if (auto* p = dynamic_cast<P::ParamDeclContext*>(item)) {
        ast::ParamDecl d;
        d.name = word(p->pname);
        d.type = word(p->ptype);
        if (p->def) d.defaultValue = value(p->def);
        if (p->lo) d.low = value(p->lo);
        if (p->hi) d.high = value(p->hi);
        d.range = pos_.range(p);
        m.params.push_back(std::move(d));
      } else if (auto* e = dynamic_cast<P::EffectDeclContext*>(item)) {
        for (auto* i : e->identList()->ident())
          m.effects.push_back(word(i));
      } else if (auto* l = dynamic_cast<P::LowersDeclContext*>(item)) {
        for (auto* low : l->lowering())
          m.lowerings.push_back({word(low->kind), word(low->target)});
      } else if (auto* c = dynamic_cast<P::ConflictsDeclContext*>(item)) {
        for (auto* i : c->identList()->ident()) {
          m.conflicts.push_back(word(i));
          if (c->condition)
            m.conflictConditions[m.conflicts.back().text] = {
                word(c->condition->param), word(c->condition->expected), pos_.range(c->condition)};
        }
      } else if (auto* a = dynamic_cast<P::AfterDeclContext*>(item)) {
        for (auto* i : a->identList()->ident())
          m.after.push_back(word(i));
      } else if (auto* ph = dynamic_cast<P::PhaseDeclContext*>(item)) {
        m.phase = word(ph->phase);
      } else if (auto* in = dynamic_cast<P::InputsDeclContext*>(item)) {
        m.inputs = word(in->kind);
      } else if (auto* r = dynamic_cast<P::RequiresDeclContext*>(item)) {
        for (auto* i : r->identList()->ident())
          m.requirements.push_back(word(i));
      } else if (auto* d = dynamic_cast<P::DocDeclContext*>(item)) {
        m.doc = unquote(d->STRING()->getText());
      } else if (auto* c = dynamic_cast<P::CiteDeclContext*>(item)) {
        m.cite = unquote(c->STRING()->getText());
      } else if (auto* s = dynamic_cast<P::SurveyDeclContext*>(item)) {
        m.survey = unquote(s->STRING()->getText());
      } else if (auto* f = dynamic_cast<P::FormerlyDeclContext*>(item)) {
        ast::DeclaredTriple d;
        d.action = word(f->action);
        d.component = word(f->component);
        d.timing = word(f->timing);
        d.information = word(f->information);
        d.range = pos_.range(f);
        m.formerly = std::move(d);
      }
    }
    return m;
  }

  std::vector<ast::Layer> layers(const std::vector<P::LayerContext*>& ctxs) {
    std::vector<ast::Layer> out;
    for (P::LayerContext* l : ctxs) {
      if (dynamic_cast<P::EmptyLayerContext*>(l)) continue;
      out.push_back(layer(l));
    }
    return out;
  }

  ast::Layer layer(P::LayerContext* ctx) {
    ast::Layer l;
    l.range = pos_.range(ctx);
    if (auto* r = dynamic_cast<P::ResidualLayerContext*>(ctx)) {
      l.kind = ast::Layer::Kind::Residual;
      l.name = {"residual", pos_.range(r->RESIDUAL()->getSymbol())};
      l.body = layers(r->body);
      l.hasShortcut = r->SHORTCUT() != nullptr;
      l.shortcut = layers(r->shortcut);
    } else if (auto* r = dynamic_cast<P::RepeatLayerContext*>(ctx)) {
      l.kind = ast::Layer::Kind::Repeat;
      l.name = {"repeat", pos_.range(r->REPEAT()->getSymbol())};
      l.count = expr(r->expr());
      l.body = layers(r->layer());
    } else if (auto* s = dynamic_cast<P::SimpleLayerContext*>(ctx)) {
      l.name = word(s->ident());
      l.args = args(s->args());
    }
    return l;
  }

  ast::ModelDecl model(P::ModelDeclContext* ctx) {
    ast::ModelDecl m;
    m.name = word(ctx->name);
    m.range = pos_.range(ctx);
    for (P::ModelParamContext* p : ctx->modelParam()) {
      ast::ModelParam mp;
      mp.name = word(p->pname);
      mp.type = word(p->ptype);
      if (p->def) mp.defaultValue = value(p->def);
      m.params.push_back(std::move(mp));
    }
    m.layers = layers(ctx->layer());
    return m;
  }

  ast::TaskDecl task(P::TaskDeclContext* ctx) {
    ast::TaskDecl t;
    t.name = word(ctx->name);
    t.range = pos_.range(ctx);
    for (P::TaskItemContext* item : ctx->taskItem()) {
      if (!item->key) continue;
      t.items.push_back({word(item->key), value(item->value())});
    }
    return t;
  }

  ast::StudyDecl study(P::StudyDeclContext* ctx) {
    ast::StudyDecl st;
    st.name = word(ctx->name);
    st.range = pos_.range(ctx);
    for (P::TaskItemContext* item : ctx->taskItem()) {
      if (!item->key) continue;
      st.items.push_back({word(item->key), value(item->value())});
    }
    return st;
  }

  const PositionMap& pos_;
  DiagnosticEngine& diags_;
};

// Reports lexical problems (unterminated strings/comments, stray characters)
// and refuses absurd nesting. Returns false when parsing should not proceed.
// `30s`, `2epochs`: a number run into its unit gets a fix-it adding the
// space; anything else (`1.2.3`, `0x10`) is just malformed.
void reportBadNumber(antlr4::Token* t, const PositionMap& pos, DiagnosticEngine& diags) {
  const std::string text = t->getText();
  Diagnostic& d =
      diags.report(DiagId::InvalidNumber, pos.range(t), "malformed number '" + text + "'");
  size_t unitAt = text.find_first_not_of("0123456789_.");
  if (unitAt == std::string::npos) return;
  std::string number = text.substr(0, unitAt), unit = text.substr(unitAt);
  for (const char* u : {"epochs", "epoch", "steps", "step", "samples", "s", "min"}) {
    if (unit != u || number.back() == '.' || number.front() == '_') continue;
    d.notes.push_back({{}, "a unit is written after a space"});
    d.fixits.push_back({pos.range(t), number + " " + unit, Applicability::MachineApplicable});
    return;
  }
}

// Counts the operators of one expression as its tokens go by. Every operator
// is one level of the parse tree (`- - 1`, `1+1+1`), and the parser, AST
// builder and evaluator all recurse over it. Operands and operators
// alternate within one expression; two operands in a row, or any other token,
// start a new one (`1 epochs`, `f(1, 2)`).
class OperatorChain {
public:
  // Returns false once the current expression has more than kMaxNesting operators.
  bool add(antlr4::Token* t) {
    const std::string text = t->getText();
    bool isOperator = text == "+" || text == "-" || text == "*" || text == "/";
    bool isOperand = t->getType() == fiverg::FiveRLexer::NUMBER ||
                     std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_';
    // Parentheses continue the expression around them: `(1)*(1)*...` is one chain.
    if (isOperator || text == "(" || text == ")") {
      afterOperand_ = text == ")";
      return !isOperator || ++count_ <= kMaxNesting;
    }
    if (!isOperand || afterOperand_) count_ = 0;
    afterOperand_ = isOperand;
    return true;
  }

private:
  int count_ = 0;
  bool afterOperand_ = false;
};

bool checkTokens(antlr4::CommonTokenStream& tokens, const PositionMap& pos,
                 DiagnosticEngine& diags) {
  using L = fiverg::FiveRLexer;
  tokens.fill();
  int depth = 0;
  bool ok = true;
  OperatorChain operators;
  for (antlr4::Token* t : tokens.getTokens()) {
    switch (t->getType()) {
    case L::UNTERMINATED_STRING:
      diags.report(DiagId::UnterminatedString, pos.range(t), "this string is never closed");
      return false;
    case L::UNTERMINATED_COMMENT:
      diags.report(DiagId::UnterminatedString, pos.range(t), "this comment is never closed");
      return false;
    case L::ANY:
      diags.report(DiagId::SyntaxError, pos.range(t),
                   "unexpected character '" + t->getText() + "'");
      return false;
    case L::BAD_NUMBER:
      reportBadNumber(t, pos, diags);
      return false;
    default:
      break;
    }
    std::string text = t->getText();
    if (text == "(" || text == "[" || text == "{") {
      if (++depth > kMaxNesting) {
        diags.report(DiagId::NestingTooDeep, pos.range(t),
                     "brackets nested more than " + std::to_string(kMaxNesting) + " deep");
        return false;
      }
    } else if (text == ")" || text == "]" || text == "}") {
      depth = std::max(0, depth - 1);
    }
    if (!operators.add(t)) {
      diags.report(DiagId::NestingTooDeep, pos.range(t),
                   "expression has more than " + std::to_string(kMaxNesting) + " operators");
      return false;
    }
  }
  return ok;
}

struct ParseSession {
  ParseSession(const std::string& path, const std::string& text, DiagnosticEngine& diags)
      : pos(path, text), input(text), lexer(&input), tokens(&lexer), parser(&tokens),
        listener(pos, diags) {
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
  }
  PositionMap pos;
  antlr4::ANTLRInputStream input;
  fiverg::FiveRLexer lexer;
  antlr4::CommonTokenStream tokens;
  fiverg::FiveRParser parser;
  DiagnosticErrorListener listener;
};

// ANTLR's fast SLL prediction parses almost every real file; only when it
// fails is the file parsed again with full LL prediction (which is also what
// reports the errors). The usual two-stage strategy from ANTLR's authors.
P::FileContext* parseTwoStage(ParseSession& s) {
  auto* interpreter = s.parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  interpreter->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  s.parser.removeErrorListeners();
  s.parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    return s.parser.file();
  } catch (const antlr4::ParseCancellationException&) {
  }
  s.tokens.seek(0);
  s.parser.reset();
  s.parser.addErrorListener(&s.listener);
  s.parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
  interpreter->setPredictionMode(antlr4::atn::PredictionMode::LL);
  return s.parser.file();
}

// Replaces `N min` values (parsed with unit Seconds) by their seconds: the
// lexer keeps `min` as its own token, so the text tells them apart.
void scaleMinutes(ast::Value& v, const std::string& text) {
  if (v.kind == ast::Value::Kind::Number && v.unit == Unit::Seconds &&
      v.range.begin.offset + v.range.length <= text.size()) {
    std::string_view written(text.data() + v.range.begin.offset, v.range.length);
    if (written.size() >= 3 && written.substr(written.size() - 3) == "min") v.number *= 60;
  }
  for (ast::Value& item : v.items)
    scaleMinutes(item, text);
  for (ast::Arg& a : v.args)
    scaleMinutes(a.value, text);
}

void scaleMinutes(ast::File& f, const std::string& text) {
  for (ast::Recipe& r : f.recipes)
    for (ast::RecipeItem& i : r.items) {
      scaleMinutes(i.value, text);
      if (i.triple.method)
        for (ast::Arg& a : i.triple.method->args)
          scaleMinutes(a.value, text);
    }
  for (ast::MethodDecl& m : f.methods)
    for (ast::ParamDecl& p : m.params)
      if (p.defaultValue) scaleMinutes(*p.defaultValue, text);
}

// The byte offset of the first invalid UTF-8 sequence, or npos. ANTLR's input
// stream throws on invalid UTF-8, so it is rejected before lexing.
size_t invalidUtf8At(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > text.size()) return i;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    // What the converter also refuses: overlong forms, UTF-16 surrogates and
    // code points above U+10FFFF.
    unsigned char next = len > 1 ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (c == 0xC0 || c == 0xC1 || (c == 0xE0 && next < 0xA0) || (c == 0xED && next >= 0xA0) ||
        (c == 0xF0 && next < 0x90) || (c == 0xF4 && next >= 0x90) || c > 0xF4)
      return i;
    i += len;
  }
  return std::string::npos;
}

bool rejectInvalidUtf8(const std::string& path, const std::string& text, DiagnosticEngine& diags) {
  size_t bad = invalidUtf8At(text);
  if (bad == std::string::npos) return false;
  PositionMap pos(path, text.substr(0, bad));
  SourceRange r;
  r.begin = pos.locAtByte(static_cast<uint32_t>(bad));
  diags.report(DiagId::SyntaxError, r,
               "the file is not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
  return true;
}

// Syntax errors one file reports at most: past this many, later ones are
// more likely echoes than news.
constexpr int kMaxSyntaxErrors = 20;

// The top-level declarations that overlap a skipped item, found in the text
// as parsed (the skipped items blanked), whose brackets balance.
std::vector<SourceRange> damagedDeclarations(const std::string& text, const PositionMap& pos,
                                             const std::vector<frontend::ByteSpan>& skipped) {
  std::vector<SourceRange> damaged;
  for (const frontend::ByteSpan& decl : frontend::topLevelSpans(text)) {
    for (const frontend::ByteSpan& s : skipped) {
      if (s.begin >= decl.end || decl.begin >= s.end) continue;
      SourceRange r;
      r.begin = pos.locAtByte(static_cast<uint32_t>(decl.begin));
      r.length = static_cast<uint32_t>(decl.end - decl.begin);
      damaged.push_back(r);
      break;
    }
  }
  return damaged;
}

} // namespace

ast::File parseFile(const std::string& path, const std::string& text, DiagnosticEngine& diags) {
  ast::File empty;
  empty.path = path;
  if (rejectInvalidUtf8(path, text, diags)) return empty;
  {
    ParseSession s(path, text, diags);
    if (!checkTokens(s.tokens, s.pos, diags)) return empty;
  }
  // Each round reports the first syntax error left, skips the item holding
  // it, and parses again, until the rest parses cleanly.
  std::string working = text;
  std::vector<frontend::ByteSpan> skipped;
  for (int errors = 0;; ++errors) {
    DiagnosticEngine found;
    ParseSession s(path, working, found);
    P::FileContext* tree = parseTwoStage(s);
    if (!found.hasErrors()) {
      AstBuilder builder(s.pos, diags);
      ast::File f = builder.file(tree, path);
      scaleMinutes(f, working);
      f.recovered = !skipped.empty();
      f.damaged = damagedDeclarations(working, s.pos, skipped);
      return f;
    }
    for (const Diagnostic& d : found.diagnostics())
      diags.report(d.id, d.range, d.message) = d;
    if (errors + 1 >= kMaxSyntaxErrors) return empty;
    // After a syntax error ANTLR's recovered tree may lack children: the AST
    // is only built from a clean parse of what is left.
    const Diagnostic& first = found.diagnostics().front();
    frontend::ByteSpan item = frontend::itemSpanAt(working, first.range.begin.offset);
    // "This line ends before its item is complete": either that line or the
    // next one (its note) is at fault; skipping both stops the cascade.
    for (const DiagNote& n : first.notes)
      if (n.range.valid() && n.range.begin.offset >= item.end)
        item.end = std::max(item.end, frontend::itemSpanAt(working, n.range.begin.offset).end);
    if (!frontend::blankOut(working, item)) return empty; // nothing left to skip
    skipped.push_back(item);
  }
}

std::optional<ast::RecipeItem> parseRecipeItem(const std::string& name, const std::string& text,
                                               DiagnosticEngine& diags) {
  size_t before = diags.errorCount();
  if (rejectInvalidUtf8(name, text, diags)) return std::nullopt;
  ParseSession s(name, text, diags);
  if (!checkTokens(s.tokens, s.pos, diags)) return std::nullopt;
  P::OverrideItemContext* tree = s.parser.overrideItem();
  if (diags.errorCount() > before || !tree->recipeItem()) return std::nullopt;
  AstBuilder builder(s.pos, diags);
  ast::RecipeItem item = builder.recipeItem(tree->recipeItem());
  scaleMinutes(item.value, text);
  return item;
}

} // namespace fiver
