#include "vm/query.hpp"

#include <fmt/format.h>

#include "store/db.hpp"
#include "vm/executor.hpp"
#include "vm/history.hpp"

namespace rollup::vm {

namespace {

/// The subtree of `base` at `height` as query_account rebuilds it (see Subtree).
Result<std::shared_ptr<const Subtree>> rebuild_subtree(HistoryReader& history, std::uint64_t base, unsigned level,
                                                       std::uint64_t count, std::uint64_t height, bool tip) {
  const std::uint64_t span = std::uint64_t{1} << level;
  const std::uint64_t end = std::min(base + span, count);
  auto subtree = std::make_shared<Subtree>();
  // At the tip the neighbours' values are the tip table's, read in one range scan; at an
  // earlier height each comes from its history with one seek.
  subtree->accounts = tip ? ROLLUP_TRY(history.tip_accounts(base, end)) : ROLLUP_TRY(history.accounts_in(base, end, height));
  if (subtree->accounts.size() != end - base)
    return fail(Errc::io, fmt::format("corrupt state file: accounts {}..{} lack history at height {}", base, end - 1,
                                      height));
  std::vector<smt::LeafInput> inputs;
  for (const auto& [i, account] : subtree->accounts)
    inputs.push_back(smt::LeafInput{account.key, account.balance, account.nonce});
  auto leaves = smt::leaf_digests(inputs, 1);
  subtree->levels.emplace_back(span, smt::empty_digest(0));
  for (std::size_t i = 0; i < leaves.size(); ++i) subtree->levels[0][subtree->accounts[i].first - base] = leaves[i];
  for (unsigned l = 0; l < level; ++l) {
    std::vector<hash::Digest> parents(subtree->levels.back().size() / 2);
    hash::merge_pairs(subtree->levels.back(), parents);
    subtree->levels.push_back(std::move(parents));
  }
  return std::shared_ptr<const Subtree>(std::move(subtree));
}

/// The answer from the stored state at `height`, which the history must cover (floor <= height <=
/// the executor's height), read within the caller's read transaction. `tip`: `height` is the
/// executor's height, answered from state_accounts and state_nodes as they stand.
Result<AccountAnswer> answer_from_history(store::Db& db, const std::optional<PublicKey>& key,
                                          std::optional<std::uint64_t> index, std::uint64_t height, bool tip,
                                          SubtreeCache* cache) {
  HistoryReader history(db);
  const std::uint64_t count = ROLLUP_TRY(history.account_count(height)).value_or(0);
  const std::string who = key ? to_hex(*key) : "index " + std::to_string(*index);
  auto none = [&] { return fail(Errc::rejected, fmt::format("no account for {} at height {}", who, height)); };
  std::uint64_t idx = 0;
  if (key) {
    auto q = ROLLUP_TRY(db.prepare("SELECT idx FROM state_accounts WHERE pubkey = ?"));
    q.bind(1, std::span<const std::uint8_t>(*key));
    if (!ROLLUP_TRY(q.step())) return none();
    idx = ROLLUP_TRY(q.column_uint64(0));
  } else {
    idx = *index;
  }
  if (idx >= count) return none();
  AccountAnswer a;
  a.proof.index = idx;
  a.height = height;
  // The lowest levels are not stored (see kFirstTipLevel, kFirstStoredLevel): rebuild the small
  // subtree of the accounts that share the account's ancestor at the first stored level, as they
  // were at `height`.
  const unsigned first_stored = tip ? kFirstTipLevel : kFirstStoredLevel;
  const std::uint64_t base = idx & ~((std::uint64_t{1} << first_stored) - 1);
  auto subtree = cache ? cache->find(height, first_stored, base) : nullptr;
  const bool rebuilt = !subtree;
  if (rebuilt) subtree = ROLLUP_TRY(rebuild_subtree(history, base, first_stored, count, height, tip));
  a.account = subtree->accounts[idx - base].second;
  a.proof.leaf = subtree->levels[0][idx - base];
  for (unsigned level = 0; level < first_stored; ++level)
    a.proof.siblings[level] = subtree->levels[level][((idx - base) >> level) ^ 1];
  // The tip's nodes are in state_nodes; a past height's in the history.
  auto node = [&](unsigned level, std::uint64_t i) -> Result<hash::Digest> {
    return tip ? history.tip_node(level, i) : history.node(level, i, height);
  };
  for (unsigned level = first_stored; level < smt::kDepth; ++level)
    a.proof.siblings[level] = ROLLUP_TRY(node(level, (idx >> level) ^ 1));
  a.root = ROLLUP_TRY(node(smt::kDepth, 0));
  // The account is answered only if it and its neighbours hash to the stored node above them,
  // and the stored tree's root is the block's: a flipped byte in the account tables is a corrupt
  // file, not an answer. Hashing the whole path again (32 single permutations, most of a query's
  // time) would also catch a corrupt stored node above; a client's check against the contract's
  // root catches that, and rollup-l1 check finds it.
  auto stored = ROLLUP_TRY(stored_root(db, height));
  if (!stored || *stored != a.root || subtree->levels.back()[0] != ROLLUP_TRY(node(first_stored, idx >> first_stored)))
    return fail(Errc::io, fmt::format("corrupt state file: state_accounts index {} at height {} does not hash to the stored "
                                      "state root (run: rollup-l1 check)",
                                      idx, height));
  if (rebuilt && cache) cache->keep(height, first_stored, base, subtree);
  return a;
}

}  // namespace

std::shared_ptr<const Subtree> SubtreeCache::find(std::uint64_t height, unsigned level, std::uint64_t base) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(Key{height, base, level});
  if (it == entries_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  ++hits_;
  return it->second->second;
}

void SubtreeCache::keep(std::uint64_t height, unsigned level, std::uint64_t base,
                        std::shared_ptr<const Subtree> subtree) {
  std::lock_guard lock(mutex_);
  const Key key{height, base, level};
  if (entries_.contains(key) || subtree->accounts.size() > capacity_) return;
  accounts_ += subtree->accounts.size();
  order_.emplace_front(key, std::move(subtree));
  entries_.emplace(key, order_.begin());
  while (accounts_ > capacity_) {
    accounts_ -= order_.back().second->accounts.size();
    entries_.erase(order_.back().first);
    order_.pop_back();
  }
}

std::uint64_t SubtreeCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

Result<AccountAnswer> query_account(store::Db& db, const std::optional<PublicKey>& key,
                                    std::optional<std::uint64_t> index, SubtreeCache* cache) {
  auto read = ROLLUP_TRY(db.begin_read());
  const std::uint64_t tip = ROLLUP_TRY(executor_height(db));
  if (tip == 0) return fail(Errc::rejected, "the executor has applied no block yet (ask with --height 0 for genesis)");
  return answer_from_history(db, key, index, tip, true, cache);
}

Result<AccountAnswer> query_account_at(store::Db& db, l1::Contract& contract,
                                       const std::optional<PublicKey>& key,
                                       std::optional<std::uint64_t> index, std::uint64_t height,
                                       unsigned threads, SubtreeCache* cache) {
  {
    auto read = ROLLUP_TRY(db.begin_read());
    const auto settings = ROLLUP_TRY(history_settings(db));
    const std::uint64_t tip = ROLLUP_TRY(executor_height(db));
    if (height > 0 && height >= settings.floor && height <= tip)
      return answer_from_history(db, key, index, height, height == tip, cache);
  }
  const State state = ROLLUP_TRY(state_at(db, contract, height, threads));
  std::optional<std::uint64_t> found = key ? state.index_of(*key) : index;
  if (!found || *found >= state.size())
    return fail(Errc::rejected, fmt::format("no account for {} at height {}",
                                            key ? to_hex(*key) : "index " + std::to_string(*index), height));
  AccountAnswer a;
  a.account = state.account(*found);
  a.proof = state.tree().proof(*found);
  a.root = state.root();
  a.height = height;
  return a;
}

Result<l1::RootRecord> root_to_check(l1::Contract& contract) { return contract.latest_root(); }

Result<CheckVerdict> check_against_contract(l1::Contract& contract, const AccountAnswer& answer) {
  CheckVerdict v;
  for (const auto& r : ROLLUP_TRY(contract.roots()))
    if (r.height == answer.height) v.contract_root = r;
  if (!v.contract_root) {
    v.reason = fmt::format("the contract has no verified root for height {} yet (prove the block)", answer.height);
    return v;
  }
  auto contract_root = hash::digest_from_bytes(v.contract_root->root);
  if (!contract_root) {
    v.reason = "the contract's root is not a valid digest";
    return v;
  }
  // The proof commits to the leaf only: an answer read from elsewhere (a server) could pair a
  // true leaf with a false balance, so the leaf is recomputed from what the answer says.
  if (smt::leaf_digest(answer.account.key, answer.account.balance, answer.account.nonce) != answer.proof.leaf) {
    v.reason = "the answer's leaf is not the hash of its pubkey, balance and nonce";
    return v;
  }
  v.valid = smt::verify_proof(answer.proof, *contract_root);
  if (!v.valid) v.reason = "the Merkle proof does not lead to the contract's root";
  return v;
}

std::string account_to_json(const AccountAnswer& a, const CheckVerdict* verdict) {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 R"({{"kind":"account","v":1,"pubkey":"{}","index":{},"balance":{},"nonce":{},"leaf":"{}","siblings":[)",
                 to_hex(a.account.key), a.proof.index, a.account.balance, a.account.nonce, root_hex(a.proof.leaf));
  for (unsigned i = 0; i < smt::kDepth; ++i) fmt::format_to(it, R"({}"{}")", i ? "," : "", root_hex(a.proof.siblings[i]));
  fmt::format_to(it, R"(],"root":"{}","height":{})", root_hex(a.root), a.height);
  if (verdict) {
    if (verdict->contract_root)
      fmt::format_to(it, R"(,"check":{{"root":"{}","height":{},"status":"verified","valid":{})",
                     to_hex(verdict->contract_root->root), verdict->contract_root->height, verdict->valid);
    else
      fmt::format_to(it, R"(,"check":{{"valid":false)");
    if (!verdict->valid) fmt::format_to(it, R"(,"reason":{})", codec::Json(verdict->reason).dump());
    out += '}';
  }
  out += '}';
  return out;
}

