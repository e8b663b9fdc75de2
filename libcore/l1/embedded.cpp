// The embedded contract: the rollup contract's ledger in the state file's l1_* tables. Every
// state change is one IMMEDIATE transaction, so concurrent stages see whole blocks only.
#include <fmt/format.h>

#include <atomic>

#include "core/diagnostics.hpp"
#include "core/limits.hpp"
#include "crypto/crypto.hpp"
#include "hash/rpo.hpp"
#include "l1/contract.hpp"
#include "l1/embedded.hpp"
#include "l1/genesis.hpp"
#include "smt/tree.hpp"
#include "store/db.hpp"

namespace rollup::l1 {

namespace {

constexpr std::string_view kRecordTag = "rollup-tools:record:v1";
constexpr std::string_view kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

std::unexpected<Error> rejected(std::string message) { return fail(Errc::rejected, std::move(message)); }

/// `deposit_first` and `deposit_count` are the range of this rollup's queue the block consumes
/// (codec::Block::deposits_of), as stored in l1_blocks.
Hash32 record_hash(const Hash32& previous, const StoredBlock& b) {
  crypto::Blake2b h;
  h.update(kRecordTag).update(previous).update(ByteWriter().u64(b.height).bytes()).update(b.hash);
  h.update(ByteWriter().u64(b.deposit_first).u64(b.deposit_count).bytes());
  return h.finish();
}

class EmbeddedContract final : public Contract {
 public:
  EmbeddedContract(store::Db& db, Clock clock) : db_(db), clock_(std::move(clock)) {}

  Status init(const Config& config, const std::vector<GenesisAccount>& genesis) override {
    auto tx = ROLLUP_TRY(db_.begin_immediate());
    auto existing = ROLLUP_TRY(db_.prepare("SELECT count(*) FROM l1_config"));
    ROLLUP_TRY(existing.step());
    if (existing.column_int64(0) != 0)
      return rejected("the contract is already initialized in " + db_.path());
    // The sequencer signs blocks with Ed25519 whatever the accounts' scheme.
    if (config.sequencer.size() != crypto::key_size(crypto::SignatureScheme::ed25519))
      return fail(Errc::usage, fmt::format("the sequencer key is {} bytes: a sequencer signs blocks with an "
                                           "ed25519 key of 32 bytes",
                                           config.sequencer.size()));
    // Dev keys are derivable by anyone: a contract that uses one must say so at deployment.
    if (!config.dev_mode) {
      if (is_dev_key(config.sequencer))
        return fail(Errc::usage, "the sequencer key is a dev key that anyone can derive: deploy with --dev, "
                                 "or use a key of your own (rollup-keygen)");
      for (const auto& g : genesis)
        if (is_dev_key(g.key))
          return fail(Errc::usage, "genesis account " + to_hex(g.key) +
                                       " is a dev key that anyone can derive: deploy with --dev");
    }
    for (const auto& g : genesis) {
      if (auto ok = crypto::check_public_key(config.sig_scheme, g.key, "genesis account " + to_hex(g.key)); !ok)
        return fail(Errc::usage, ok.error().message);
    }
    Hash32 root = genesis_root(genesis);
    if (config.genesis_root != Hash32{} && config.genesis_root != root)
      return rejected("--genesis-root does not match the genesis accounts' root " + to_hex(root));
    if (config.max_block_ops > kMaxBlockOps)
      return fail(Errc::usage, fmt::format("the block work cap must be 1..{} (the prover's limit)", kMaxBlockOps));
    auto ins = ROLLUP_TRY(db_.prepare(fmt::format(
        "INSERT INTO l1_config(id, chain_id, namespace_id, sequencer, genesis_root, "
        "deposit_deadline_s, max_block_ops, dev_mode, sig_scheme, frozen, created_at) "
        "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, 0, {})",
        kNow)));
    ins.bind(1, config.chain_id).bind(2, config.namespace_id).bind(3, config.sequencer);
    ins.bind(4, std::span<const std::uint8_t>(root)).bind(5, config.deposit_deadline_s);
    ins.bind(6, config.max_block_ops).bind(7, config.dev_mode ? 1 : 0);
    ins.bind(8, static_cast<std::uint64_t>(config.sig_scheme));
    ROLLUP_TRY(ins.run());
    auto gen = ROLLUP_TRY(db_.prepare("INSERT INTO l1_genesis(idx, pubkey, balance) VALUES (?, ?, ?)"));
    for (std::size_t i = 0; i < genesis.size(); ++i) {
      gen.bind(1, i).bind(2, genesis[i].key).bind(3, genesis[i].balance);
      ROLLUP_TRY(gen.run());
    }
    const smt::KeySetCommitment keys = genesis_keys(genesis);
    auto genesis_root_row = ROLLUP_TRY(db_.prepare(fmt::format(
        "INSERT INTO l1_roots(height, root, status, key_root, key_count, submitted_at) "
        "VALUES (0, ?, 'verified', ?, ?, {})",
        kNow)));
    genesis_root_row.bind(1, std::span<const std::uint8_t>(root)).bind(2, keys.root).bind(3, keys.count);
    ROLLUP_TRY(genesis_root_row.run());
    return tx.commit();
  }

