#include "vm/replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <tuple>

#include "codec/fields.hpp"
#include "l1/views.hpp"
#include "store/db.hpp"
#include "vm/history.hpp"

namespace rollup::vm {

Result<std::optional<StoredExec>> stored_exec(store::Db& db, std::uint64_t height) {
  auto q = ROLLUP_TRY(db.prepare("SELECT hash, pre_root, post_root, exec FROM state_blocks WHERE height = ?"));
  q.bind(1, height);
  if (!ROLLUP_TRY(q.step())) return std::optional<StoredExec>{};
  StoredExec s;
  s.height = height;
  s.block_hash = ROLLUP_TRY(q.column_array<32>(0));
  s.pre_root = ROLLUP_TRY(q.column_array<32>(1));
  s.post_root = ROLLUP_TRY(q.column_array<32>(2));
  s.exec_line = q.column_text(3);
  return std::optional<StoredExec>(std::move(s));
}

Result<RollupParams> rollup_params(l1::Contract& contract) {
  auto cfg = ROLLUP_TRY(contract.config());
  return params_of(cfg);
}

Result<codec::Block> block_committed_at(l1::Contract& contract, std::uint64_t height) {
  auto block = ROLLUP_TRY(l1::committed_block(contract, height));
  if (!block) return fail(Errc::rejected, fmt::format("the contract has no block {}", height));
  return std::move(*block);
}

Result<std::map<std::uint64_t, Hash32>> verified_roots(l1::Contract& contract) {
  std::map<std::uint64_t, Hash32> out;
  for (const auto& r : ROLLUP_TRY(contract.roots())) out[r.height] = r.root;
  return out;
}

namespace {

std::string hash_json(const std::optional<Hash32>& h) { return h ? fmt::format("\"{}\"", to_hex(*h)) : "null"; }

Hash32 root_bytes(const StateRoot& root) { return hash::digest_bytes(root); }

/// Hands every receipt of apply_block to a function, with its roots.
class FunctionObserver final : public ReceiptObserver {
 public:
  explicit FunctionObserver(const std::function<void(const ReceiptTrace&)>& f) : f_(f) {}
  bool wants_roots() const override { return true; }
  void on_receipt(const ReceiptTrace& trace) override { f_(trace); }

 private:
  const std::function<void(const ReceiptTrace&)>& f_;
};

}  // namespace

std::string replay_to_json(std::uint64_t height, const ReceiptTrace& trace) {
  std::string out;
  out.reserve(400 + 260 * trace.changes.size());
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"kind":"replay","v":1,"height":{},"index":{},"receipt":)", height, trace.position);
  append_receipt_json(out, *trace.receipt);
  fmt::format_to(it, R"(,"root_before":"{}","root_after":"{}","touched":[)", root_hex(trace.root_before),
                 root_hex(trace.root_after));
  for (std::size_t i = 0; i < trace.changes.size(); ++i) {
    const auto& c = trace.changes[i];
    fmt::format_to(it,
                   R"({}{{"pubkey":"{}","index":{},"balance_before":{},"balance_after":{},"nonce_before":{},"nonce_after":{}}})",
                   i ? "," : "", to_hex(c.after.key), c.index, c.before.balance, c.after.balance, c.before.nonce,
                   c.after.nonce);
  }
  out += "]}";
  return out;
}

Result<Replayer> Replayer::open(store::Db& db, l1::Contract& contract, std::uint64_t from, unsigned threads) {
  auto params = ROLLUP_TRY(rollup_params(contract));
  auto state = ROLLUP_TRY(state_at(db, contract, from, threads));
  Replayer r(db, std::move(state), params, from, threads);
  r.verified_ = ROLLUP_TRY(verified_roots(contract));
  return r;
}

