// template filter, part 2: the miner. Drain (He et al., "Drain: An Online Log Parsing Approach with
// Fixed Depth Tree", ICWS 2017) over masked lines (template_masker.h):
//   - a line goes down a tree by its token count, then by its first `depth - 2` tokens (a token
//     with a digit or a `<*>` goes down the `<*>` branch, as does any new token once a node has
//     `max_children`);
//   - the leaf holds templates; the line joins the one most similar to it (the share of positions
//     where the template has the line's token or `<*>`) when that share is at least `similarity`,
//     and the positions where they differ become `<*>`; otherwise it starts a template;
//   - one departure from Drain: unless `merge_words`, a template and a line that differ in a plain
//     word at one position (`stored as bytes` / `stored as values`) are different statements and
//     never merge. The masker has already made values of everything with a digit, a path or an
//     id in it, so what is left at a position that differs is a word.
// Templates are bounded (`max_templates`): the least recently matched one is forgotten to make
// room. A template's id is a hash of its text (TemplateId), so every agent gives the same template
// the same id; it changes when the template gains a `<*>`. A cache of line hashes → templates
// skips the tree for lines seen before (most of a log).
// Thread-safety: every method may be called from any thread (one mutex; the caller masks and
// hashes outside it).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "plugins/filters/template/template_masker.h"

namespace sluice::filters::templates {

struct MinerOptions {
  size_t depth = 4;
  double similarity = 0.5;
  size_t max_children = 100;
  size_t max_templates = 10000;
  bool merge_words = false;
};

// What the miner knows of one template.
struct TemplateInfo {
  uint64_t id = 0;
  std::string text;
  uint64_t count = 0;      // lines matched
  int64_t first_seen = 0;  // unix seconds
  int64_t last_seen = 0;
};

class Miner {
 public:
  explicit Miner(MinerOptions options);
  ~Miner();
  Miner(const Miner&) = delete;
  Miner& operator=(const Miner&) = delete;

  struct Match {
    uint64_t id = 0;
    bool created = false;  // the line started a new template
    bool evicted = false;  // ... and the least recently matched one was forgotten for it
    std::string text;      // the template, copied (the caller's buffer is reused)
  };
  // Clusters one masked line; `line_hash` is LineHash(line).
  void Add(const MaskedLine& line, uint64_t line_hash, int64_t now_s, Match* match);

  // Puts back a template a previous run knew (its text, as Snapshot gave it). Restore the oldest
  // first: the last restored counts as the most recently matched. Ignored once full.
  void Restore(const TemplateInfo& info);

  // Every template known, in no particular order.
  std::vector<TemplateInfo> Snapshot() const;
  size_t size() const;

  static uint64_t LineHash(const MaskedLine& line);
  // The id of a template text: the 64-bit FNV-1a of its bytes, then the MurmurHash3 finalizer.
  static uint64_t TemplateId(std::string_view text);
  // 16 lower-case hex digits.
  static std::string IdText(uint64_t id);

 private:
  struct Node;
  struct Cluster;

  Node* Leaf(const std::vector<std::string_view>& tokens);
  // The leaf's most similar template that the line may join, or null.
  Cluster* Best(const Node& leaf, const MaskedLine& line) const;
  void Generalize(Cluster& c, const MaskedLine& line);
  Cluster& Create(Node* leaf, std::vector<std::string> tokens, std::vector<TokenKind> kinds);
  void EvictOldest();

  const MinerOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<size_t, std::unique_ptr<Node>> roots_;          // by token count
  std::unordered_map<uint64_t, std::unique_ptr<Cluster>> clusters_;  // by serial
  std::unordered_map<uint64_t, uint64_t> seen_lines_;                // line hash → cluster serial
  std::list<Cluster*> lru_;                                          // most recently matched first
  uint64_t next_serial_ = 1;
  std::vector<std::string_view> scratch_;
};

}  // namespace sluice::filters::templates