  Result<Config> config() override {
    auto q = ROLLUP_TRY(db_.prepare(
        "SELECT chain_id, namespace_id, sequencer, genesis_root, deposit_deadline_s, frozen, "
        "coalesce(frozen_reason, ''), max_block_ops, dev_mode, sig_scheme FROM l1_config WHERE id = 1"));
    if (!ROLLUP_TRY(q.step()))
      return rejected("no rollup contract in " + db_.path() + " (run: rollup-l1 init)");
    Config c;
    c.chain_id = ROLLUP_TRY(q.column_uint64(0));
    c.namespace_id = static_cast<std::uint32_t>(ROLLUP_TRY(q.column_uint64(1)));
    c.sequencer = ROLLUP_TRY(q.column_array<32>(2));
    c.genesis_root = ROLLUP_TRY(q.column_array<32>(3));
    c.deposit_deadline_s = ROLLUP_TRY(q.column_uint64(4));
    c.frozen = q.column_int64(5) != 0;
    c.frozen_reason = q.column_text(6);
    // NULL in a file migrated from schema 2: the fixed cap of that release, and dev mode found
    // from the keys. 0: no cap but the trace budget's.
    c.max_block_ops = q.column_is_null(7) ? kLegacyMaxBlockOps : ROLLUP_TRY(q.column_uint64(7));
    const bool dev_mode_known = !q.column_is_null(8);
    c.dev_mode = q.column_int64(8) != 0;
    auto scheme = crypto::scheme_from_number(ROLLUP_TRY(q.column_uint64(9)));
    if (!scheme) return fail(Errc::internal, "l1_config.sig_scheme: " + scheme.error().message);
    c.sig_scheme = *scheme;
    q.reset();
    if (!dev_mode_known) c.dev_mode = ROLLUP_TRY(uses_dev_keys(c.sequencer));
    if (c.dev_mode) warn_dev_mode_once();
    return c;
  }

  Result<ContractStatus> status() override {
    ContractStatus s;
    auto read = ROLLUP_TRY(db_.begin_read());
    auto cfg = config();
    if (!cfg) {
      if (cfg.error().code == Errc::rejected) return s;
      return std::unexpected(cfg.error());
    }
    s.initialized = true;
    s.config = *cfg;
    s.height = ROLLUP_TRY(height());
    s.deposits_queued = ROLLUP_TRY(scalar("SELECT count(*) FROM l1_deposits"));
    s.deposits_consumed = ROLLUP_TRY(consumed_end());
    s.deposits_refunded = ROLLUP_TRY(scalar("SELECT count(*) FROM l1_deposits WHERE refunded_at IS NOT NULL"));
    auto pending = ROLLUP_TRY(db_.prepare("SELECT count(*) FROM l1_deposits WHERE idx >= ? AND refunded_at IS NULL"));
    pending.bind(1, s.deposits_consumed);
    ROLLUP_TRY(pending.step());
    s.deposits_pending = ROLLUP_TRY(pending.column_uint64(0));
    pending.reset();
    s.l1_time = ROLLUP_TRY(clock_());
    s.latest_root = ROLLUP_TRY(latest_root());
    s.equivocations = ROLLUP_TRY(scalar("SELECT count(*) FROM l1_equivocations"));
    s.accounts_bound = ROLLUP_TRY(accounts_bound()).accounts;
    s.next_block_max_txs = max_block_txs(s.accounts_bound, s.config);
    return s;
  }

  Result<std::vector<GenesisAccount>> genesis() override {
    // Checked against its root and key set once per contract object: the genesis never changes
    // after init, and the check costs two tree builds.
    if (!genesis_) {
      auto out = ROLLUP_TRY(stored_genesis());
      auto problems = ROLLUP_TRY(genesis_problems(out));
      if (!problems.empty()) return corrupt(problems.front());
      genesis_ = std::move(out);
    }
    return *genesis_;
  }

  Result<std::vector<std::string>> check() override {
    auto read = ROLLUP_TRY(db_.begin_read());
    std::vector<std::string> problems;
    auto cfg = config();
    if (!cfg) {
      if (cfg.error().code != Errc::rejected) return std::unexpected(cfg.error());
      return std::vector<std::string>{"l1_config: no contract (run: rollup-l1 init)"};
    }
    auto genesis_list = stored_genesis();
    if (!genesis_list) problems.push_back("l1_genesis: " + genesis_list.error().message);
    else for (auto& p : ROLLUP_TRY(genesis_problems(*genesis_list))) problems.push_back(std::move(p));

    // Blocks, one page at a time: body against hash, parent link, record chain.
    const std::uint64_t tip = ROLLUP_TRY(height());
    Hash32 parent{}, record{};
    std::uint64_t expected = 1;
    auto q = ROLLUP_TRY(db_.prepare(
        "SELECT height, hash, parent, record, deposit_first, deposit_count, body FROM l1_blocks "
        "WHERE height >= ? ORDER BY height LIMIT 256"));
    for (bool more = true; more;) {
      q.bind(1, expected);
      std::vector<StoredBlock> page;
      while (ROLLUP_TRY(q.step())) {
        StoredBlock b;
        b.height = ROLLUP_TRY(q.column_uint64(0));
        auto hash = q.column_array<32>(1), par = q.column_array<32>(2), rec = q.column_array<32>(3);
        if (!hash || !par || !rec) {
          problems.push_back(fmt::format("l1_blocks height {}: a hash column is not 32 bytes", b.height));
          b.height = 0;
        } else {
          b.hash = *hash;
          b.parent = *par;
          b.record = *rec;
        }
        b.deposit_first = ROLLUP_TRY(q.column_uint64(4));
        b.deposit_count = ROLLUP_TRY(q.column_uint64(5));
        b.body = q.column_text(6);
        page.push_back(std::move(b));
      }
      q.reset();
      more = page.size() == 256;
      for (const auto& b : page) {
        if (b.height == 0) continue;
        if (b.height != expected)
          problems.push_back(fmt::format("l1_blocks: heights {} to {} are missing", expected, b.height - 1));
        expected = b.height + 1;
        if (auto ok = check_stored(b, parent, cfg->namespace_id); !ok) {
          problems.push_back(ok.error().message.substr(ok.error().message.find(": ") + 2));
        } else if (record_hash(record, b) != b.record) {
          problems.push_back(fmt::format("l1_blocks height {}: the record does not chain from the block below", b.height));
        }
        parent = b.hash;
        record = b.record;
      }
    }

    // Roots: the genesis at 0, then heights of committed blocks, key counts never shrinking.
    auto roots_rows = roots();
    if (!roots_rows) {
      problems.push_back("l1_roots: " + roots_rows.error().message);
    } else {
      if (roots_rows->empty() || roots_rows->front().height != 0) problems.push_back("l1_roots: no genesis root (height 0)");
      for (std::size_t i = 1; i < roots_rows->size(); ++i) {
        const auto& r = (*roots_rows)[i];
        if (r.height > tip)
          problems.push_back(fmt::format("l1_roots height {}: above the last committed block {}", r.height, tip));
        if (r.keys.count < (*roots_rows)[i - 1].keys.count)
          problems.push_back(fmt::format("l1_roots height {}: fewer accounts than the root below", r.height));
        if (!hash::digest_from_bytes(r.root)) problems.push_back(fmt::format("l1_roots height {}: the root is not a digest", r.height));
      }
    }

    for (auto& p : ROLLUP_TRY(executor_problems())) problems.push_back(std::move(p));
    return problems;
  }