Result<BlockOutcome> Replayer::apply(const codec::Block& block,
                                     const std::function<void(const ReceiptTrace&)>& on_receipt,
                                     const std::vector<bool>* signatures) {
  if (block.height != height_ + 1)
    return fail(Errc::bad_input, fmt::format("block {} does not follow the replayed state at height {} "
                                             "(blocks are replayed in order; see --from)",
                                             block.height, height_));
  std::vector<bool> checked;
  if (!signatures) {
    checked = check_signatures(rollup_txs(block, params_.namespace_id), params_, threads_);
    signatures = &checked;
  }
  FunctionObserver observer(on_receipt);
  auto outcome = state_.apply_block(block, params_, *signatures, threads_, &observer);
  height_ = block.height;
  return outcome;
}

Result<std::optional<std::string>> Replayer::check(const BlockOutcome& outcome) {
  const Hash32 replayed = root_bytes(outcome.post_root);
  std::vector<std::string> disagreements;
  if (auto stored = ROLLUP_TRY(stored_exec(*db_, outcome.height)); stored && stored->post_root != replayed)
    disagreements.push_back(fmt::format("the state file stored {}", to_hex(stored->post_root)));
  if (auto it = verified_->find(outcome.height); it != verified_->end() && it->second != replayed)
    disagreements.push_back(fmt::format("the contract verified {}", to_hex(it->second)));
  if (disagreements.empty()) return std::optional<std::string>{};
  std::string message = fmt::format("height {}: the replayed post root is {}, but {}", outcome.height,
                                    to_hex(replayed), disagreements[0]);
  if (disagreements.size() > 1) message += " and " + disagreements[1];
  return std::optional<std::string>(std::move(message));
}

Status SignatureLookahead::push(codec::Block block) {
  Pending next{std::move(block), {}};
  // The future reads the block where it lies in `next`, which moves into pending_: hold it by
  // pointer to heap storage so that the move does not invalidate it.
  auto txs = std::make_shared<const std::vector<codec::Tx>>(rollup_txs(next.block, params_.namespace_id));
  next.signatures = std::async(std::launch::async, [txs, params = params_, threads = threads_] {
    return check_signatures(*txs, params, threads);
  });
  Status applied;
  if (pending_) applied = apply_(pending_->block, pending_->signatures.get());
  pending_ = std::move(next);
  return applied;
}

Status SignatureLookahead::finish() {
  if (!pending_) return {};
  auto last = std::move(*pending_);
  pending_.reset();
  return apply_(last.block, last.signatures.get());
}

// --- rollup-diff ---------------------------------------------------------------------------

std::vector<AccountDifference> diff_states(const State& a, const State& b) {
  std::vector<AccountDifference> out;
  const std::uint64_t n = std::max(a.size(), b.size());
  for (std::uint64_t i = 0; i < n; ++i) {
    std::optional<Account> in_a, in_b;
    if (i < a.size()) in_a = a.account(i);
    if (i < b.size()) in_b = b.account(i);
    if (in_a && in_b && in_a->key == in_b->key && in_a->balance == in_b->balance && in_a->nonce == in_b->nonce)
      continue;
    out.push_back(AccountDifference{i, in_a, in_b});
  }
  return out;
}

namespace {

/// The accounts the executor stored in the file, as they are: no check against the stored root,
/// since a file that fails that check is what one wants to look at here.
Result<State> stored_state(store::Db& db, l1::Contract& contract, std::uint64_t stored_height, unsigned threads) {
  std::vector<Account> accounts;
  if (stored_height == 0) {
    accounts = ROLLUP_TRY(genesis_accounts(contract));
  } else {
    auto read = ROLLUP_TRY(db.begin_read());
    auto q = ROLLUP_TRY(db.prepare("SELECT idx, pubkey, balance, nonce FROM state_accounts ORDER BY idx"));
    while (ROLLUP_TRY(q.step())) {
      if (ROLLUP_TRY(q.column_uint64(0)) != accounts.size())
        return fail(Errc::io, "state_accounts has a gap in its indices");
      accounts.push_back(Account{ROLLUP_TRY(q.column_key(1)), ROLLUP_TRY(q.column_uint64(2)),
                                 ROLLUP_TRY(q.column_uint64(3))});
    }
  }
  State state;
  state.load_accounts(accounts, threads);
  return state;
}

std::string account_json(const std::optional<Account>& a) {
  if (!a) return "null";
  return fmt::format(R"({{"pubkey":"{}","balance":{},"nonce":{}}})", to_hex(a->key), a->balance, a->nonce);
}

std::string side_json(const StateSide& s) {
  return fmt::format(R"({{"db":{},"height":{},"root":"{}","accounts":{}}})", codec::Json(s.name).dump(), s.height,
                     root_hex(s.state.root()), s.state.size());
}

}  // namespace

