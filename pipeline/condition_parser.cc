// The parser of the condition language: recursive descent over the lexer's tokens, building the
// tree (condition_tree.h) and doing once what need not wait for an event (literal numbers,
// regex compilation, type checks). Every error message says what is wrong and what was expected.
// The language is specified in docs/conditions.md; keep the two in step.
#include "pipeline/condition_parser.h"

#include <re2/re2.h>

#include <string>
#include <vector>

#include "pipeline/condition_eval.h"
#include "pipeline/condition_lexer.h"
#include "pipeline/options/diagnostics.h"

namespace sluice::condition_internal {
namespace {

using Node = Condition::Node;

bool IsOperandStart(Tok k) {
  return k == Tok::kIdent || k == Tok::kBracketField || k == Tok::kString || k == Tok::kNumber ||
         k == Tok::kTrue || k == Tok::kFalse || k == Tok::kNull;
}

bool IsComparison(Tok k) {
  return k == Tok::kEq || k == Tok::kNe || k == Tok::kLt || k == Tok::kLe || k == Tok::kGt ||
         k == Tok::kGe;
}

const char* const kOperators = "'==', '!=', '<', '<=', '>', '>=', '=~', '!~' or 'contains'";

class Parser {
 public:
  explicit Parser(std::string_view text) : lex_(text) {}

  std::unique_ptr<Node> ParseAll() {
    if (!Advance()) return nullptr;
    if (tok_.kind == Tok::kEnd) {
      return Fail(tok_.offset,
                  "empty condition; write one such as 'log.level == \"ERROR\"' or remove 'when:'");
    }
    auto root = ParseOr(0);
    if (root == nullptr) return nullptr;
    if (tok_.kind != Tok::kEnd) {
      std::string hint;
      if (tok_.kind == Tok::kIdent) hint = config::DidYouMean(tok_.raw, {"and", "or"});
      return Fail(tok_.offset, "unexpected " + Describe(tok_) +
                                   " after a complete condition; expected '&&', '||' or the end" +
                                   hint);
    }
    return root;
  }

  const std::string& error() const { return error_; }
  size_t error_offset() const { return error_offset_; }

 private:
  bool Advance() {
    prev_ = tok_.raw;
    tok_ = lex_.Next();
    if (tok_.kind == Tok::kError) Fail(tok_.offset, tok_.value);
    return !failed_;
  }

  std::nullptr_t Fail(size_t offset, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_ = std::move(message);
      error_offset_ = offset;
    }
    return nullptr;
  }

  static std::string Describe(const Token& t) {
    return t.kind == Tok::kEnd ? "the end of the condition" : Quoted(t.raw);
  }

  std::string After() const { return prev_.empty() ? "" : " after " + Quoted(prev_); }

  std::unique_ptr<Node> ParseOr(int depth) {
    auto first = ParseAnd(depth);
    if (first == nullptr || tok_.kind != Tok::kOr) return first;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kOr;
    node->children.push_back(std::move(first));
    while (tok_.kind == Tok::kOr) {
      if (!Advance()) return nullptr;
      auto next = ParseAnd(depth);
      if (next == nullptr) return nullptr;
      node->children.push_back(std::move(next));
    }
    return node;
  }

  std::unique_ptr<Node> ParseAnd(int depth) {
    auto first = ParseUnary(depth, {});
    if (first == nullptr || tok_.kind != Tok::kAnd) return first;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kAnd;
    node->children.push_back(std::move(first));
    while (tok_.kind == Tok::kAnd) {
      if (!Advance()) return nullptr;
      auto next = ParseUnary(depth, {});
      if (next == nullptr) return nullptr;
      node->children.push_back(std::move(next));
    }
    return node;
  }