  Status fund(const PublicKey& account, std::uint64_t amount) override {
    auto tx = ROLLUP_TRY(db_.begin_immediate());
    ROLLUP_TRY(config());
    std::uint64_t balance = ROLLUP_TRY(l1_balance(account));
    if (balance + amount >= kBalanceLimit) return rejected("L1 balance would reach 2^53");
    ROLLUP_TRY(set_l1_balance(account, balance + amount));
    return tx.commit();
  }

  Result<std::vector<std::pair<PublicKey, std::uint64_t>>> balances() override {
    auto q = ROLLUP_TRY(db_.prepare("SELECT pubkey, balance FROM l1_accounts ORDER BY pubkey"));
    std::vector<std::pair<PublicKey, std::uint64_t>> out;
    while (ROLLUP_TRY(q.step()))
      out.emplace_back(ROLLUP_TRY(q.column_key(0)), ROLLUP_TRY(q.column_uint64(1)));
    return out;
  }

  Result<QueuedDeposit> deposit(const PublicKey& from, const PublicKey& to,
                                std::uint64_t amount) override {
    auto tx = ROLLUP_TRY(db_.begin_immediate());
    Config cfg = ROLLUP_TRY(config());
    if (cfg.frozen) return rejected("the contract is frozen: " + cfg.frozen_reason);
    if (amount == 0 || amount >= kBalanceLimit) return fail(Errc::bad_input, "amount must be 1..2^53-1");
    // The L2 account must be one this rollup's txs can spend from; the payer is any L1 account.
    ROLLUP_TRY(crypto::check_public_key(cfg.sig_scheme, to, "deposit recipient"));
    ROLLUP_TRY(crypto::check_key_encoding(from, "deposit payer"));
    std::uint64_t balance = ROLLUP_TRY(l1_balance(from));
    if (balance < amount)
      return rejected(fmt::format("L1 balance {} is less than the deposit {}", balance, amount));
    ROLLUP_TRY(set_l1_balance(from, balance - amount));
    QueuedDeposit q;
    q.deposit.index = ROLLUP_TRY(scalar("SELECT count(*) FROM l1_deposits"));
    q.deposit.from = from;
    q.deposit.to = to;
    q.deposit.amount = amount;
    const std::uint64_t now = ROLLUP_TRY(clock_());
    q.due_at = now + cfg.deposit_deadline_s;
    auto ins = ROLLUP_TRY(db_.prepare(
        "INSERT INTO l1_deposits(idx, l1_from, l2_to, amount, due_at, enqueued_at) "
        "VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', ?, 'unixepoch'))"));
    ins.bind(1, q.deposit.index).bind(2, from).bind(3, to).bind(4, amount).bind(5, q.due_at).bind(6, now);
    ROLLUP_TRY(ins.run());
    ROLLUP_TRY(tx.commit());
    return q;
  }

  Result<std::vector<QueuedDeposit>> deposits_from(std::uint64_t first, std::size_t max) override {
    auto q = ROLLUP_TRY(db_.prepare(
        "SELECT idx, l1_from, l2_to, amount, due_at FROM l1_deposits WHERE idx >= ? "
        "ORDER BY idx LIMIT ?"));
    q.bind(1, first).bind(2, max);
    std::vector<QueuedDeposit> out;
    while (ROLLUP_TRY(q.step())) {
      QueuedDeposit d;
      d.deposit.index = ROLLUP_TRY(q.column_uint64(0));
      d.deposit.from = ROLLUP_TRY(q.column_key(1));
      d.deposit.to = ROLLUP_TRY(q.column_key(2));
      d.deposit.amount = ROLLUP_TRY(q.column_uint64(3));
      d.due_at = ROLLUP_TRY(q.column_uint64(4));
      out.push_back(d);
    }
    return out;
  }