Result<StateSide> load_side(store::Db& db, l1::Contract& contract, std::string name,
                            std::optional<std::uint64_t> height, unsigned threads) {
  StateSide side;
  side.name = std::move(name);
  if (height) {
    side.height = *height;
    side.state = ROLLUP_TRY(state_at(db, contract, *height, threads));
  } else {
    side.height = ROLLUP_TRY(executor_height(db));
    side.state = ROLLUP_TRY(stored_state(db, contract, side.height, threads));
  }
  return side;
}

std::string difference_to_json(const AccountDifference& d) {
  return fmt::format(R"({{"kind":"account_diff","index":{},"a":{},"b":{}}})", d.index, account_json(d.a),
                     account_json(d.b));
}

std::string diff_summary_to_json(const StateSide& a, const StateSide& b, std::size_t differing) {
  return fmt::format(R"({{"kind":"diff_summary","a":{},"b":{},"differing":{}}})", side_json(a), side_json(b),
                     differing);
}

// --- rollup-bisect -------------------------------------------------------------------------

Result<std::optional<RootDivergence>> bisect_roots(std::uint64_t first, std::uint64_t last, const RootSource& a,
                                                   const RootSource& b, std::size_t* probes) {
  std::size_t looked = 0;
  auto divergence_at = [&](std::uint64_t h) -> Result<std::optional<RootDivergence>> {
    ++looked;
    Hash32 ra = ROLLUP_TRY(a(h));
    Hash32 rb = ROLLUP_TRY(b(h));
    if (ra == rb) return std::optional<RootDivergence>{};
    return std::optional<RootDivergence>(RootDivergence{h, ra, rb});
  };
  std::optional<RootDivergence> found;
  if (first <= last) {
    found = ROLLUP_TRY(divergence_at(last));
    // Invariant: the roots differ at `high` (found), and agree below `low`.
    std::uint64_t low = first, high = last;
    while (found && low < high) {
      std::uint64_t mid = low + (high - low) / 2;
      if (auto d = ROLLUP_TRY(divergence_at(mid))) {
        high = mid;
        found = d;
      } else {
        low = mid + 1;
      }
    }
  }
  if (probes) *probes = looked;
  return found;
}

std::vector<ReceiptStep> replay_receipt_steps(State& state, const RollupParams& params, const codec::Block& block,
                                              unsigned threads, Hash32* post_root) {
  std::vector<ReceiptStep> steps;
  std::function<void(const ReceiptTrace&)> collect = [&](const ReceiptTrace& t) {
    steps.push_back(ReceiptStep{*t.receipt, root_bytes(t.root_before), root_bytes(t.root_after)});
  };
  FunctionObserver observer(collect);
  auto signatures = check_signatures(rollup_txs(block, params.namespace_id), params, threads);
  auto outcome = state.apply_block(block, params, signatures, threads, &observer);
  if (post_root) *post_root = root_bytes(outcome.post_root);
  return steps;
}

