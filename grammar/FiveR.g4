// The .5r language: recipes, methods, models, tasks and studies.
// Keywords are soft: `ident` accepts them wherever a name is expected.
grammar FiveR;

@parser::members {
  // A recipe item is a triple when its first word is an action or its second
  // word is a component, so that `task fashion_mnist` stays a setting while a
  // misspelt action still reaches sema (which suggests the right word).
  bool isTripleStart() {
    static const char* actions[] = {"remove", "restrict", "reorder", "replace", "retrofit"};
    static const char* components[] = {"model_parameters", "architecture", "training_data",
                                       "derived_data", "training_objective",
                                       "training_algorithm"};
    std::string first = _input->LT(1)->getText();
    std::string second = _input->LT(2)->getText();
    for (const char* a : actions)
      if (first == a) return true;
    for (const char* c : components)
      if (second == c) return true;
    return false;
  }
  bool onSameLine() { return _input->LT(1)->getLine() == _input->LT(-1)->getLine(); }
}

file : topDecl* EOF ;

topDecl
  : importDecl
  | recipeDecl
  | methodDecl
  | modelDecl
  | taskDecl
  | studyDecl
  | ';'
  ;

importDecl : IMPORT STRING ;

// ---- recipes ----
recipeDecl : RECIPE name=ident (EXTENDS base=ident)? '{' recipeItem* '}' ;

// Each item is on its own line: a setting's value, a dropped name and a
// target start on the line of their keyword, so a value left out is reported
// on its line instead of taking the next line's first word.
recipeItem
  : triple                                        # tripleItem
  | DROP {onSameLine()}? ident                    # dropItem
  | TARGET {onSameLine()}? ident '>=' {onSameLine()}? value # targetItem
  | key=ident {onSameLine()}? value               # settingItem
  | ';'                                           # emptyItem
  ;

// An override from the command line: one recipe item, then the end.
overrideItem : recipeItem EOF ;

// The method is on the triple's line; a bare triple ends at its line's end.
triple : {isTripleStart()}? action=ident component=ident timing=ident information=ident
         ({onSameLine()}? methodRef)? ;
methodRef : ident ('(' args? ')')? ;

// ---- method declarations ----
// A method the survey places in several cells declares each of them, separated
// by `|`; the first is its primary triple, and `default` marks each cell whose
// bare triple resolves to it.
methodDecl
  : METHOD name=ident ':' methodTriple ('|' methodTriple)* '{' methodItem* '}'
  ;
methodTriple
  : action=ident component=ident timing=ident information=ident DEFAULT?
  ;

methodItem
  : PARAM pname=ident ':' ptype=ident ('=' def=value)? (IN '[' lo=value ',' hi=value ']')? # paramDecl
  | EFFECT identList                                                 # effectDecl
  | LOWERS lowering (',' lowering)*                                  # lowersDecl
  | CONFLICTS identList (WHEN condition=conflictCondition)?          # conflictsDecl
  | AFTER identList                                                  # afterDecl
  | PHASE phase=ident                                                # phaseDecl
  | INPUTS kind=ident                                                # inputsDecl
  | REQUIRES identList                                               # requiresDecl
  | DOC STRING                                                       # docDecl
  | CITE STRING                                                      # citeDecl
  | SURVEY STRING                                                    # surveyDecl
  | FORMERLY action=ident component=ident timing=ident information=ident # formerlyDecl
  | ';'                                                              # emptyMethodItem
  ;

lowering : kind=ident target=ident ;
// `conflicts data_echoing when stage == example`: the conflict holds only
// while each named method's parameter has that value.
conflictCondition : param=ident '==' expected=ident ;
identList : ident (',' ident)* ;

// ---- models ----
modelDecl : MODEL name=ident ('(' (modelParam (',' modelParam)*)? ')')? '{' layer* '}' ;
modelParam : pname=ident ':' ptype=ident ('=' def=value)? ;

layer
  : RESIDUAL '{' body+=layer* '}' (SHORTCUT '{' shortcut+=layer* '}')?   # residualLayer
  | REPEAT expr '{' layer* '}'                          # repeatLayer
  | ident ('(' args? ')')?                              # simpleLayer
  | ';'                                                 # emptyLayer
  ;

// ---- tasks ----
taskDecl : TASK name=ident '{' taskItem* '}' ;
taskItem : key=ident value | ';' ;

// ---- studies: a grid of recipes x budgets x seeds, compared fairly ----
studyDecl : STUDY name=ident '{' taskItem* '}' ;

// ---- values ----
call : ident '(' args? ')' ;
args : arg (',' arg)* ','? ;
arg : (name=ident ':')? value ;

value
  : expr unit?          # numberValue
  | STRING              # stringValue
  | call                # callValue
  | '[' (value (',' value)* ','?)? ']'   # listValue
  ;

expr
  : expr op=('*' | '/') expr   # mulExpr
  | expr op=('+' | '-') expr   # addExpr
  | '-' expr                   # negExpr
  | '(' expr ')'               # parenExpr
  | NUMBER                     # numberAtom
  | ident                      # nameAtom
  ;

unit : '%' | EPOCHS | STEPS | SAMPLES | SECONDS | MINUTES ;

ident
  : ID | IMPORT | RECIPE | EXTENDS | DROP | TARGET | METHOD | DEFAULT | PARAM | IN
  | EFFECT | LOWERS | CONFLICTS | WHEN | AFTER | PHASE | INPUTS | REQUIRES | DOC | CITE | SURVEY | FORMERLY | MODEL | RESIDUAL | SHORTCUT
  | REPEAT | TASK | STUDY | EPOCHS | STEPS | SAMPLES | SECONDS | MINUTES
  ;

IMPORT : 'import' ;
RECIPE : 'recipe' ;
EXTENDS : 'extends' ;
DROP : 'drop' ;
TARGET : 'target' ;
METHOD : 'method' ;
DEFAULT : 'default' ;
PARAM : 'param' ;
IN : 'in' ;
EFFECT : 'effect' ;
LOWERS : 'lowers' ;
CONFLICTS : 'conflicts' ;
WHEN : 'when' ;
AFTER : 'after' ;
PHASE : 'phase' ;
INPUTS : 'inputs' ;
REQUIRES : 'requires' ;
DOC : 'doc' ;
CITE : 'cite' ;
SURVEY : 'survey' ;
FORMERLY : 'formerly' ;
MODEL : 'model' ;
RESIDUAL : 'residual' ;
SHORTCUT : 'shortcut' ;
REPEAT : 'repeat' ;
TASK : 'task' ;
STUDY : 'study' ;
EPOCHS : 'epochs' | 'epoch' ;
STEPS : 'steps' | 'step' ;
SAMPLES : 'samples' ;
SECONDS : 's' ;
MINUTES : 'min' ;

NUMBER : DIGITS ('.' DIGITS?)? EXPONENT? | '.' DIGITS EXPONENT? ;
// A number run into letters or a second dot (`1.2.3`, `0x10`, `30s`): one
// token, so that it is reported as a malformed number (E0004). NUMBER wins
// ties, being listed first.
BAD_NUMBER : [0-9] [a-zA-Z_0-9.]* ;
fragment DIGITS : [0-9] ([0-9_]* [0-9])? ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;
ID : [a-zA-Z_] [a-zA-Z_0-9]* ;
STRING : '"' (~["\\\r\n] | '\\' .)* '"' ;
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' .)* ;

LINE_COMMENT : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
// Never contains `*/`, so it cannot outmatch a closed comment.
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF ;
WS : [ \t\r\n]+ -> skip ;
ANY : . ;