  Result<CommitReceipt> commit_block(const codec::Block& b) override {
    auto tx = ROLLUP_TRY(db_.begin_immediate());
    Config cfg = ROLLUP_TRY(config());
    std::uint64_t tip = ROLLUP_TRY(height());
    // The signature comes first: only a block the registered sequencer signed can be committed,
    // or count as evidence of equivocation.
    ROLLUP_TRY(check_sequencer_signature(b, cfg.sequencer));

    if (b.height <= tip) {
      auto stored = ROLLUP_TRY(block_at(b.height));
      if (stored && stored->hash == b.hash) return CommitReceipt{b.height, stored->record, true};
      // Two different signed blocks at one height: keep the evidence, refuse the block.
      // The same evidence offered again is kept once (unique by hash).
      auto ev = ROLLUP_TRY(db_.prepare(fmt::format(
          "INSERT OR IGNORE INTO l1_equivocations(height, hash, body, seen_at) VALUES (?, ?, ?, {})", kNow)));
      ev.bind(1, b.height).bind(2, b.hash).bind(3, codec::to_json(b));
      ROLLUP_TRY(ev.run());
      ROLLUP_TRY(tx.commit());
      return rejected(fmt::format("equivocation: block {} at height {} differs from committed {}",
                                  to_hex(b.hash), b.height, to_hex(stored ? stored->hash : Hash32{})));
    }
    if (cfg.frozen) return rejected("the contract is frozen: " + cfg.frozen_reason);
    if (b.height != tip + 1)
      return rejected(fmt::format("block height {} is not the next height {}", b.height, tip + 1));
    Hash32 parent{}, previous_record{};
    std::uint64_t parent_timestamp = 0;
    if (tip > 0) {
      auto prev = ROLLUP_TRY(block_at(tip));
      if (!prev) return fail(Errc::internal, "the contract lost its block " + std::to_string(tip));
      parent = prev->hash;
      previous_record = prev->record;
      parent_timestamp = ROLLUP_TRY(parse_stored(*prev)).timestamp;
    }
    if (b.parent != parent)
      return rejected(fmt::format("block {} has parent {}, the contract's block {} is {}", b.height,
                                  to_hex(b.parent), tip, to_hex(parent)));
    const auto* own_txs = b.find_namespace(cfg.namespace_id);
    const std::uint64_t bound_before = ROLLUP_TRY(accounts_bound()).accounts;
    if (auto work = check_block_work(own_txs ? own_txs->txs.size() : 0, b.deposits_of(cfg.namespace_id).deposits.size(),
                                     bound_before, cfg);
        !work)
      return rejected(fmt::format("block {} carries {}", b.height, work.error().message));
    if (b.timestamp < parent_timestamp)
      return rejected(fmt::format("block {} has timestamp {}, below its parent's {}", b.height, b.timestamp,
                                  parent_timestamp));

    // This rollup's deposits: the block's own list, or in a shared block its namespace's (a
    // shared block without the namespace consumes none of this queue).
    const codec::DepositRange consumed = b.deposits_of(cfg.namespace_id);
    std::uint64_t head = ROLLUP_TRY(consumed_end());
    if (consumed.first && *consumed.first != head)
      return rejected(fmt::format("block consumes deposits from {}, the queue head is {}",
                                  *consumed.first, head));
    auto queued = ROLLUP_TRY(deposits_from(head, consumed.deposits.size() + 1));
    for (std::size_t i = 0; i < consumed.deposits.size(); ++i)
      if (i >= queued.size() || !(queued[i].deposit == consumed.deposits[i]))
        return rejected(fmt::format("block deposit {} does not match the contract's queue",
                                    consumed.deposits[i].index));
    // Forced inclusion: blocks the sequencer signed before a deposit existed may still land
    // while the deposit is within its deadline; past it, the next block must consume it.
    if (queued.size() > consumed.deposits.size()) {
      const auto& next = queued[consumed.deposits.size()];
      const std::uint64_t now = ROLLUP_TRY(clock_());
      if (now > next.due_at)
        return rejected(fmt::format(
            "block {} leaves out deposit {}, overdue since L1 time {} (now {}): the next block must "
            "consume it, and anyone may freeze the contract (rollup-l1 freeze)",
            b.height, next.deposit.index, next.due_at, now));
    }

    StoredBlock stored{b.height, b.hash, b.parent, {}, head, consumed.deposits.size(), {}};
    Hash32 record = record_hash(previous_record, stored);
    auto ins = ROLLUP_TRY(db_.prepare(fmt::format(
        "INSERT INTO l1_blocks(height, hash, parent, record, deposit_first, deposit_count, body, "
        "committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, {})",
        kNow)));
    ins.bind(1, b.height).bind(2, b.hash).bind(3, b.parent).bind(4, record);
    ins.bind(5, stored.deposit_first).bind(6, stored.deposit_count).bind(7, codec::to_json(b));
    ROLLUP_TRY(ins.run());
    ROLLUP_TRY(tx.commit());
    return CommitReceipt{b.height, record, false};
  }

  Result<std::string> freeze() override {
    auto tx = ROLLUP_TRY(db_.begin_immediate());
    Config cfg = ROLLUP_TRY(config());
    if (cfg.frozen) return rejected("the contract is already frozen: " + cfg.frozen_reason);
    const std::uint64_t now = ROLLUP_TRY(clock_());
    auto head = ROLLUP_TRY(deposits_from(ROLLUP_TRY(consumed_end()), 1));
    if (head.empty()) return rejected("no deposit is waiting: the contract cannot be frozen");
    const QueuedDeposit& overdue = head[0];
    if (now <= overdue.due_at)
      return rejected(fmt::format("no deposit is overdue: the oldest waiting, deposit {}, is due at L1 time {} (now {})",
                                  overdue.deposit.index, overdue.due_at, now));
    std::string reason = fmt::format(
        "deposit {} was due at L1 time {} and no block consumed it by {}: forced inclusion failed",
        overdue.deposit.index, overdue.due_at, now);
    auto freeze = ROLLUP_TRY(db_.prepare("UPDATE l1_config SET frozen = 1, frozen_reason = ?"));
    freeze.bind(1, reason);
    ROLLUP_TRY(freeze.run());
    // Deposits that no verified block executed never reach an exit proof: they go back to
    // their L1 payers now, so that nothing is lost.
    RootRecord verified = ROLLUP_TRY(latest_root());
    std::uint64_t executed_end = 0;
    if (verified.height > 0) {
      auto v = ROLLUP_TRY(block_at(verified.height));
      if (v) executed_end = v->deposit_first + v->deposit_count;
    }
    auto pending = ROLLUP_TRY(db_.prepare("SELECT idx FROM l1_deposits WHERE idx >= ? AND refunded_at IS NULL"));
    pending.bind(1, executed_end);
    std::vector<std::uint64_t> refunds;
    while (ROLLUP_TRY(pending.step())) refunds.push_back(ROLLUP_TRY(pending.column_uint64(0)));
    pending.reset();
    for (auto index : refunds) ROLLUP_TRY(refund_deposit(index));
    ROLLUP_TRY(tx.commit());
    return reason;
  }

  Result<std::uint64_t> height() override { return scalar("SELECT coalesce(max(height), 0) FROM l1_blocks"); }