Result<std::vector<ReceiptStep>> stored_receipt_steps(const StoredExec& stored) {
  auto json = codec::Json::parse(stored.exec_line, nullptr, false);
  auto bad = [&](const std::string& what) {
    return fail(Errc::io, fmt::format("state_blocks height {}: the stored exec line {}", stored.height, what));
  };
  if (!json.is_object() || !json.contains("receipts") || !json["receipts"].is_array()) return bad("has no receipts");
  std::vector<ReceiptStep> steps;
  for (const auto& r : json["receipts"]) {
    if (!r.is_object() || !r.contains("type") || !r.contains("status")) return bad("has a malformed receipt");
    ReceiptStep step;
    const std::string type = r["type"].is_string() ? r["type"].get<std::string>() : "";
    if (type == "deposit") {
      step.receipt.kind = ReceiptKind::deposit;
      if (!r.contains("index") || !r["index"].is_number_unsigned()) return bad("has a deposit without its index");
      step.receipt.deposit_index = r["index"].get<std::uint64_t>();
    } else if (type == "transfer" || type == "withdraw") {
      step.receipt.kind = type == "transfer" ? ReceiptKind::transfer : ReceiptKind::withdraw;
      auto id = r.contains("tx") && r["tx"].is_string() ? from_hex_fixed<32>(r["tx"].get<std::string>())
                                                        : from_hex_fixed<32>("");
      if (!id) return bad("has a tx receipt without its tx id");
      step.receipt.tx_id = *id;
    } else {
      return bad("has a receipt of unknown type");
    }
    if (r["status"] != "ok") {
      const std::string reason = r.contains("reason") && r["reason"].is_string() ? r["reason"].get<std::string>() : "";
      bool known = false;
      for (auto candidate : {Reason::bad_signature, Reason::unknown_account, Reason::self_transfer, Reason::bad_nonce,
                             Reason::insufficient_balance, Reason::balance_overflow})
        if (reason_name(candidate) == reason) {
          step.receipt.reason = candidate;
          known = true;
        }
      if (!known) return bad("has a failed receipt with an unknown reason");
    }
    steps.push_back(step);
  }
  return steps;
}

std::optional<std::size_t> first_different_receipt(const std::vector<ReceiptStep>& a,
                                                   const std::vector<ReceiptStep>& b) {
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i >= a.size() || i >= b.size()) return i;
    const Receipt &ra = a[i].receipt, &rb = b[i].receipt;
    if (ra.kind != rb.kind || ra.deposit_index != rb.deposit_index || ra.tx_id != rb.tx_id || ra.reason != rb.reason)
      return i;
    if (a[i].root_after && b[i].root_after && *a[i].root_after != *b[i].root_after) return i;
  }
  return std::nullopt;
}

std::string receipt_step_json(const std::vector<ReceiptStep>& steps, std::size_t position) {
  if (position >= steps.size()) return "null";
  const auto& s = steps[position];
  std::string out = R"({"receipt":)";
  append_receipt_json(out, s.receipt);
  out += fmt::format(R"(,"root_before":{},"root_after":{}}})", hash_json(s.root_before), hash_json(s.root_after));
  return out;
}