  // `negation`: the '!' or 'not' just before, if any (to reject `!a == b`).
  std::unique_ptr<Node> ParseUnary(int depth, std::string_view negation) {
    if (tok_.kind != Tok::kNot) return ParsePrimary(depth, negation);
    if (depth >= kMaxDepth) return TooDeep();
    std::string_view this_negation = tok_.raw;
    if (!Advance()) return nullptr;
    auto child = ParseUnary(depth + 1, this_negation);
    if (child == nullptr) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kNot;
    node->children.push_back(std::move(child));
    return node;
  }

  std::nullptr_t TooDeep() {
    return Fail(tok_.offset, "the condition nests too deeply (more than " +
                                 std::to_string(kMaxDepth) + " levels of '(' and '!')");
  }

  std::unique_ptr<Node> ParsePrimary(int depth, std::string_view negation) {
    if (tok_.kind == Tok::kLParen) {
      if (depth >= kMaxDepth) return TooDeep();
      if (!Advance()) return nullptr;
      auto inner = ParseOr(depth + 1);
      if (inner == nullptr) return nullptr;
      if (tok_.kind != Tok::kRParen) {
        std::string hint;
        if (tok_.kind == Tok::kIdent) hint = config::DidYouMean(tok_.raw, {"and", "or"});
        return Fail(tok_.offset, "expected ')' to close '(', got " + Describe(tok_) + hint);
      }
      if (!Advance()) return nullptr;
      return inner;
    }
    if (tok_.kind == Tok::kIdent && tok_.value == "exists") return ParseExists();
    if (tok_.kind == Tok::kIdent && tok_.followed_by_paren) {
      std::string hint = config::DidYouMean(tok_.raw, {"exists"});
      if (hint.empty()) hint = "; the only function is exists(field)";
      return Fail(tok_.offset, "unknown function " + Quoted(tok_.raw) + hint);
    }
    if (tok_.kind == Tok::kSlash) {
      return Fail(tok_.offset, "a regular expression /.../ must follow '=~' or '!~'");
    }
    if (!IsOperandStart(tok_.kind)) {
      return Fail(tok_.offset, "expected a condition" + After() + ", got " + Describe(tok_));
    }
    Operand lhs;
    if (!TakeOperand(&lhs)) return nullptr;
    Tok k = tok_.kind;
    if (IsComparison(k) || k == Tok::kMatch || k == Tok::kNoMatch || k == Tok::kContains) {
      if (!negation.empty()) {
        return Fail(tok_.offset, Quoted(negation) + " applies to " + Quoted(lhs.raw) +
                                     " alone here; to negate " + Quoted(tok_.raw) + ", write '" +
                                     std::string(negation) + (negation == "not" ? " (" : "(") +
                                     Printable(lhs.raw) + " " + Printable(tok_.raw) + " ...)'");
      }
      if (IsComparison(k)) return ParseComparison(std::move(lhs));
      if (k == Tok::kContains) return ParseContains(std::move(lhs));
      return ParseRegex(std::move(lhs));
    }
    return Bare(std::move(lhs));
  }

  // A field or literal alone: a field tests truthiness, true and false are constants.
  std::unique_ptr<Node> Bare(Operand lhs) {
    if (IsOperandStart(tok_.kind) || tok_.kind == Tok::kSlash) {
      std::string hint;
      if (tok_.kind == Tok::kIdent) hint = config::DidYouMean(tok_.raw, {"contains", "and", "or"});
      return Fail(tok_.offset, "expected an operator (" + std::string(kOperators) + ") after " +
                                   Quoted(lhs.raw) + ", got " + Describe(tok_) + hint);
    }
    auto node = std::make_unique<Node>();
    if (lhs.kind == Operand::Kind::kLiteral) {
      if (lhs.literal.kind != Val::Kind::kBool) {
        return Fail(lhs.offset, "the value " + Quoted(lhs.raw) +
                                    " alone is not a condition; compare it with a field, such as "
                                    "'status == 500'");
      }
      node->kind = Node::Kind::kConst;
      node->constant = lhs.literal.b;
      return node;
    }
    node->kind = Node::Kind::kTruthy;
    node->lhs = std::move(lhs);
    return node;
  }