  Result<std::optional<StoredBlock>> block_at(std::uint64_t h) override {
    auto blocks_found = ROLLUP_TRY(blocks(h, h));
    if (blocks_found.empty()) return std::optional<StoredBlock>{};
    return std::optional<StoredBlock>(std::move(blocks_found[0]));
  }

  Result<std::optional<Hash32>> committed_hash(std::uint64_t h) override {
    auto q = ROLLUP_TRY(db_.prepare("SELECT hash FROM l1_blocks WHERE height = ?"));
    q.bind(1, h);
    if (!ROLLUP_TRY(q.step())) return std::optional<Hash32>{};
    return std::optional<Hash32>(ROLLUP_TRY(q.column_array<32>(0)));
  }

  Result<std::vector<StoredBlock>> blocks(std::uint64_t from, std::uint64_t to) override {
    auto q = ROLLUP_TRY(db_.prepare(
        "SELECT height, hash, parent, record, deposit_first, deposit_count, body FROM l1_blocks "
        "WHERE height BETWEEN ? AND ? ORDER BY height"));
    q.bind(1, from).bind(2, std::min<std::uint64_t>(to, INT64_MAX));
    std::vector<StoredBlock> out;
    while (ROLLUP_TRY(q.step())) {
      StoredBlock s;
      s.height = ROLLUP_TRY(q.column_uint64(0));
      s.hash = ROLLUP_TRY(q.column_array<32>(1));
      s.parent = ROLLUP_TRY(q.column_array<32>(2));
      s.record = ROLLUP_TRY(q.column_array<32>(3));
      s.deposit_first = ROLLUP_TRY(q.column_uint64(4));
      s.deposit_count = ROLLUP_TRY(q.column_uint64(5));
      s.body = q.column_text(6);
      out.push_back(std::move(s));
    }
    q.reset();
    // What is read is checked against what it commits to: each body against its hash, each
    // block against its parent, so a flipped byte is refused rather than passed downstream.
    if (!out.empty()) {
      Hash32 parent{};
      if (out[0].height > 1) {
        auto below = ROLLUP_TRY(committed_hash(out[0].height - 1));
        if (!below) return corrupt(fmt::format("l1_blocks has no block {} below block {}", out[0].height - 1, out[0].height));
        parent = *below;
      }
      const std::uint32_t namespace_id = ROLLUP_TRY(config()).namespace_id;
      for (const auto& stored : out) {
        ROLLUP_TRY(check_stored(stored, parent, namespace_id));
        parent = stored.hash;
      }
    }
    return out;
  }

  Result<RootRecord> submit_proof(const ProofClaim& claim, std::span<const std::uint8_t> proof,
                                  const ProofVerifier& verifier) override {
    auto tx = ROLLUP_TRY(db_.begin_immediate());
    Config cfg = ROLLUP_TRY(config());
    if (cfg.frozen) return rejected("the contract is frozen: " + cfg.frozen_reason);
    RootRecord last = ROLLUP_TRY(latest_root());
    const std::uint64_t last_height = std::max(claim.height, claim.last_height);
    if (claim.height <= last.height) {
      auto existing = ROLLUP_TRY(root_at(last_height));
      if (existing && existing->root == claim.post_root) return *existing;  // the same proof again
      return rejected(fmt::format("height {} is already proven", claim.height));
    }
    if (claim.height != last.height + 1)
      return rejected(fmt::format("a proof for height {} before height {}", claim.height, last.height + 1));
    if (claim.pre_root != last.root)
      return rejected(fmt::format("the proof starts from root {}, the last verified root (height {}) is {}",
                                  to_hex(claim.pre_root), last.height, to_hex(last.root)));
    if (last.height == 0) {
      // The genesis row is read here for the first time since init: check it.
      ROLLUP_TRY(genesis());
    }
    if (claim.pre_keys != last.keys)
      return rejected(fmt::format(
          "the proof starts from key set {} ({} accounts), the last verified root (height {}) has {} ({} accounts)",
          to_hex(claim.pre_keys.root), claim.pre_keys.count, last.height, to_hex(last.keys.root), last.keys.count));
    std::vector<codec::Block> blocks;
    for (std::uint64_t h = claim.height; h <= last_height; ++h) {
      auto stored = ROLLUP_TRY(block_at(h));
      if (!stored) return rejected(fmt::format("block {} is not committed", h));
      if (h == claim.height && stored->hash != claim.block_hash)
        return rejected(fmt::format("the proof is for block {}, the contract committed {} at height {}",
                                    to_hex(claim.block_hash), to_hex(stored->hash), claim.height));
      blocks.push_back(ROLLUP_TRY(parse_stored(*stored)));
    }
    ProofClaim checked = claim;
    checked.last_height = last_height;
    ProvenEffects effects = ROLLUP_TRY(verifier(blocks, cfg, checked, proof));
    // The verifier derives the post key set from the proof; the line's own claim must agree, as
    // rollup-verify requires, or the contract would store one thing while the line says another.
    if (effects.post_keys != claim.post_keys)
      return rejected(fmt::format(
          "the proof line claims post key set {} ({} accounts), the proof establishes {} ({} accounts)",
          to_hex(claim.post_keys.root), claim.post_keys.count, to_hex(effects.post_keys.root),
          effects.post_keys.count));
    if (!effects.withdrawal_heights.empty() && effects.withdrawal_heights.size() != effects.withdrawals.size())
      return fail(Errc::internal, "the verifier's withdrawal heights do not match its withdrawals");

    auto root = ROLLUP_TRY(db_.prepare(fmt::format(
        "INSERT INTO l1_roots(height, root, status, key_root, key_count, submitted_at) "
        "VALUES (?, ?, 'verified', ?, ?, {})", kNow)));
    root.bind(1, last_height).bind(2, claim.post_root).bind(3, effects.post_keys.root);
    root.bind(4, effects.post_keys.count);
    ROLLUP_TRY(root.run());
    auto payable = ROLLUP_TRY(db_.prepare("INSERT INTO l1_withdrawals(height, account, amount) VALUES (?, ?, ?)"));
    for (std::size_t i = 0; i < effects.withdrawals.size(); ++i) {
      const auto& [account, amount] = effects.withdrawals[i];
      const std::uint64_t h = effects.withdrawal_heights.empty() ? claim.height : effects.withdrawal_heights[i];
      payable.bind(1, h).bind(2, account).bind(3, amount);
      ROLLUP_TRY(payable.run());
    }
    for (auto index : effects.failed_deposits) ROLLUP_TRY(refund_deposit(index));
    ROLLUP_TRY(tx.commit());
    return RootRecord{last_height, claim.post_root, effects.post_keys};
  }