namespace {

std::string name_json(const std::string& name) { return codec::Json(name).dump(); }

/// The root a state file's executor stored at `height`: its post root, or the contract's genesis
/// root for height 0.
Result<Hash32> root_stored_or_genesis(store::Db& db, l1::Contract& contract, std::uint64_t height) {
  if (height == 0) {
    auto roots = ROLLUP_TRY(verified_roots(contract));
    if (!roots.contains(0)) return fail(Errc::io, "the contract holds no genesis root");
    return roots.at(0);
  }
  auto stored = ROLLUP_TRY(stored_exec(db, height));
  if (!stored) return fail(Errc::internal, fmt::format("state_blocks has no height {} below its tip", height));
  return stored->post_root;
}

/// Re-executes the block the contract committed at `height` on `state` (the state below it),
/// noting the block's hash and the root it leads to on `side`; its receipts, with roots.
Result<std::vector<ReceiptStep>> replay_side(State state, l1::Contract& contract, std::uint64_t height,
                                             unsigned threads, BisectSide& side) {
  side.block_hash = ROLLUP_TRY(contract.committed_hash(height));
  auto block = ROLLUP_TRY(block_committed_at(contract, height));
  Hash32 replayed{};
  auto steps = replay_receipt_steps(state, ROLLUP_TRY(rollup_params(contract)), block, threads, &replayed);
  side.replayed_root = replayed;
  return steps;
}

/// Fills in what each side's block at the divergent height says, and the first receipt apart.
Status explain(BisectReport& r, const std::vector<ReceiptStep>& a_steps, const std::vector<ReceiptStep>& b_steps) {
  r.a.steps = a_steps;
  r.b.steps = b_steps;
  r.receipt = first_different_receipt(a_steps, b_steps);
  std::vector<std::string> notes;
  if (r.a.block_hash && r.b.block_hash && *r.a.block_hash != *r.b.block_hash)
    notes.push_back("the sides hold different blocks at this height");
  for (const auto* side : {&r.a, &r.b})
    if (side->replayed_root && *side->replayed_root != side->root)
      notes.push_back(fmt::format("{}'s stored root is not what its block re-executes to ({}): its state was "
                                  "changed outside the state transition function",
                                  side->name, to_hex(*side->replayed_root)));
  if (!r.receipt && r.a.replayed_root && r.b.replayed_root && *r.a.replayed_root == *r.b.replayed_root)
    notes.push_back("re-executed, the block gives the same receipts and roots on both sides");
  else if (!r.receipt)
    notes.push_back("every receipt agrees: the sides differ in what the block wrote, not in its receipts");
  for (std::size_t i = 0; i < notes.size(); ++i) r.note += (i ? "; " : "") + notes[i];
  return {};
}

}  // namespace

namespace {
/// Bisects the report's two sides up to the lower tip and records the first divergent height and
/// both roots there; nullopt when they agree everywhere or already differ at genesis (a note then
/// says so): nothing inside a block is left to look at.
Result<std::optional<RootDivergence>> first_divergence(BisectReport& r, const RootSource& a, const RootSource& b) {
  auto found = ROLLUP_TRY(bisect_roots(0, std::min(r.a.tip, r.b.tip), a, b, &r.probes));
  if (!found) return found;
  r.height = found->height;
  r.a.root = found->a;
  r.b.root = found->b;
  if (found->height == 0) {
    r.note = "the genesis states differ";
    return std::optional<RootDivergence>{};
  }
  return found;
}
}  // namespace

Result<BisectReport> bisect_state_files(store::Db& a, l1::Contract& contract_a, std::string name_a, store::Db& b,
                                        l1::Contract& contract_b, std::string name_b, unsigned threads) {
  BisectReport r;
  r.a.name = std::move(name_a);
  r.b.name = std::move(name_b);
  r.a.tip = ROLLUP_TRY(executor_height(a));
  r.b.tip = ROLLUP_TRY(executor_height(b));
  RootSource root_a = [&](std::uint64_t h) { return root_stored_or_genesis(a, contract_a, h); };
  RootSource root_b = [&](std::uint64_t h) { return root_stored_or_genesis(b, contract_b, h); };
  auto found = ROLLUP_TRY(first_divergence(r, root_a, root_b));
  if (!found) return r;
  // The sides agree on the root below the divergent height, hence on the state there: it is
  // rebuilt once and each side's block applied to a copy. Where the rebuilt state is not the
  // one under that root (a side changed below), each side's is rebuilt on its own.
  const std::uint64_t below = found->height - 1;
  auto shared = ROLLUP_TRY(state_at(a, contract_a, below, threads));
  const bool same_state = hash::digest_bytes(shared.root()) == ROLLUP_TRY(root_stored_or_genesis(a, contract_a, below));
  std::vector<std::vector<ReceiptStep>> steps;
  for (auto [db, contract, side] : {std::tuple{&a, &contract_a, &r.a}, std::tuple{&b, &contract_b, &r.b}}) {
    State state = same_state ? shared : ROLLUP_TRY(state_at(*db, *contract, below, threads));
    steps.push_back(ROLLUP_TRY(replay_side(std::move(state), *contract, found->height, threads, *side)));
  }
  ROLLUP_TRY(explain(r, steps[0], steps[1]));
  return r;
}

