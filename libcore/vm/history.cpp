#include "vm/history.hpp"

#include <fmt/format.h>

#include <unordered_set>

#include "core/diagnostics.hpp"
#include "l1/views.hpp"
#include "smt/key_set.hpp"
#include "store/db.hpp"
#include "vm/executor.hpp"

namespace rollup::vm {

Result<std::vector<Account>> genesis_accounts(l1::Contract& contract) {
  std::vector<Account> accounts;
  for (const auto& g : ROLLUP_TRY(contract.genesis())) accounts.push_back(Account{g.key, g.balance, 0});
  return accounts;
}

namespace {

Result<State> genesis_state(l1::Contract& contract, unsigned threads) {
  State state;
  state.load_accounts(ROLLUP_TRY(genesis_accounts(contract)), threads);
  return state;
}

/// Applies the contract's blocks (from, to] to `state` in memory.
Status apply_contract_blocks(l1::Contract& contract, State& state, std::uint64_t from, std::uint64_t to,
                             unsigned threads) {
  auto cfg = ROLLUP_TRY(contract.config());
  const RollupParams params = params_of(cfg);
  for (std::uint64_t h = from + 1; h <= to; ++h) {
    auto block = ROLLUP_TRY(l1::committed_block(contract, h));
    if (!block) return fail(Errc::rejected, fmt::format("the contract has no block {}", h));
    auto signatures = check_signatures(rollup_txs(*block, params.namespace_id), params, threads);
    state.apply_block(*block, params, signatures, threads);
  }
  return {};
}

/// The (idx, pubkey, balance, nonce) rows of `q`, as HistoryReader's account ranges answer them.
Result<std::vector<std::pair<std::uint64_t, Account>>> indexed_accounts(store::Stmt& q) {
  std::vector<std::pair<std::uint64_t, Account>> out;
  while (ROLLUP_TRY(q.step()))
    out.emplace_back(ROLLUP_TRY(q.column_uint64(0)),
                     Account{ROLLUP_TRY(q.column_key(1)), ROLLUP_TRY(q.column_uint64(2)),
                             ROLLUP_TRY(q.column_uint64(3))});
  return out;
}

}  // namespace

Result<HistorySettings> history_settings(store::Db& db) {
  auto q = ROLLUP_TRY(db.prepare("SELECT base_height, base_root, base_accounts, floor, retain FROM state_history"));
  if (!ROLLUP_TRY(q.step())) return fail(Errc::internal, "the state file has no state_history row");
  HistorySettings s;
  s.base_height = ROLLUP_TRY(q.column_uint64(0));
  if (!q.column_is_null(1)) s.base_root = ROLLUP_TRY(q.column_array<32>(1));
  s.base_accounts = ROLLUP_TRY(q.column_uint64(2));
  s.floor = ROLLUP_TRY(q.column_uint64(3));
  if (!q.column_is_null(4)) s.retain = ROLLUP_TRY(q.column_uint64(4));
  return s;
}

Status set_retention(store::Db& db, std::optional<std::uint64_t> retain) {
  auto tx = ROLLUP_TRY(db.begin_immediate());
  auto q = ROLLUP_TRY(db.prepare("UPDATE state_history SET retain = ?"));
  if (retain)
    q.bind(1, *retain);
  else
    q.bind(1, nullptr);
  ROLLUP_TRY(q.run());
  return tx.commit();
}

Result<std::uint64_t> executor_height(store::Db& db) {
  auto q = ROLLUP_TRY(db.prepare(
      "SELECT max(coalesce((SELECT max(height) FROM state_blocks), 0), "
      "           coalesce((SELECT base_height FROM state_history), 0))"));
  ROLLUP_TRY(q.step());
  return q.column_uint64(0);
}

Result<std::optional<StateRoot>> stored_root(store::Db& db, std::uint64_t height) {
  std::optional<Hash32> bytes;
  auto q = ROLLUP_TRY(db.prepare("SELECT post_root FROM state_blocks WHERE height = ?"));
  q.bind(1, height);
  if (ROLLUP_TRY(q.step())) {
    bytes = ROLLUP_TRY(q.column_array<32>(0));
  } else {
    auto s = ROLLUP_TRY(history_settings(db));
    if (s.base_height == height && s.base_root) bytes = s.base_root;
  }
  if (!bytes) return std::optional<StateRoot>{};
  auto digest = hash::digest_from_bytes(*bytes);
  if (!digest) return fail(Errc::internal, fmt::format("the stored root of height {} is not a digest", height));
  return std::optional<StateRoot>(*digest);
}

std::optional<std::uint64_t> prune_boundary(const HistorySettings& settings, std::uint64_t tip,
                                            std::uint64_t verified_height) {
  if (!settings.retain || tip <= *settings.retain) return std::nullopt;
  // Everything above the last verified root stays: queries --check and exits are answered there.
  const std::uint64_t boundary = std::min(tip - *settings.retain, verified_height);
  if (boundary <= settings.floor) return std::nullopt;
  return boundary;
}

Status store_node_history(store::Db& db, const std::vector<smt::NodeUpdate>& nodes, std::uint64_t height) {
  auto node = ROLLUP_TRY(db.prepare("INSERT OR REPLACE INTO state_node_history(level, idx, height, digest) VALUES (?, ?, ?, ?)"));
  for (const auto& n : nodes) {
    if (n.level < kFirstStoredLevel) continue;
    auto bytes = hash::digest_bytes(n.digest);
    node.bind(1, n.level).bind(2, n.index).bind(3, height).bind(4, std::span<const std::uint8_t>(bytes));
    ROLLUP_TRY(node.run());
  }
  return {};
}

Status store_tip_nodes(store::Db& db, const std::vector<smt::NodeUpdate>& nodes) {
  auto node = ROLLUP_TRY(db.prepare("INSERT OR REPLACE INTO state_nodes(level, idx, digest) VALUES (?, ?, ?)"));
  for (const auto& n : nodes) {
    if (n.level < kFirstTipLevel) continue;
    auto bytes = hash::digest_bytes(n.digest);
    node.bind(1, n.level).bind(2, n.index).bind(3, std::span<const std::uint8_t>(bytes));
    ROLLUP_TRY(node.run());
  }
  return {};
}

Result<std::uint64_t> prune_history(store::Db& db, std::uint64_t boundary) {
  auto tx = ROLLUP_TRY(db.begin_immediate());
  // A row below the boundary is needed only while no newer row at or below the boundary
  // supersedes it: the newest one at or below the boundary is the value there and above.
  auto accounts = ROLLUP_TRY(db.prepare(
      "DELETE FROM state_account_history WHERE height < ?1 AND EXISTS ("
      "SELECT 1 FROM state_account_history n WHERE n.idx = state_account_history.idx "
      "AND n.height > state_account_history.height AND n.height <= ?1)"));
  accounts.bind(1, boundary);
  ROLLUP_TRY(accounts.run());
  std::uint64_t deleted = static_cast<std::uint64_t>(db.changes());
  auto nodes = ROLLUP_TRY(db.prepare(
      "DELETE FROM state_node_history WHERE height < ?1 AND EXISTS ("
      "SELECT 1 FROM state_node_history n WHERE n.level = state_node_history.level "
      "AND n.idx = state_node_history.idx AND n.height > state_node_history.height AND n.height <= ?1)"));
  nodes.bind(1, boundary);
  ROLLUP_TRY(nodes.run());
  deleted += static_cast<std::uint64_t>(db.changes());
  auto floor = ROLLUP_TRY(db.prepare("UPDATE state_history SET floor = max(floor, ?)"));
  floor.bind(1, boundary);
  ROLLUP_TRY(floor.run());
  ROLLUP_TRY(tx.commit());
  return deleted;
}

Result<std::vector<std::pair<std::uint64_t, Account>>> HistoryReader::accounts_in(std::uint64_t first,
                                                                               std::uint64_t end,
                                                                               std::uint64_t height) {
  auto q = ROLLUP_TRY(db_.prepare(
      "SELECT a.idx, a.pubkey, h.balance, h.nonce FROM state_accounts a "
      "JOIN state_account_history h ON h.idx = a.idx AND h.height = ("
      "  SELECT max(x.height) FROM state_account_history x WHERE x.idx = a.idx AND x.height <= ?3) "
      "WHERE a.idx >= ?1 AND a.idx < ?2 ORDER BY a.idx"));
  q.bind(1, first).bind(2, end).bind(3, height);
  return indexed_accounts(q);
}

Result<std::vector<std::pair<std::uint64_t, Account>>> HistoryReader::tip_accounts(std::uint64_t first,
                                                                                   std::uint64_t end) {
  auto q = ROLLUP_TRY(
      db_.prepare("SELECT idx, pubkey, balance, nonce FROM state_accounts WHERE idx >= ? AND idx < ? ORDER BY idx"));
  q.bind(1, first).bind(2, end);
  return indexed_accounts(q);
}

Result<std::vector<Account>> HistoryReader::all_accounts(std::uint64_t count, std::uint64_t height,
                                                          std::uint64_t tip) {
  std::vector<Account> accounts;
  accounts.reserve(count);
  // Near the tip few accounts changed since `height`: the tip's accounts, read in one scan, with
  // those put back; further back, one seek per account is cheaper than the changes.
  auto changed = ROLLUP_TRY(db_.prepare(
      "SELECT count(*) FROM (SELECT 1 FROM state_account_history WHERE height > ? LIMIT ?)"));
  changed.bind(1, height).bind(2, count / 4 + 1);
  ROLLUP_TRY(changed.step());
  const bool near_tip = height == tip || ROLLUP_TRY(changed.column_uint64(0)) <= count / 4;
  changed.reset();
  if (near_tip) {
    for (auto& [idx, account] : ROLLUP_TRY(tip_accounts(0, count))) {
      if (idx != accounts.size()) break;
      accounts.push_back(account);
    }
    if (height != tip) {
      auto back = ROLLUP_TRY(db_.prepare(
          "SELECT h.idx, h.balance, h.nonce FROM state_account_history h "
          "WHERE h.idx IN (SELECT idx FROM state_account_history WHERE height > ?1) AND h.idx < ?2 "
          "AND h.height = (SELECT max(x.height) FROM state_account_history x WHERE x.idx = h.idx AND x.height <= ?1)"));
      back.bind(1, height).bind(2, count);
      while (ROLLUP_TRY(back.step())) {
        const std::uint64_t idx = ROLLUP_TRY(back.column_uint64(0));
        if (idx >= accounts.size()) continue;  // reported as a gap below
        accounts[idx].balance = ROLLUP_TRY(back.column_uint64(1));
        accounts[idx].nonce = ROLLUP_TRY(back.column_uint64(2));
      }
    }
  } else {
    for (auto& [idx, account] : ROLLUP_TRY(accounts_in(0, count, height))) {
      if (idx != accounts.size()) break;
      accounts.push_back(account);
    }
  }
  if (accounts.size() != count)
    return fail(Errc::io, fmt::format("corrupt state file: {} accounts at height {}, the executor recorded {}",
                                      accounts.size(), height, count));
  return accounts;
}

Result<hash::Digest> HistoryReader::node(unsigned level, std::uint64_t index, std::uint64_t height) {
  auto q = ROLLUP_TRY(db_.prepare(
      "SELECT digest FROM state_node_history WHERE level = ? AND idx = ? AND height <= ? "
      "ORDER BY height DESC LIMIT 1"));
  q.bind(1, level).bind(2, index).bind(3, height);
  if (!ROLLUP_TRY(q.step())) return smt::empty_digest(level);
  auto digest = hash::digest_from_bytes(ROLLUP_TRY(q.column_array<32>(0)));
  if (!digest) return fail(Errc::internal, "state_node_history holds a non-canonical digest");
  return *digest;
}

Result<hash::Digest> HistoryReader::tip_node(unsigned level, std::uint64_t index) {
  auto q = ROLLUP_TRY(db_.prepare("SELECT digest FROM state_nodes WHERE level = ? AND idx = ?"));
  q.bind(1, level).bind(2, index);
  if (!ROLLUP_TRY(q.step())) return smt::empty_digest(level);
  auto digest = hash::digest_from_bytes(ROLLUP_TRY(q.column_array<32>(0)));
  if (!digest) return fail(Errc::internal, "state_nodes holds a non-canonical digest");
  return *digest;
}

Result<std::optional<std::uint64_t>> HistoryReader::account_count(std::uint64_t height) {
  auto q = ROLLUP_TRY(db_.prepare("SELECT accounts FROM state_blocks WHERE height = ?"));
  q.bind(1, height);
  if (ROLLUP_TRY(q.step()) && !q.column_is_null(0)) return std::optional<std::uint64_t>(ROLLUP_TRY(q.column_uint64(0)));
  auto s = ROLLUP_TRY(history_settings(db_));
  if (s.base_height == height && height > 0) return std::optional<std::uint64_t>(s.base_accounts);
  if (height == 0) {
    // Genesis accounts are written at height 0 with the first block.
    auto g = ROLLUP_TRY(db_.prepare("SELECT count(*) FROM state_account_history WHERE height = 0"));
    ROLLUP_TRY(g.step());
    if (auto n = ROLLUP_TRY(g.column_uint64(0)); n > 0) return std::optional<std::uint64_t>(n);
  }
  return std::optional<std::uint64_t>{};
}

Result<State> state_at(store::Db& db, l1::Contract& contract, std::uint64_t height, unsigned threads) {
  if (ROLLUP_TRY(contract.height()) < height)
    return fail(Errc::rejected, fmt::format("the contract has no block {}", height));
  std::uint64_t base = 0;
  std::optional<State> loaded;
  {
    auto read = ROLLUP_TRY(db.begin_read());
    const auto settings = ROLLUP_TRY(history_settings(db));
    const std::uint64_t tip = ROLLUP_TRY(executor_height(db));
    base = std::min(height, tip);
    if (base > 0 && base >= settings.floor) {
      HistoryReader reader(db);
      auto count = ROLLUP_TRY(reader.account_count(base));
      if (!count) return fail(Errc::internal, fmt::format("the state file has no account count for height {}", base));
      std::vector<Account> accounts = ROLLUP_TRY(reader.all_accounts(*count, base, tip));
      State state;
      state.load_accounts(accounts, threads);
      auto root = ROLLUP_TRY(stored_root(db, base));
      if (!root || *root != state.root())
        return fail(Errc::io, fmt::format("corrupt state file: the history of height {} does not hash to the root "
                                          "stored for it (run: rollup-l1 check)", base));
      loaded = std::move(state);
    } else if (base > 0 && settings.base_height > 0) {
      return fail(Errc::rejected, fmt::format("height {} is below the snapshot this state file started from (height {})",
                                              height, settings.base_height));
    } else if (base > 0) {
      warn(fmt::format("height {} is below the state file's history (it starts at height {}): replaying the "
                       "contract's blocks from genesis", base, settings.floor));
    }
  }
  if (!loaded) {
    loaded = ROLLUP_TRY(genesis_state(contract, threads));
    base = 0;
  }
  // Blocks the executor has not applied yet: the gap between the executor and the contract.
  ROLLUP_TRY(apply_contract_blocks(contract, *loaded, base, height, threads));
  return std::move(*loaded);
}

Status export_snapshot(store::Db& db, l1::Contract& contract, std::uint64_t height, unsigned threads,
                       const std::function<Status(std::string_view line)>& write) {
  const State state = ROLLUP_TRY(state_at(db, contract, height, threads));
  auto cfg = ROLLUP_TRY(contract.config());
  ROLLUP_TRY(write(fmt::format(R"({{"kind":"snapshot","v":1,"chain_id":{},"namespace":{},"height":{},"root":"{}","accounts":{}}})",
                               cfg.chain_id, cfg.namespace_id, height, root_hex(state.root()), state.size())));
  for (std::uint64_t i = 0; i < state.size(); ++i) {
    const Account& a = state.account(i);
    ROLLUP_TRY(write(fmt::format(R"({{"kind":"snapshot_account","v":1,"index":{},"pubkey":"{}","balance":{},"nonce":{}}})", i,
                                 to_hex(a.key), a.balance, a.nonce)));
  }
  return {};
}

Status SnapshotImporter::add(const codec::Json& object) {
  const std::string kind = object.is_object() && object.contains("kind") && object["kind"].is_string()
                               ? object["kind"].get<std::string>()
                               : "";
  if (!have_header_) {
    if (kind != "snapshot") return fail(Errc::bad_input, "a snapshot starts with its \"snapshot\" line");
    codec::FieldReader f(object, "snapshot");
    ROLLUP_TRY(f.string("kind"));
    if (ROLLUP_TRY(f.u53("v")) != 1) return std::unexpected(f.error("v", "this build reads snapshot version 1"));
    chain_id_ = ROLLUP_TRY(f.u53("chain_id"));
    namespace_id_ = ROLLUP_TRY(f.u53("namespace"));
    height_ = ROLLUP_TRY(f.u53("height"));
    root_ = ROLLUP_TRY(f.hex_fixed<32>("root"));
    count_ = ROLLUP_TRY(f.u53("accounts"));
    ROLLUP_TRY(f.finish());
    have_header_ = true;
    return {};
  }
  if (kind != "snapshot_account")
    return fail(Errc::bad_input, "after the header a snapshot holds only \"snapshot_account\" lines");
  codec::FieldReader f(object, "snapshot_account");
  ROLLUP_TRY(f.string("kind"));
  if (ROLLUP_TRY(f.u53("v")) != 1) return std::unexpected(f.error("v", "this build reads snapshot version 1"));
  const std::uint64_t index = ROLLUP_TRY(f.u53("index"));
  if (index != accounts_.size())
    return std::unexpected(f.error("index", fmt::format("expected {}: accounts come in index order", accounts_.size())));
  if (accounts_.size() >= count_)
    return std::unexpected(f.error("index", fmt::format("the header announces {} accounts", count_)));
  Account a;
  a.key = ROLLUP_TRY(f.key("pubkey"));
  a.balance = ROLLUP_TRY(f.u53("balance"));
  a.nonce = ROLLUP_TRY(f.u53("nonce"));
  ROLLUP_TRY(f.finish());
  accounts_.push_back(a);
  return {};
}

Result<SnapshotImporter::Imported> SnapshotImporter::finish() {
  if (!have_header_) return fail(Errc::bad_input, "the snapshot is empty");
  if (accounts_.size() != count_)
    return fail(Errc::bad_input, fmt::format("the snapshot announces {} accounts and holds {}", count_, accounts_.size()));
  auto cfg = ROLLUP_TRY(contract_.config());
  if (cfg.chain_id != chain_id_ || cfg.namespace_id != namespace_id_)
    return fail(Errc::rejected, fmt::format("the snapshot is of chain {} namespace {}; this contract is chain {} namespace {}",
                                            chain_id_, namespace_id_, cfg.chain_id, cfg.namespace_id));
  std::optional<l1::RootRecord> verified;
  for (const auto& r : ROLLUP_TRY(contract_.roots()))
    if (r.height == height_) verified = r;
  if (!verified || height_ == 0)
    return fail(Errc::rejected, fmt::format("the contract has no verified root at height {}: a snapshot is taken only "
                                            "at a height whose root the contract verified", height_));
  std::unordered_set<PublicKey, KeyHash> seen;
  std::vector<PublicKey> keys;
  keys.reserve(accounts_.size());
  for (const auto& a : accounts_) {
    if (!seen.insert(a.key).second) return fail(Errc::rejected, "the snapshot holds key " + to_hex(a.key) + " twice");
    keys.push_back(a.key);
  }
  State state;
  auto nodes = state.load_accounts(accounts_, threads_);
  if (hash::digest_bytes(state.root()) != root_)
    return fail(Errc::rejected, "the snapshot's accounts do not hash to the root its header names");
  if (hash::digest_bytes(state.root()) != verified->root)
    return fail(Errc::rejected, fmt::format("the snapshot's root differs from the root the contract verified at height {}",
                                            height_));
  if (smt::key_set_commitment(keys, threads_) != verified->keys)
    return fail(Errc::rejected, fmt::format("the snapshot's key set differs from the one the contract verified at height {}",
                                            height_));

  auto tx = ROLLUP_TRY(db_.begin_immediate());
  if (ROLLUP_TRY(executor_height(db_)) != 0)
    return fail(Errc::rejected, "the state file's executor has already stored state: import into a fresh state file");
  auto acct = ROLLUP_TRY(db_.prepare("INSERT INTO state_accounts(idx, pubkey, balance, nonce) VALUES (?, ?, ?, ?)"));
  auto hist = ROLLUP_TRY(db_.prepare("INSERT INTO state_account_history(idx, height, balance, nonce) VALUES (?, ?, ?, ?)"));
  for (std::uint64_t i = 0; i < accounts_.size(); ++i) {
    const Account& a = accounts_[i];
    acct.bind(1, i).bind(2, a.key).bind(3, a.balance).bind(4, a.nonce);
    ROLLUP_TRY(acct.run());
    hist.bind(1, i).bind(2, height_).bind(3, a.balance).bind(4, a.nonce);
    ROLLUP_TRY(hist.run());
  }
  ROLLUP_TRY(store_node_history(db_, nodes, height_));
  ROLLUP_TRY(store_tip_nodes(db_, nodes));
  auto base = ROLLUP_TRY(db_.prepare(
      "UPDATE state_history SET base_height = ?, base_root = ?, base_accounts = ?, floor = ?"));
  base.bind(1, height_).bind(2, root_).bind(3, accounts_.size()).bind(4, height_);
  ROLLUP_TRY(base.run());
  ROLLUP_TRY(tx.commit());
  return Imported{height_, accounts_.size(), state.root()};
}

}  // namespace rollup::vm