Result<AccountAnswer> parse_account(const codec::Json& object) {
  codec::FieldReader f(object, "account");
  if (ROLLUP_TRY(f.string("kind")) != "account") return std::unexpected(f.error("kind", "expected \"account\""));
  ROLLUP_TRY(f.u53("v"));
  AccountAnswer a;
  auto digest = [&](const std::string& what, const codec::Json& value) -> Result<hash::Digest> {
    if (!value.is_string()) return std::unexpected(f.error(what, "must be a hex string"));
    auto bytes = ROLLUP_TRY(from_hex_fixed<32>(value.get<std::string>()));
    auto d = hash::digest_from_bytes(bytes);
    if (!d) return std::unexpected(f.error(what, "not a canonical digest"));
    return *d;
  };
  a.account.key = ROLLUP_TRY(f.key("pubkey"));
  a.proof.index = ROLLUP_TRY(f.u53("index"));
  if (a.proof.index >= (std::uint64_t{1} << smt::kDepth)) return std::unexpected(f.error("index", "must be below 2^32"));
  a.account.balance = ROLLUP_TRY(f.u53("balance"));
  a.account.nonce = ROLLUP_TRY(f.u53("nonce"));
  auto member = [&](const char* name) {
    f.allow(name);
    return object.contains(name) ? object[name] : codec::Json();
  };
  a.proof.leaf = ROLLUP_TRY(digest("leaf", member("leaf")));
  const codec::Json& siblings = *ROLLUP_TRY(f.array("siblings"));
  if (siblings.size() != smt::kDepth) return std::unexpected(f.error("siblings", "must hold 32 digests"));
  for (unsigned i = 0; i < smt::kDepth; ++i)
    a.proof.siblings[i] = ROLLUP_TRY(digest("siblings[" + std::to_string(i) + "]", siblings[i]));
  a.root = ROLLUP_TRY(digest("root", member("root")));
  a.height = ROLLUP_TRY(f.u53("height"));
  f.allow("check");
  ROLLUP_TRY(f.finish());
  return a;
}

}  // namespace rollup::vm