Result<StoredExec> stored_exec_from_json(const codec::Json& object) {
  auto claim = ROLLUP_TRY(parse_exec_claim(object));
  return StoredExec{claim.height, claim.block_hash, claim.pre_root, claim.post_root, object.dump()};
}

Result<BisectReport> bisect_against_remote(store::Db& db, l1::Contract& contract, std::string name,
                                           const RemoteHistory& remote, unsigned threads) {
  BisectReport r;
  r.a.name = std::move(name);
  r.b.name = remote.name;
  r.a.tip = ROLLUP_TRY(executor_height(db));
  r.b.tip = remote.tip;
  // The divergent height is asked for twice (its root, then its receipts): one request.
  std::map<std::uint64_t, StoredExec> fetched;
  auto remote_exec = [&](std::uint64_t h) -> Result<StoredExec> {
    if (auto it = fetched.find(h); it != fetched.end()) return it->second;
    auto stored = ROLLUP_TRY(stored_exec_from_json(ROLLUP_TRY(remote.exec_line(h))));
    if (stored.height != h)
      return fail(Errc::io, fmt::format("{}: asked for the exec line of height {}, got height {}", remote.name, h,
                                        stored.height));
    return fetched.emplace(h, std::move(stored)).first->second;
  };
  RootSource local = [&](std::uint64_t h) { return root_stored_or_genesis(db, contract, h); };
  // Both sides start from the genesis the contract pins; the server's own genesis is not asked.
  RootSource server = [&](std::uint64_t h) -> Result<Hash32> {
    if (h == 0) return root_stored_or_genesis(db, contract, 0);
    return ROLLUP_TRY(remote_exec(h)).post_root;
  };
  auto found = ROLLUP_TRY(first_divergence(r, local, server));
  if (!found) return r;
  auto local_steps = ROLLUP_TRY(
      replay_side(ROLLUP_TRY(state_at(db, contract, found->height - 1, threads)), contract, found->height, threads, r.a));
  const auto& served = ROLLUP_TRY(remote_exec(found->height));
  r.b.block_hash = served.block_hash;
  ROLLUP_TRY(explain(r, local_steps, ROLLUP_TRY(stored_receipt_steps(served))));
  return r;
}

namespace {

/// The contract's truth at any height: its verified root where it has one; elsewhere the state
/// at the verified height below (read from the state file's history, and held to that root),
/// with the contract's committed blocks from there re-executed. The stored history is trusted
/// only where the contract verified it, so a file whose history was changed is still caught.
class ContractReplay {
 public:
  ContractReplay(store::Db& db, l1::Contract& contract, std::map<std::uint64_t, Hash32> verified, unsigned threads)
      : db_(db), contract_(contract), verified_(std::move(verified)), threads_(threads) {}

  Result<Hash32> root_at(std::uint64_t height) {
    if (auto it = verified_.find(height); it != verified_.end()) return it->second;
    return hash::digest_bytes(ROLLUP_TRY(state_at_height(height)).root());
  }

  Result<State> state_at_height(std::uint64_t height) {
    auto base = std::prev(verified_.upper_bound(height));  // the genesis root is always there
    State state;
    if (base->first == 0) {
      state.load_accounts(ROLLUP_TRY(genesis_accounts(contract_)), threads_);
    } else {
      state = ROLLUP_TRY(state_at(db_, contract_, base->first, threads_));
      if (hash::digest_bytes(state.root()) != base->second)
        return fail(Errc::io, fmt::format("the state file's state at height {} is not the one the contract verified "
                                          "there: its history was changed", base->first));
    }
    const auto params = ROLLUP_TRY(rollup_params(contract_));
    for (std::uint64_t h = base->first + 1; h <= height; ++h) {
      auto block = ROLLUP_TRY(block_committed_at(contract_, h));
      state.apply_block(block, params, check_signatures(rollup_txs(block, params.namespace_id), params, threads_),
                        threads_);
    }
    return state;
  }

