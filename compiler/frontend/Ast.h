// The syntax tree of a .5r file: plain structs, every node with its source
// range, no semantics. Sema turns these into a CheckedRecipe.
#pragma once

#include "compiler/diag/SourceLocation.h"
#include "compiler/frontend/Unit.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fiver::ast {

// A name as written, with where it was written.
struct Word {
  std::string text;
  SourceRange range;
};

struct Arg;

// A literal, a name, a call, a list or (in models) arithmetic.
struct Value {
  enum class Kind { Number, String, Name, Call, List, Binary, Negate };
  Kind kind = Kind::Number;
  double number = 0;
  bool isInteger = false;
  Unit unit = Unit::None;
  std::string text;         // String contents, Name, Call name, Binary operator
  std::vector<Value> items; // List items, Binary operands, Negate operand
  std::vector<Arg> args;    // Call arguments
  SourceRange range;
  SourceRange nameRange; // Call: the callee's name
};

struct Arg {
  std::optional<Word> name; // absent for positional arguments
  Value value;
  SourceRange range;
};

struct Call {
  Word name;
  std::vector<Arg> args;
  bool hasParens = false;
  SourceRange range;
};

struct Triple {
  Word action, component, timing, information;
  std::optional<Call> method; // absent: the cell's default method
  SourceRange range;          // the four taxonomy words
};

struct RecipeItem {
  enum class Kind { Triple, Drop, Target, Setting };
  Kind kind = Kind::Setting;
  Triple triple;
  Word key; // Drop: the method; Target: the metric; Setting: the key
  Value value;
  SourceRange range;
};

struct Recipe {
  Word name;
  std::optional<Word> base;
  std::vector<RecipeItem> items;
  SourceRange range;
};

struct ParamDecl {
  Word name;
  Word type;
  std::optional<Value> defaultValue;
  std::optional<Value> low, high;
  SourceRange range;
};

struct Lowering {
  Word kind;   // pass | hook
  Word target; // the pass or hook name
};

// One cell of the taxonomy a method declares: `remove derived_data dynamic domain default`.
struct DeclaredTriple {
  Word action, component, timing, information;
  bool isDefault = false; // a bare triple of this cell resolves to the method
  SourceRange range;
};

// `when PARAM == VALUE` after a `conflicts` list: the conflict holds only
// while the named method's parameter has that value.
struct ConflictCondition {
  Word param;
  Word value;
  SourceRange range;
};

struct MethodDecl {
  Word name;
  // Every cell the survey places the method in, primary first; the four words
  // and isDefault below repeat the primary one for code that reads only it.
  std::vector<DeclaredTriple> triples;
  Word action, component, timing, information;
  bool isDefault = false;
  std::optional<DeclaredTriple> formerly; // the triple before it followed the survey
  std::string survey;                     // the survey's placement: section and quote
  std::vector<ParamDecl> params;
  std::vector<Word> effects;
  std::vector<Lowering> lowerings;
  std::vector<Word> conflicts;
  // The `when` of the conflicts that hold only for some arguments, by the
  // conflicting method's name; the others always hold.
  std::map<std::string, ConflictCondition> conflictConditions;
  std::vector<Word> after;
  Word phase;  // empty when the declaration names none
  Word inputs; // `inputs images` / `inputs text`; empty: the method fits any task
  std::vector<Word> requirements; // `requires embedding`: what the model must have
  std::string doc;
  std::string cite;
  SourceRange range;
};

struct Layer {
  enum class Kind { Simple, Residual, Repeat };
  Kind kind = Kind::Simple;
  Word name;
  std::vector<Arg> args;
  std::vector<Layer> body;
  std::vector<Layer> shortcut;
  bool hasShortcut = false;
  Value count; // Repeat
  SourceRange range;
};

struct ModelParam {
  Word name;
  Word type;
  std::optional<Value> defaultValue;
};

struct ModelDecl {
  Word name;
  std::vector<ModelParam> params;
  std::vector<Layer> layers;
  SourceRange range;
};

struct TaskItem {
  Word key;
  Value value;
};

struct TaskDecl {
  Word name;
  std::vector<TaskItem> items;
  SourceRange range;
};

// `study NAME { key value ... }`: checked by sema (see StudyCheck.h).
struct StudyDecl {
  Word name;
  std::vector<TaskItem> items;
  SourceRange range;
};

struct Import {
  std::string path;
  SourceRange range; // the quoted path
};

struct File {
  std::string path;
  // After syntax errors the parser skips the items that held them and parses
  // the rest: `recovered` is set, and `damaged` holds the declarations that
  // lost items, whose other diagnostics would mostly be echoes.
  bool recovered = false;
  std::vector<SourceRange> damaged;
  std::vector<Import> imports;
  std::vector<Recipe> recipes;
  std::vector<MethodDecl> methods;
  std::vector<ModelDecl> models;
  std::vector<TaskDecl> tasks;
  std::vector<StudyDecl> studies;
};

} // namespace fiver::ast