  Result<std::vector<WithdrawalRecord>> withdrawals() override {
    auto q = ROLLUP_TRY(db_.prepare(
        "SELECT id, height, account, amount, paid_at IS NOT NULL FROM l1_withdrawals ORDER BY id"));
    std::vector<WithdrawalRecord> out;
    while (ROLLUP_TRY(q.step()))
      out.push_back(WithdrawalRecord{ROLLUP_TRY(q.column_uint64(0)), ROLLUP_TRY(q.column_uint64(1)),
                                     ROLLUP_TRY(q.column_key(2)), ROLLUP_TRY(q.column_uint64(3)),
                                     q.column_int64(4) != 0});
    return out;
  }

  Result<std::uint64_t> claim(const PublicKey& account) override {
    auto tx = ROLLUP_TRY(db_.begin_immediate());
    ROLLUP_TRY(config());
    auto due = ROLLUP_TRY(db_.prepare(
        "SELECT coalesce(sum(amount), 0) FROM l1_withdrawals WHERE account = ? AND paid_at IS NULL"));
    due.bind(1, account);
    ROLLUP_TRY(due.step());
    std::uint64_t amount = ROLLUP_TRY(due.column_uint64(0));
    if (amount == 0) return rejected("no payable withdrawal for " + to_hex(account));
    ROLLUP_TRY(credit_l1(account, amount));
    auto paid = ROLLUP_TRY(db_.prepare(fmt::format(
        "UPDATE l1_withdrawals SET paid_at = {} WHERE account = ? AND paid_at IS NULL", kNow)));
    paid.bind(1, account);
    ROLLUP_TRY(paid.run());
    ROLLUP_TRY(tx.commit());
    return amount;
  }

  Result<std::uint64_t> exit(const PublicKey& account, std::uint64_t balance, std::uint64_t nonce,
                             const smt::MerkleProof& proof, const PublicKey& pay_to) override {
    auto tx = ROLLUP_TRY(db_.begin_immediate());
    Config cfg = ROLLUP_TRY(config());
    if (!cfg.frozen) return rejected("the contract is not frozen: exits open only after a missed deposit deadline");
    auto done = ROLLUP_TRY(db_.prepare("SELECT amount, root_height FROM l1_exits WHERE account = ?"));
    done.bind(1, account);
    if (ROLLUP_TRY(done.step()))
      return rejected(fmt::format("{} already exited with {}", to_hex(account), ROLLUP_TRY(done.column_uint64(0))));
    RootRecord last = ROLLUP_TRY(latest_root());
    auto root = hash::digest_from_bytes(last.root);
    if (!root) return fail(Errc::internal, "the verified root is not a digest");
    if (balance >= kBalanceLimit) return fail(Errc::bad_input, "balance must be below 2^53");
    if (proof.leaf != smt::leaf_digest(account, balance, nonce))
      return rejected("the proof's leaf is not this account's (key, balance, nonce)");
    if (!smt::verify_proof(proof, *root))
      return rejected(fmt::format("the Merkle proof does not lead to the last verified root (height {})", last.height));
    if (ROLLUP_TRY(l1_balance(pay_to)) + balance >= kBalanceLimit)
      return rejected(fmt::format("paying {} would take the L1 balance of {} to 2^53: exit to another L1 account (--to)",
                                  balance, to_hex(pay_to)));
    ROLLUP_TRY(credit_l1(pay_to, balance));
    auto ins = ROLLUP_TRY(db_.prepare(fmt::format(
        "INSERT INTO l1_exits(account, amount, root_height, exited_at) VALUES (?, ?, ?, {})", kNow)));
    ins.bind(1, account).bind(2, balance).bind(3, last.height);
    ROLLUP_TRY(ins.run());
    ROLLUP_TRY(tx.commit());
    return balance;
  }

  Result<std::vector<RootRecord>> roots() override {
    auto q = ROLLUP_TRY(db_.prepare("SELECT height, root, key_root, key_count FROM l1_roots ORDER BY height"));
    std::vector<RootRecord> out;
    while (ROLLUP_TRY(q.step())) out.push_back(ROLLUP_TRY(read_root(q)));
    return out;
  }

  // Kept from call to call: the sum over the blocks above the latest verified root grows by the
  // blocks committed since, and is summed again only when a new root is verified.
  Result<AccountsBound> accounts_bound() override {
    const RootRecord root = ROLLUP_TRY(latest_root());
    const std::uint64_t tip = ROLLUP_TRY(scalar("SELECT coalesce(max(height), 0) FROM l1_blocks"));
    if (!bound_cache_ || bound_cache_->root_height != root.height || bound_cache_->through > tip)
      bound_cache_ = BoundCache{root.height, root.height, 0};
    if (bound_cache_->through < tip) {
      // Every namespace's txs count: a shared block's other txs cannot add accounts here, but the
      // bound need not know which are this rollup's to stay sound, and SQLite reads them
      // without parsing each body into a block.
      auto q = ROLLUP_TRY(db_.prepare(
          "SELECT count(*) + coalesce(sum(deposit_count), 0) + coalesce((SELECT sum(json_array_length(ns.value, "
          "'$.txs')) FROM l1_blocks b2, json_each(b2.body, '$.namespaces') ns WHERE b2.height > ?1 AND "
          "b2.height <= ?2), 0) FROM l1_blocks WHERE height > ?1 AND height <= ?2"));
      q.bind(1, bound_cache_->through).bind(2, tip);
      if (!ROLLUP_TRY(q.step())) return fail(Errc::internal, "accounts bound: no row");
      bound_cache_->added += ROLLUP_TRY(q.column_uint64(0));
      bound_cache_->through = tip;
    }
    return AccountsBound{tip, add_saturating(root.keys.count, bound_cache_->added)};
  }