 private:
  store::Db& db_;
  l1::Contract& contract_;
  std::map<std::uint64_t, Hash32> verified_;
  unsigned threads_;
};

}  // namespace

Result<BisectReport> bisect_against_contract(store::Db& db, l1::Contract& contract, std::string name,
                                             unsigned threads) {
  BisectReport r;
  r.a.name = std::move(name);
  r.b.name = "contract";
  r.a.tip = ROLLUP_TRY(executor_height(db));
  r.b.tip = ROLLUP_TRY(contract.height());
  ContractReplay truth(db, contract, ROLLUP_TRY(verified_roots(contract)), threads);
  RootSource stored = [&](std::uint64_t h) { return root_stored_or_genesis(db, contract, h); };
  RootSource executed = [&](std::uint64_t h) { return truth.root_at(h); };
  auto found = ROLLUP_TRY(first_divergence(r, stored, executed));
  if (!found) return r;
  auto stored_block = ROLLUP_TRY(stored_exec(db, found->height));
  r.a.block_hash = stored_block->block_hash;
  r.b.block_hash = ROLLUP_TRY(contract.committed_hash(found->height));
  Hash32 replayed{};
  auto state = ROLLUP_TRY(truth.state_at_height(found->height - 1));
  auto block = ROLLUP_TRY(block_committed_at(contract, found->height));
  auto contract_steps = replay_receipt_steps(state, ROLLUP_TRY(rollup_params(contract)), block, threads, &replayed);
  r.b.replayed_root = replayed;
  ROLLUP_TRY(explain(r, ROLLUP_TRY(stored_receipt_steps(*stored_block)), contract_steps));
  return r;
}

std::string bisect_to_json(const BisectReport& r) {
  auto side = [&](const BisectSide& s) {
    if (!r.height) return fmt::format(R"({{"db":{},"height":{}}})", name_json(s.name), s.tip);
    return fmt::format(R"({{"db":{},"height":{},"root":"{}","block_hash":{},"replayed_root":{}}})", name_json(s.name),
                       s.tip, to_hex(s.root), hash_json(s.block_hash), hash_json(s.replayed_root));
  };
  if (!r.height)
    return fmt::format(R"({{"kind":"bisect","v":1,"diverged":false,"a":{},"b":{},"probes":{}}})", side(r.a), side(r.b),
                       r.probes);
  std::string receipt = "null";
  if (r.receipt)
    receipt = fmt::format(R"({{"index":{},"a":{},"b":{}}})", *r.receipt, receipt_step_json(r.a.steps, *r.receipt),
                          receipt_step_json(r.b.steps, *r.receipt));
  return fmt::format(R"({{"kind":"bisect","v":1,"diverged":true,"height":{},"a":{},"b":{},"receipt":{},"note":{},"probes":{}}})",
                     *r.height, side(r.a), side(r.b), receipt, name_json(r.note), r.probes);
}

std::string bisect_summary(const BisectReport& r) {
  if (!r.height) {
    std::string s = fmt::format("no divergence: {} and {} agree up to height {}", r.a.name, r.b.name,
                                std::min(r.a.tip, r.b.tip));
    if (r.a.tip != r.b.tip)
      s += fmt::format(" ({} is at height {}, {} at {})", r.a.name, r.a.tip, r.b.name, r.b.tip);
    return s;
  }
  std::string s = fmt::format("first divergence at height {}: {} has root {}, {} has {}", *r.height, r.a.name,
                              to_hex(r.a.root), r.b.name, to_hex(r.b.root));
  if (r.receipt) {
    const auto& steps = r.a.steps.size() > *r.receipt ? r.a.steps : r.b.steps;
    const auto& receipt = steps[*r.receipt].receipt;
    s += fmt::format("; first differing receipt: index {} ({})", *r.receipt,
                     receipt.kind == ReceiptKind::deposit ? fmt::format("deposit {}", receipt.deposit_index)
                                                          : "tx " + to_hex(receipt.tx_id));
  }
  if (!r.note.empty()) s += "; " + r.note;
  return s;
}

}  // namespace rollup::vm