  // Takes the current token as an operand (the caller checked IsOperandStart) and advances.
  bool TakeOperand(Operand* o) {
    o->offset = tok_.offset;
    o->raw = tok_.raw;
    switch (tok_.kind) {
      case Tok::kIdent:
      case Tok::kBracketField:
        if (tok_.value == "@timestamp") {
          Fail(tok_.offset,
               "'@timestamp' (the event time) cannot be used in conditions; compare a field "
               "instead");
          return false;
        }
        if (tok_.value == "message") {
          o->kind = Operand::Kind::kMessage;
        } else if (tok_.value == "tags") {
          o->kind = Operand::Kind::kTags;
        } else {
          o->kind = Operand::Kind::kField;
          o->name = std::move(tok_.value);
        }
        break;
      case Tok::kString:
        o->text = std::move(tok_.value);
        o->literal.kind = Val::Kind::kText;
        o->literal.s = o->text;
        ParseNumber(&o->literal);
        o->literal.s = {};
        break;
      case Tok::kNumber:
        o->literal.kind = tok_.is_int ? Val::Kind::kInt : Val::Kind::kFloat;
        o->literal.i = tok_.i;
        o->literal.d = tok_.d;
        break;
      case Tok::kTrue:
      case Tok::kFalse:
        o->literal.kind = Val::Kind::kBool;
        o->literal.b = tok_.kind == Tok::kTrue;
        break;
      case Tok::kNull:
        o->literal.kind = Val::Kind::kNull;
        break;
      default:
        Fail(tok_.offset, "expected a value" + After() + ", got " + Describe(tok_));
        return false;
    }
    return Advance();
  }

  // A value operand after `op_raw`; rejects function calls and regular expressions.
  bool TakeValue(Operand* o) {
    if (!IsOperandStart(tok_.kind) || (tok_.kind == Tok::kIdent && tok_.followed_by_paren)) {
      std::string got = Describe(tok_);
      if (tok_.kind == Tok::kIdent)
        got = "the function call " + Quoted(std::string(tok_.raw) + "(");
      if (tok_.kind == Tok::kSlash) got += " (a regular expression goes after '=~' or '!~')";
      Fail(tok_.offset, "expected a value" + After() + ", got " + got);
      return false;
    }
    return TakeOperand(o);
  }

  std::nullptr_t TagsMisused(const Operand& tags, std::string_view op) {
    return Fail(tags.offset, "'tags' is the event's list of tags and cannot be compared with " +
                                 Quoted(op) +
                                 "; test it with 'tags contains \"name\"', 'tags =~ /re/' or "
                                 "'exists(tags)'");
  }

  std::unique_ptr<Node> ParseComparison(Operand lhs) {
    Token op_tok = tok_;
    Op op = Op::kEq;
    switch (op_tok.kind) {
      case Tok::kNe:
        op = Op::kNe;
        break;
      case Tok::kLt:
        op = Op::kLt;
        break;
      case Tok::kLe:
        op = Op::kLe;
        break;
      case Tok::kGt:
        op = Op::kGt;
        break;
      case Tok::kGe:
        op = Op::kGe;
        break;
      default:
        break;
    }
    if (lhs.kind == Operand::Kind::kTags) return TagsMisused(lhs, op_tok.raw);
    if (!Advance()) return nullptr;
    Operand rhs;
    if (!TakeValue(&rhs)) return nullptr;
    if (rhs.kind == Operand::Kind::kTags) return TagsMisused(rhs, op_tok.raw);
    if (op != Op::kEq && op != Op::kNe) {
      for (const Operand* o : {&lhs, &rhs}) {
        if (o->kind == Operand::Kind::kLiteral &&
            (o->literal.kind == Val::Kind::kBool || o->literal.kind == Val::Kind::kNull)) {
          return Fail(op_tok.offset, Quoted(op_tok.raw) + " does not apply to " + Quoted(o->raw) +
                                         ": true, false and null compare only with '==' and "
                                         "'!='");
        }
      }
    }
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kCompare;
    node->op = op;
    node->lhs = std::move(lhs);
    node->rhs = std::move(rhs);
    return node;
  }