  Result<RootRecord> latest_root() override {
    auto q = ROLLUP_TRY(db_.prepare(
        "SELECT height, root, key_root, key_count FROM l1_roots ORDER BY height DESC LIMIT 1"));
    if (!ROLLUP_TRY(q.step()))
      return rejected("no rollup contract in " + db_.path() + " (run: rollup-l1 init)");
    return read_root(q);
  }

 private:
  void warn_dev_mode_once() {
    static std::atomic<bool> warned{false};
    if (warned.exchange(true)) return;
    warn("the contract in " + db_.path() +
         " runs in dev mode: its keys are derivable by anyone, so anyone can sign its blocks or spend its "
         "genesis funds; never hold value in it");
  }

  static std::unexpected<Error> corrupt(const std::string& what) {
    return fail(Errc::io, "corrupt state file: " + what);
  }

  /// A stored block agrees with its own hash, its columns, and the block below (`parent`).
  static Status check_stored(const StoredBlock& stored, const Hash32& parent,
                             std::uint32_t namespace_id) {
    auto block = parse_stored(stored);
    if (!block) return std::unexpected(block.error());
    if (block->hash != stored.hash || block->height != stored.height)
      return corrupt(fmt::format("l1_blocks height {}: the body is block {} at height {}, the row says {}",
                                 stored.height, to_hex(block->hash), block->height, to_hex(stored.hash)));
    if (block->parent != stored.parent || stored.parent != parent)
      return corrupt(fmt::format("l1_blocks height {}: the block's parent {} is not the block below, {}",
                                 stored.height, to_hex(block->parent), to_hex(parent)));
    const codec::DepositRange consumed = block->deposits_of(namespace_id);
    if ((consumed.first && *consumed.first != stored.deposit_first) ||
        consumed.deposits.size() != stored.deposit_count)
      return corrupt(fmt::format("l1_blocks height {}: the deposit range differs from the body's", stored.height));
    return {};
  }

  /// A stored block's body as a block. Bodies are checked against their hashes when read
  /// (blocks()), so a body that does not parse is a corrupt file too.
  static Result<codec::Block> parse_stored(const StoredBlock& stored) {
    auto block = codec::parse_block(codec::Json::parse(stored.body, nullptr, false));
    if (!block)
      return fail(Errc::io, fmt::format("corrupt state file: l1_blocks height {}: the body is not a block ({})",
                                        stored.height, block.error().message));
    return std::move(*block);
  }

  Result<std::vector<GenesisAccount>> stored_genesis() {
    auto q = ROLLUP_TRY(db_.prepare("SELECT pubkey, balance FROM l1_genesis ORDER BY idx"));
    std::vector<GenesisAccount> out;
    while (ROLLUP_TRY(q.step()))
      out.push_back(GenesisAccount{ROLLUP_TRY(q.column_key(0)), ROLLUP_TRY(q.column_uint64(1))});
    return out;
  }

  /// The genesis accounts against the root and key-set commitment stored at init.
  Result<std::vector<std::string>> genesis_problems(const std::vector<GenesisAccount>& accounts) {
    std::vector<std::string> problems;
    Hash32 root = genesis_root(accounts);
    auto q = ROLLUP_TRY(db_.prepare("SELECT root, key_root, key_count FROM l1_roots WHERE height = 0"));
    if (!ROLLUP_TRY(q.step())) return std::vector<std::string>{"l1_roots: no genesis root (height 0)"};
    auto stored_root = q.column_array<32>(0);
    auto key_root = q.column_array<32>(1);
    const std::uint64_t key_count = ROLLUP_TRY(q.column_uint64(2));
    q.reset();
    if (!stored_root || *stored_root != root)
      problems.push_back("l1_roots height 0: the genesis root is not the root of the genesis accounts (l1_genesis)");
    auto keys = genesis_keys(accounts);
    if (!key_root || *key_root != keys.root || key_count != keys.count)
      problems.push_back("l1_roots height 0: the genesis key-set commitment is not that of the genesis accounts");
    auto c = ROLLUP_TRY(db_.prepare("SELECT genesis_root FROM l1_config WHERE id = 1"));
    if (ROLLUP_TRY(c.step())) {
      auto configured = c.column_array<32>(0);
      if (!configured || *configured != root)
        problems.push_back("l1_config: genesis_root is not the root of the genesis accounts (l1_genesis)");
    }
    c.reset();
    return problems;
  }

