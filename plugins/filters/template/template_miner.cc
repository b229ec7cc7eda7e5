#include "plugins/filters/template/template_miner.h"

#include <algorithm>
#include <functional>

#include "plugins/common/hash.h"

namespace sluice::filters::templates {

struct Miner::Node {
  std::unordered_map<std::string, std::unique_ptr<Node>> children;
  std::vector<Cluster*> clusters;
};

struct Miner::Cluster {
  std::vector<std::string> tokens;
  std::vector<TokenKind> kinds;
  std::string text;
  uint64_t id = 0;
  uint64_t serial = 0;
  uint64_t count = 0;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  Node* leaf = nullptr;
  std::list<Cluster*>::iterator lru;

  void SetText() {
    text.clear();
    for (const std::string& t : tokens) {
      if (!text.empty()) text += ' ';
      text += t;
    }
    id = TemplateId(text);
  }
};

namespace {

// Most lines repeat a masked form already seen; the cache of them is dropped whole when it grows
// past this many entries per template (a flood of distinct lines).
constexpr size_t kSeenLinesPerTemplate = 8;

bool TreeWildcard(std::string_view token) {
  return token.find(kWildcard) != std::string_view::npos ||
         std::any_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Miner::Miner(MinerOptions options) : options_(options) {}
Miner::~Miner() = default;

uint64_t Miner::LineHash(const MaskedLine& line) {
  return std::hash<std::string_view>{}(line.text);  // in memory only: need not be stable
}

uint64_t Miner::TemplateId(std::string_view text) { return common::Mix64(common::Fnv1a(text)); }

std::string Miner::IdText(uint64_t id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, id >>= 4) out[static_cast<size_t>(i)] = kHex[id & 0xf];
  return out;
}

Miner::Node* Miner::Leaf(const std::vector<std::string_view>& tokens) {
  std::unique_ptr<Node>& root = roots_[tokens.size()];
  if (!root) root = std::make_unique<Node>();
  Node* node = root.get();
  const size_t levels = std::min(tokens.size(), options_.depth > 2 ? options_.depth - 2 : 0);
  for (size_t k = 0; k < levels; ++k) {
    std::string key(TreeWildcard(tokens[k]) ? kWildcard : tokens[k]);
    auto it = node->children.find(key);
    if (it == node->children.end()) {
      if (node->children.size() >= options_.max_children) key = kWildcard;
      it = node->children.try_emplace(std::move(key)).first;
      if (!it->second) it->second = std::make_unique<Node>();
    }
    node = it->second.get();
  }
  return node;
}

Miner::Cluster* Miner::Best(const Node& leaf, const MaskedLine& line) const {
  Cluster* best = nullptr;
  size_t best_same = 0;
  for (Cluster* c : leaf.clusters) {
    size_t same = 0;
    bool hard_mismatch = false;
    for (size_t i = 0; i < line.size(); ++i) {
      const std::string& t = c->tokens[i];
      if (t == kWildcard || t == line.token(i)) {
        ++same;
      } else if (!options_.merge_words && c->kinds[i] == TokenKind::kWord &&
                 Masker::KindOf(line.token(i)) == TokenKind::kWord) {
        hard_mismatch = true;
        break;
      }
    }
    if (!hard_mismatch && (best == nullptr || same > best_same)) {
      best = c;
      best_same = same;
    }
  }
  if (best == nullptr ||
      static_cast<double>(best_same) < options_.similarity * static_cast<double>(line.size())) {
    return nullptr;
  }
  return best;
}

void Miner::Generalize(Cluster& c, const MaskedLine& line) {
  bool changed = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (c.tokens[i] != kWildcard && c.tokens[i] != line.token(i)) {
      c.tokens[i] = kWildcard;
      c.kinds[i] = TokenKind::kValue;
      changed = true;
    }
  }
  if (changed) c.SetText();
}

Miner::Cluster& Miner::Create(Node* leaf, std::vector<std::string> tokens,
                              std::vector<TokenKind> kinds) {
  auto owned = std::make_unique<Cluster>();
  Cluster& c = *owned;
  c.tokens = std::move(tokens);
  c.kinds = std::move(kinds);
  c.SetText();
  c.serial = next_serial_++;
  c.leaf = leaf;
  leaf->clusters.push_back(&c);
  lru_.push_front(&c);
  c.lru = lru_.begin();
  clusters_.emplace(c.serial, std::move(owned));
  return c;
}

void Miner::EvictOldest() {
  Cluster* victim = lru_.back();
  lru_.pop_back();
  std::erase(victim->leaf->clusters, victim);
  clusters_.erase(victim->serial);  // seen_lines_ entries naming it are ignored from now on
}

void Miner::Add(const MaskedLine& line, uint64_t line_hash, int64_t now_s, Match* match) {
  std::lock_guard lock(mu_);
  Cluster* c = nullptr;
  bool created = false;
  bool evicted = false;
  if (auto seen = seen_lines_.find(line_hash); seen != seen_lines_.end()) {
    if (auto it = clusters_.find(seen->second); it != clusters_.end()) c = it->second.get();
  }
  if (c == nullptr) {
    scratch_.clear();
    for (size_t i = 0; i < line.size(); ++i) scratch_.push_back(line.token(i));
    Node* leaf = Leaf(scratch_);
    c = Best(*leaf, line);
    if (c != nullptr) {
      Generalize(*c, line);
    } else {
      std::vector<TokenKind> kinds;
      for (std::string_view t : scratch_) kinds.push_back(Masker::KindOf(t));
      c = &Create(leaf, std::vector<std::string>(scratch_.begin(), scratch_.end()),
                  std::move(kinds));
      c->first_seen = now_s;
      created = true;
      if (clusters_.size() > options_.max_templates) {
        EvictOldest();
        evicted = true;
      }
    }
    if (seen_lines_.size() >= kSeenLinesPerTemplate * options_.max_templates) seen_lines_.clear();
    seen_lines_[line_hash] = c->serial;
  }
  ++c->count;
  c->last_seen = now_s;
  lru_.splice(lru_.begin(), lru_, c->lru);
  match->id = c->id;
  match->created = created;
  match->evicted = evicted;
  match->text.assign(c->text);
}

void Miner::Restore(const TemplateInfo& info) {
  std::lock_guard lock(mu_);
  if (clusters_.size() >= options_.max_templates) return;
  std::vector<std::string> tokens;
  std::vector<TokenKind> kinds;
  scratch_.clear();
  for (size_t i = 0; i < info.text.size();) {
    size_t end = info.text.find(' ', i);
    if (end == std::string::npos) end = info.text.size();
    if (end > i) {
      tokens.emplace_back(info.text.substr(i, end - i));
      kinds.push_back(Masker::KindOf(tokens.back()));
    }
    i = end + 1;
  }
  if (tokens.empty()) return;
  for (const std::string& t : tokens) scratch_.push_back(t);
  Node* leaf = Leaf(scratch_);
  for (const Cluster* existing : leaf->clusters) {
    if (existing->tokens == tokens) return;
  }
  Cluster& c = Create(leaf, std::move(tokens), std::move(kinds));
  c.count = info.count;
  c.first_seen = info.first_seen;
  c.last_seen = info.last_seen;
}

std::vector<TemplateInfo> Miner::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<TemplateInfo> out;
  out.reserve(clusters_.size());
  for (const Cluster* c : lru_) {
    out.push_back(TemplateInfo{c->id, c->text, c->count, c->first_seen, c->last_seen});
  }
  return out;
}

size_t Miner::size() const {
  std::lock_guard lock(mu_);
  return clusters_.size();
}

}  // namespace sluice::filters::templates