  std::unique_ptr<Node> ParseContains(Operand lhs) {
    if (!Advance()) return nullptr;
    bool text_literal = tok_.kind == Tok::kString;
    bool field =
        (tok_.kind == Tok::kIdent && !tok_.followed_by_paren) || tok_.kind == Tok::kBracketField;
    if (!text_literal && !field) {
      std::string hint;
      if (tok_.kind == Tok::kNumber) hint = "; quote a number: \"" + Printable(tok_.raw) + "\"";
      return Fail(tok_.offset,
                  "expected a string or a field after 'contains', got " + Describe(tok_) + hint);
    }
    Operand rhs;
    if (!TakeOperand(&rhs)) return nullptr;
    if (rhs.kind == Operand::Kind::kTags) {
      return Fail(rhs.offset, "'tags' can only be on the left of 'contains' (tags contains \"x\")");
    }
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kContains;
    node->lhs = std::move(lhs);
    node->rhs = std::move(rhs);
    return node;
  }

  std::unique_ptr<Node> ParseRegex(Operand lhs) {
    std::string op_raw(tok_.raw);
    bool negate = tok_.kind == Tok::kNoMatch;
    if (!Advance()) return nullptr;
    if (tok_.kind != Tok::kSlash) {
      return Fail(tok_.offset, "expected a regular expression /.../ after '" + op_raw + "', got " +
                                   Describe(tok_));
    }
    bool case_insensitive = false;
    bool dot_nl = false;
    Token re_tok = lex_.Regex(tok_.offset, &case_insensitive, &dot_nl);
    if (re_tok.kind == Tok::kError) return Fail(re_tok.offset, re_tok.value);
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(!case_insensitive);
    options.set_dot_nl(dot_nl);
    auto re = std::make_unique<RE2>(re_tok.value, options);
    if (!re->ok()) {
      std::string_view raw = re_tok.raw.substr(0, re_tok.raw.rfind('/') + 1);
      return Fail(re_tok.offset, "invalid regular expression " + Printable(raw) + ": " +
                                     Printable(re->error(), 200));
    }
    tok_.raw = re_tok.raw;  // so that prev_ names the regex
    if (!Advance()) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kRegex;
    node->negate = negate;
    node->lhs = std::move(lhs);
    node->re = std::move(re);
    return node;
  }

  std::unique_ptr<Node> ParseExists() {
    if (!Advance()) return nullptr;
    if (tok_.kind != Tok::kLParen) {
      return Fail(tok_.offset,
                  "expected '(' after 'exists' (exists(field)), got " + Describe(tok_));
    }
    if (!Advance()) return nullptr;
    bool field =
        (tok_.kind == Tok::kIdent && !tok_.followed_by_paren) || tok_.kind == Tok::kBracketField;
    if (!field) {
      return Fail(tok_.offset, "expected a field name in exists(...), got " + Describe(tok_));
    }
    Operand o;
    if (!TakeOperand(&o)) return nullptr;
    if (tok_.kind != Tok::kRParen) {
      return Fail(tok_.offset,
                  "expected ')' after 'exists(" + Printable(o.raw) + "', got " + Describe(tok_));
    }
    if (!Advance()) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kExists;
    node->lhs = std::move(o);
    return node;
  }

  Lexer lex_;
  Token tok_;
  std::string_view prev_;
  bool failed_ = false;
  std::string error_;
  size_t error_offset_ = 0;
};

}  // namespace

std::unique_ptr<Condition::Node> ParseTree(std::string_view text, std::string* error,
                                           size_t* error_offset) {
  Parser parser(text);
  std::unique_ptr<Node> root = parser.ParseAll();
  if (root == nullptr) {
    *error = parser.error();
    *error_offset = parser.error_offset();
  }
  return root;
}

}  // namespace sluice::condition_internal