  /// The executor's tables, if it stored anything: its blocks are the contract's, and its
  /// accounts rebuild to the post-state root of its last block.
  Result<std::vector<std::string>> executor_problems() {
    std::vector<std::string> problems;
    auto applied = ROLLUP_TRY(db_.prepare(
        "SELECT s.height, s.hash = b.hash FROM state_blocks s LEFT JOIN l1_blocks b ON b.height = s.height "
        "WHERE b.hash IS NULL OR s.hash != b.hash"));
    while (ROLLUP_TRY(applied.step()))
      problems.push_back(fmt::format("state_blocks height {}: not the block the contract committed there",
                                     ROLLUP_TRY(applied.column_uint64(0))));
    applied.reset();
    auto last = ROLLUP_TRY(db_.prepare("SELECT height, post_root FROM state_blocks ORDER BY height DESC LIMIT 1"));
    if (!ROLLUP_TRY(last.step())) return problems;
    const std::uint64_t h = ROLLUP_TRY(last.column_uint64(0));
    auto post_root = last.column_array<32>(1);
    last.reset();
    smt::Tree tree;
    auto accounts = ROLLUP_TRY(db_.prepare("SELECT idx, pubkey, balance, nonce FROM state_accounts ORDER BY idx"));
    while (ROLLUP_TRY(accounts.step())) {
      const std::uint64_t idx = ROLLUP_TRY(accounts.column_uint64(0));
      auto key = accounts.column_key(1);
      if (!key) {
        problems.push_back(fmt::format("state_accounts index {}: the key is not 32 or 40 bytes", idx));
        continue;
      }
      tree.set_leaf(idx, smt::leaf_digest(*key, ROLLUP_TRY(accounts.column_uint64(2)), ROLLUP_TRY(accounts.column_uint64(3))));
    }
    accounts.reset();
    tree.commit(1);
    if (!post_root || *post_root != hash::digest_bytes(tree.root()))
      problems.push_back(fmt::format("state_accounts: the accounts do not rebuild to the post-state root of state_blocks height {}", h));
    return problems;
  }

  /// For a file migrated from schema 2, whose config does not record dev mode.
  Result<bool> uses_dev_keys(const PublicKey& sequencer) {
    if (is_dev_key(sequencer)) return true;
    for (const auto& g : ROLLUP_TRY(genesis()))
      if (is_dev_key(g.key)) return true;
    return false;
  }

  Status credit_l1(const PublicKey& account, std::uint64_t amount) {
    std::uint64_t balance = ROLLUP_TRY(l1_balance(account));
    if (balance + amount >= kBalanceLimit) return rejected("L1 balance would reach 2^53");
    return set_l1_balance(account, balance + amount);
  }

  Status refund_deposit(std::uint64_t index) {
    auto q = ROLLUP_TRY(db_.prepare("SELECT l1_from, amount, refunded_at IS NOT NULL FROM l1_deposits WHERE idx = ?"));
    q.bind(1, index);
    if (!ROLLUP_TRY(q.step())) return fail(Errc::internal, fmt::format("no deposit {} to refund", index));
    if (q.column_int64(2) != 0) return {};
    auto payer = ROLLUP_TRY(q.column_key(0));
    std::uint64_t amount = ROLLUP_TRY(q.column_uint64(1));
    q.reset();
    ROLLUP_TRY(credit_l1(payer, amount));
    auto mark = ROLLUP_TRY(db_.prepare(fmt::format("UPDATE l1_deposits SET refunded_at = {} WHERE idx = ?", kNow)));
    mark.bind(1, index);
    return mark.run();
  }

  Result<std::optional<RootRecord>> root_at(std::uint64_t h) {
    auto q = ROLLUP_TRY(db_.prepare("SELECT height, root, key_root, key_count FROM l1_roots WHERE height = ?"));
    q.bind(1, h);
    if (!ROLLUP_TRY(q.step())) return std::optional<RootRecord>{};
    return std::optional<RootRecord>(ROLLUP_TRY(read_root(q)));
  }

  static Result<RootRecord> read_root(store::Stmt& q) {
    RootRecord r;
    r.height = ROLLUP_TRY(q.column_uint64(0));
    r.root = ROLLUP_TRY(q.column_array<32>(1));
    r.keys = smt::KeySetCommitment{ROLLUP_TRY(q.column_array<32>(2)), ROLLUP_TRY(q.column_uint64(3))};
    return r;
  }

  Result<std::uint64_t> scalar(std::string_view sql) {
    auto q = ROLLUP_TRY(db_.prepare(sql));
    ROLLUP_TRY(q.step());
    return q.column_uint64(0);
  }

  /// One past the last deposit index consumed by a committed block.
  Result<std::uint64_t> consumed_end() {
    return scalar(
        "SELECT coalesce((SELECT deposit_first + deposit_count FROM l1_blocks "
        "ORDER BY height DESC LIMIT 1), 0)");
  }

  Result<std::uint64_t> l1_balance(const PublicKey& account) {
    auto q = ROLLUP_TRY(db_.prepare("SELECT balance FROM l1_accounts WHERE pubkey = ?"));
    q.bind(1, account);
    if (!ROLLUP_TRY(q.step())) return std::uint64_t{0};
    return q.column_uint64(0);
  }

  Status set_l1_balance(const PublicKey& account, std::uint64_t balance) {
    auto q = ROLLUP_TRY(db_.prepare(
        "INSERT INTO l1_accounts(pubkey, balance) VALUES (?, ?) "
        "ON CONFLICT(pubkey) DO UPDATE SET balance = excluded.balance"));
    q.bind(1, account).bind(2, balance);
    return q.run();
  }

  store::Db& db_;
  Clock clock_;
  std::optional<std::vector<GenesisAccount>> genesis_;  ///< once checked
  struct BoundCache {
    std::uint64_t root_height = 0;  ///< the verified root the sum starts above
    std::uint64_t through = 0;      ///< the last block summed
    std::uint64_t added = 0;        ///< what the blocks in between can add
  };
  std::optional<BoundCache> bound_cache_;
};

}  // namespace

std::string CommitReceipt::annotation_json() const {
  return fmt::format(R"({{"status":"committed","height":{},"record":"{}"}})", height, to_hex(record));
}

std::unique_ptr<Contract> open_embedded(store::Db& db) { return open_embedded(db, l1_time); }

std::unique_ptr<Contract> open_embedded(store::Db& db, Clock clock) {
  return std::make_unique<EmbeddedContract>(db, std::move(clock));
}

Hash32 genesis_root(const std::vector<GenesisAccount>& genesis) {
  smt::Tree tree;
  for (std::size_t i = 0; i < genesis.size(); ++i)
    tree.set_leaf(i, smt::leaf_digest(genesis[i].key, genesis[i].balance, 0));
  tree.commit(1);
  return hash::digest_bytes(tree.root());
}

}  // namespace rollup::l1
