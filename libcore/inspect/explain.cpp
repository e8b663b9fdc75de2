#include "inspect/explain.hpp"

#include <fmt/format.h>

#include <ctime>
#include <map>

#include "air/proof_store.hpp"
#include "crypto/crypto.hpp"
#include "hash/rpo.hpp"
#include "smt/tree.hpp"
#include "stark/options.hpp"
#include "stark/proof.hpp"

namespace rollup::inspect {

namespace {

/// The first 8 bytes and an ellipsis: enough to tell values apart in a line of text.
std::string brief(std::span<const std::uint8_t> bytes) {
  const std::string full = to_hex(bytes);
  return full.size() <= 18 ? full : full.substr(0, 18) + "…";
}

std::string digest_hex(const hash::Digest& d) { return to_hex(hash::digest_bytes(d)); }

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

/// Unix milliseconds as UTC, e.g. 2025-11-25T16:26:40.000Z.
std::string utc_of_ms(std::uint64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  if (!gmtime_r(&seconds, &tm)) return "out of range";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", text, ms % 1000);
}

OrderedJson keys_json(const smt::KeySetCommitment& keys) {
  return OrderedJson{{"root", to_hex(keys.root)}, {"accounts", keys.count}};
}
std::string keys_text(const smt::KeySetCommitment& keys) {
  return fmt::format("{} ({})", to_hex(keys.root), plural(keys.count, "account", "accounts"));
}

Result<vm::Reason> reason_of(std::string_view name) {
  for (auto r :
       {vm::Reason::bad_signature, vm::Reason::unknown_account, vm::Reason::self_transfer,
        vm::Reason::bad_nonce, vm::Reason::insufficient_balance, vm::Reason::balance_overflow})
    if (vm::reason_name(r) == name) return r;
  return fail(Errc::bad_input, fmt::format("unknown failure reason \"{}\"", name));
}

/// The committed-block check every object that names a block at a height makes.
Status check_committed(Explanation& e, Context& context, std::uint64_t height, const Hash32& hash,
                       std::string_view what) {
  auto committed = ROLLUP_TRY(context.contract().committed_hash(height));
  if (!committed) {
    const auto tip = ROLLUP_TRY(context.contract().height());
    e.check("committed", Outcome::open,
            fmt::format("the contract holds blocks up to height {}: none at {} yet", tip, height));
  } else if (*committed == hash) {
    e.check("committed", Outcome::holds,
            fmt::format("{} is the block the contract committed at height {}", what, height));
  } else {
    e.check("committed", Outcome::fails,
            fmt::format("the contract committed another block at height {}: {}", height,
                        to_hex(*committed)));
  }
  return {};
}

/// Whether the contract verified `root` at `height`; `what` names the root in words.
Status check_verified_root(Explanation& e, Context& context, std::string name, std::uint64_t height,
                           const Hash32& root, std::string_view what) {
  auto record = ROLLUP_TRY(context.root_at(height));
  if (!record)
    e.check(std::move(name), Outcome::open,
            fmt::format("the contract holds no verified root at height {} (yet)", height));
  else if (record->root == root)
    e.check(std::move(name), Outcome::holds,
            fmt::format("{} is the root the contract verified at height {}", what, height));
  else
    e.check(std::move(name), Outcome::fails,
            fmt::format("the contract verified another root at height {}: {}", height,
                        to_hex(record->root)));
  return {};
}

std::string tx_words(const codec::Tx& tx) {
  if (tx.type == codec::TxType::withdraw)
    return fmt::format("withdraw {} (fee {}) from {} to its own L1 account, nonce {}", tx.amount,
                       tx.fee, brief(tx.from), tx.nonce);
  return fmt::format("transfer {} (fee {}) from {} to {}, nonce {}", tx.amount, tx.fee,
                     brief(tx.from), brief(tx.to), tx.nonce);
}

}  // namespace

Context::Context(store::Db& db, l1::Contract& contract, unsigned threads)
    : db_(&db), contract_(&contract), threads_(threads) {}

Result<l1::Config> Context::config() {
  if (!config_) config_ = ROLLUP_TRY(contract_->config());
  return *config_;
}

Result<std::optional<l1::RootRecord>> Context::root_at(std::uint64_t height) {
  // Read each time: a pipeline may verify roots while inspect reads its output.
  for (auto& record : ROLLUP_TRY(contract_->roots()))
    if (record.height == height) return std::optional<l1::RootRecord>(std::move(record));
  return std::optional<l1::RootRecord>();
}

Result<std::optional<codec::Block>> Context::committed_block(std::uint64_t height) {
  auto stored = ROLLUP_TRY(contract_->block_at(height));
  if (!stored) return std::optional<codec::Block>();
  auto object = codec::parse_json(stored->body);
  if (!object)
    return fail(Errc::io,
                fmt::format("corrupt state file: the block at height {} is not JSON", height));
  auto block = codec::parse_block(*object);
  if (!block)
    return fail(Errc::io,
                fmt::format("corrupt state file: block {}: {}", height, block.error().message));
  return std::optional<codec::Block>(std::move(*block));
}

void Context::remember_block(const codec::Block& block) {
  if (stream_block(block.hash)) return;
  if (stream_blocks_.size() == kRememberedBlocks) stream_blocks_.pop_front();
  stream_blocks_.push_back(block);
}

const codec::Block* Context::stream_block(const Hash32& hash) const {
  for (const auto& block : stream_blocks_)
    if (block.hash == hash) return &block;
  return nullptr;
}

Result<air::VerifierSession*> Context::verifier() {
  if (!verifier_)
    verifier_ =
        ROLLUP_TRY(air::VerifierSession::open(*db_, *contract_, stark::kDefaultMinSecurityBits));
  return verifier_.get();
}

std::vector<MessageField> tx_message_layout(std::size_t key_size) {
  const std::size_t to = 31 + key_size, amount = to + key_size;
  return {
      {0, 18, "domain_tag"}, {18, 8, "chain_id"},      {26, 4, "namespace"},
      {30, 1, "type"},       {31, key_size, "from"},   {to, key_size, "to"},
      {amount, 8, "amount"}, {amount + 8, 8, "fee"},   {amount + 16, 8, "nonce"},
  };
}

// The signature by the key's own scheme over the tx's own chain and namespace: what the
// executor of a rollup of that scheme and domain decides (vm::tx_signature_valid).
static bool tx_signature_holds(const codec::Tx& tx) {
  const auto scheme = crypto::scheme_of_key(tx.from);
  return scheme && vm::tx_signature_valid(tx, vm::RollupParams{tx.chain_id, tx.namespace_id, *scheme});
}

std::string_view describe_reason(vm::Reason reason) {
  switch (reason) {
    case vm::Reason::none:
      return "applied";
    case vm::Reason::bad_signature:
      return "the signature does not hold over the tx message with the rollup's chain id and "
             "namespace";
    case vm::Reason::unknown_account:
      return "the sender has no account";
    case vm::Reason::self_transfer:
      return "the sender pays itself";
    case vm::Reason::bad_nonce:
      return "the nonce is not the sender's next one";
    case vm::Reason::insufficient_balance:
      return "the sender's balance does not cover amount + fee";
    case vm::Reason::balance_overflow:
      return "a credit would take a balance to 2^53 or beyond";
  }
  return "unknown";
}

// --- tx ---------------------------------------------------------------------------------------

Result<Explanation> explain_tx(const codec::Tx& tx, Context& context) {
  Explanation e;
  e.object = "tx";
  const Bytes message = tx.signing_message();
  const auto layout = tx_message_layout(tx.from.size());
  if (message.size() != layout.back().offset + layout.back().length)
    return fail(Errc::internal,
                fmt::format("the tx message is {} bytes, not the layout's", message.size()));
  const Hash32 id = tx.id();
  e.summary = fmt::format("tx {}: {}, signed for chain {} namespace {}", brief(id), tx_words(tx),
                          tx.chain_id, tx.namespace_id);
  auto& b = e.body;
  b.add("id", to_hex(id));
  b.add("type", std::string(codec::tx_type_name(tx.type)));
  b.add("chain_id", tx.chain_id).add("namespace", tx.namespace_id);
  b.add("from", to_hex(tx.from));
  if (tx.type == codec::TxType::transfer) b.add("to", to_hex(tx.to));
  b.add("amount", tx.amount).add("fee", tx.fee).add("nonce", tx.nonce);
  b.add("sig", to_hex(tx.sig));
  b.add("signed_message", to_hex(message),
        fmt::format("{} bytes, {}", message.size(), to_hex(message)));
  auto& fields = b.list("message_bytes");
  for (const auto& field : layout) {
    Section s;
    s.compact = true;
    s.heading = fmt::format("{:>3}..{:<3}  {:<10}", field.offset, field.offset + field.length - 1,
                            field.name);
    const std::span<const std::uint8_t> part(message.data() + field.offset, field.length);
    s.add_json("field", field.name)
        .add_json("offset", field.offset)
        .add_json("length", field.length);
    s.add("bytes", to_hex(part));
    fields.push_back(std::move(s));
  }
  const bool signature = tx_signature_holds(tx);
  const auto scheme = crypto::scheme_of_key(tx.from);
  e.check(
      "signature", signature,
      signature
          ? (scheme == crypto::SignatureScheme::ecgfp5 ? "ECgFp5 Schnorr signature by `from` over the signed message holds"
                                                      : "Ed25519 signature by `from` over the signed message holds")
          : "the signature by `from` does not hold over the signed message: the executor fails it "
            "with bad_signature");
  if (context.has_contract()) {
    const auto config = ROLLUP_TRY(context.config());
    const bool ours = config.chain_id == tx.chain_id && config.namespace_id == tx.namespace_id;
    e.check("rollup", ours,
            ours ? fmt::format("signed for this rollup (chain {}, namespace {})", config.chain_id,
                               config.namespace_id)
                 : fmt::format("signed for chain {} namespace {}, but the contract's rollup is "
                               "chain {} namespace "
                               "{}: the executor fails it with bad_signature",
                               tx.chain_id, tx.namespace_id, config.chain_id, config.namespace_id));
  }
  return e;
}

// --- block ------------------------------------------------------------------------------------

namespace {
void list_deposits(std::vector<Section>& out, const std::vector<codec::Deposit>& deposits) {
  for (const auto& d : deposits) {
    Section s;
    s.compact = true;
    s.heading = fmt::format("deposit {}", d.index);
    s.add("index", d.index)
        .add("from", to_hex(d.from), brief(d.from))
        .add("to", to_hex(d.to), brief(d.to));
    s.add("amount", d.amount);
    out.push_back(std::move(s));
  }
}
}  // namespace

Result<Explanation> explain_block(const codec::Block& block, Context& context) {
  Explanation e;
  e.object = "block";
  context.remember_block(block);
  std::optional<l1::Config> config;
  if (context.has_contract()) config = ROLLUP_TRY(context.config());
  std::size_t tx_count = 0, valid_signatures = 0;
  for (const auto& ns : block.namespaces) tx_count += ns.txs.size();

  auto& b = e.body;
  b.add("height", block.height).add("hash", to_hex(block.hash)).add("parent", to_hex(block.parent));
  b.add("timestamp", block.timestamp,
        fmt::format("{} ({})", block.timestamp, utc_of_ms(block.timestamp)));
  b.add("sequencer", to_hex(block.sequencer)).add("fee_recipient", to_hex(block.fee_recipient));
  b.add("sig", to_hex(block.sig));
  const bool shared = block.version == codec::kSharedBlockFormatVersion;
  // A shared block (version 2) keeps each rollup's deposits in its namespace's entry.
  if (shared)
    b.add("version", block.version, "2: a shared sequencer's block, deposits per namespace");
  b.add("txs", tx_count);
  if (!shared) b.add("deposit_first", block.deposit_first);
  b.add("deposits", block.deposit_count());
  if (config) {
    const auto ops = l1::block_ops(block, config->namespace_id);
    const std::string cap =
        config->max_block_ops != 0
            ? fmt::format("the contract's cap is {}, and ", config->max_block_ops)
            : std::string();
    b.add("work_ops", ops,
          fmt::format("{} (txs x {} + deposits x {} + {}); {}the trace budget's cap follows the state's size "
                      "(rollup-l1 status: next_block_max_txs)",
                      ops, l1::kMaxOpsPerTx, l1::kMaxOpsPerDeposit, l1::kMaxOpsPerBlock, cap));
  }
  auto& namespaces = b.list("namespaces");
  for (const auto& ns : block.namespaces) {
    Section s;
    const bool ours = config && ns.id == config->namespace_id;
    s.heading = fmt::format("namespace {}{}", ns.id, ours ? " (this rollup's)" : "");
    s.add("id", ns.id).add("tx_hash", to_hex(ns.tx_hash)).add("tx_count", ns.txs.size());
    auto& txs = s.list("txs");
    for (std::size_t i = 0; i < ns.txs.size(); ++i) {
      const auto& tx = ns.txs[i];
      const bool sig_ok = tx_signature_holds(tx);
      valid_signatures += sig_ok;
      const Hash32 id = tx.id();
      Section t;
      t.compact = true;
      t.heading = fmt::format("tx {}", i);
      t.add("id", to_hex(id), brief(id)).add("type", std::string(codec::tx_type_name(tx.type)));
      t.add("from", to_hex(tx.from), brief(tx.from));
      if (tx.type == codec::TxType::transfer) t.add("to", to_hex(tx.to), brief(tx.to));
      t.add("amount", tx.amount).add("fee", tx.fee).add("nonce", tx.nonce);
      t.add("signature", sig_ok, sig_ok ? "holds" : "FAILS");
      txs.push_back(std::move(t));
    }
    if (shared) {
      s.add("deposit_first", ns.deposit_first);
      list_deposits(s.list("deposits_consumed"), ns.deposits);
    }
    namespaces.push_back(std::move(s));
  }
  if (!shared) list_deposits(b.list("deposits_consumed"), block.deposits);
  b.add("valid_tx_signatures", valid_signatures,
        fmt::format("{} of {}", valid_signatures, tx_count));

  e.summary = fmt::format("block {} by sequencer {}: {} in {}, {} consumed", block.height,
                          brief(block.sequencer), plural(tx_count, "tx", "txs"),
                          plural(block.namespaces.size(), "namespace", "namespaces"),
                          plural(block.deposit_count(), "deposit", "deposits"));

  const bool hash_ok = block.compute_hash() == block.hash;
  e.check("hash", hash_ok,
          hash_ok ? "recomputed from the header, the tx lists and the deposits"
                  : "the hash does not match the block's contents");
  if (!config) {
    const bool sig_ok = crypto::verify(block.sequencer, block.hash, block.sig);
    e.check(
        "sequencer_signature", sig_ok,
        sig_ok
            ? "signed by the key the block names (--db checks it against the contract's sequencer)"
            : "the signature does not hold for the key the block names");
    return e;
  }
  auto signature = l1::check_sequencer_signature(block, config->sequencer);
  e.check("sequencer_signature", signature.has_value(),
          signature ? "signed by the contract's registered sequencer" : signature.error().message);
  ROLLUP_TRY(check_committed(e, context, block.height, block.hash, "this"));
  if (block.height > 1) {
    auto parent = ROLLUP_TRY(context.contract().committed_hash(block.height - 1));
    if (!parent)
      e.check("parent", Outcome::open,
              fmt::format("the contract holds no block at height {}", block.height - 1));
    else
      e.check("parent", *parent == block.parent,
              *parent == block.parent
                  ? fmt::format("the parent is the block committed at height {}", block.height - 1)
                  : fmt::format("the contract's block at height {} is {}", block.height - 1,
                                to_hex(*parent)));
  }
  if (const auto consumed = block.deposits_of(config->namespace_id); !consumed.deposits.empty()) {
    const std::uint64_t first = *consumed.first;
    auto queued = ROLLUP_TRY(context.contract().deposits_from(first, consumed.deposits.size()));
    bool same = queued.size() == consumed.deposits.size();
    for (std::size_t i = 0; same && i < queued.size(); ++i)
      same = queued[i].deposit == consumed.deposits[i];
    e.check("deposits", same,
            same ? fmt::format("the contract's queue entries {}..{}", first,
                               first + consumed.deposits.size() - 1)
                 : fmt::format("not the contract's queue entries from {} on", first));
  }
  return e;
}

// --- exec -------------------------------------------------------------------------------------

namespace {

struct ExecReceipt {
  std::string type;
  std::uint64_t deposit_index = 0;
  Hash32 tx{};
  vm::Reason reason = vm::Reason::none;
};

Result<ExecReceipt> parse_receipt(const codec::Json& object, std::size_t i) {
  const std::string context = fmt::format("exec.receipts[{}]", i);
  if (!object.is_object()) return fail(Errc::bad_input, context + ": must be an object");
  codec::FieldReader f(object, context);
  ExecReceipt r;
  r.type = ROLLUP_TRY(f.string("type"));
  if (r.type == "deposit")
    r.deposit_index = ROLLUP_TRY(f.u53("index"));
  else if (r.type == "transfer" || r.type == "withdraw")
    r.tx = ROLLUP_TRY(f.hex_fixed<32>("tx"));
  else
    return std::unexpected(f.error("type", "must be deposit, transfer or withdraw"));
  const std::string status = ROLLUP_TRY(f.string("status"));
  if (status == "failed") {
    auto reason = reason_of(ROLLUP_TRY(f.string("reason")));
    if (!reason) return std::unexpected(f.error("reason", reason.error().message));
    r.reason = *reason;
  } else if (status != "ok") {
    return std::unexpected(f.error("status", "must be ok or failed"));
  }
  ROLLUP_TRY(f.finish());
  return r;
}

}  // namespace

Result<Explanation> explain_exec(const codec::Json& object, Context& context) {
  const auto claim = ROLLUP_TRY(vm::parse_exec_claim(object));
  std::vector<ExecReceipt> receipts;
  for (std::size_t i = 0; i < object["receipts"].size(); ++i)
    receipts.push_back(ROLLUP_TRY(parse_receipt(object["receipts"][i], i)));
  std::vector<std::pair<PublicKey, std::uint64_t>> withdrawals;
  for (std::size_t i = 0; i < object["withdrawals"].size(); ++i) {
    const auto& w = object["withdrawals"][i];
    const std::string where = fmt::format("exec.withdrawals[{}]", i);
    if (!w.is_object()) return fail(Errc::bad_input, where + ": must be an object");
    codec::FieldReader f(w, where);
    const auto to = ROLLUP_TRY(f.key("to"));
    const auto amount = ROLLUP_TRY(f.u53("amount", 1));
    ROLLUP_TRY(f.finish());
    withdrawals.emplace_back(to, amount);
  }
  const std::uint64_t accounts = object["accounts"].get<std::uint64_t>();

  Explanation e;
  e.object = "exec";
  // The block executed names the receipts' txs and deposits: the committed one, else one seen
  // earlier on the stream.
  std::optional<codec::Block> block;
  if (context.has_contract()) block = ROLLUP_TRY(context.committed_block(claim.height));
  const codec::Block* executed =
      block && block->hash == claim.block_hash ? &*block : context.stream_block(claim.block_hash);
  std::map<Hash32, const codec::Tx*> txs;
  std::map<std::uint64_t, const codec::Deposit*> deposits;
  if (executed) {
    for (const auto& ns : executed->namespaces)
      for (const auto& tx : ns.txs) txs.emplace(tx.id(), &tx);
    for (const auto& d : executed->deposits) deposits.emplace(d.index, &d);
  }

  std::size_t failed = 0;
  auto& b = e.body;
  b.add("height", claim.height).add("block_hash", to_hex(claim.block_hash));
  b.add("pre_root", to_hex(claim.pre_root)).add("post_root", to_hex(claim.post_root));
  b.add("accounts", accounts, fmt::format("{} after the block", accounts));
  auto& list = b.list("receipts");
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    const auto& r = receipts[i];
    failed += r.reason != vm::Reason::none;
    Section s;
    s.compact = true;
    s.heading = fmt::format("{:>3}", i);
    std::string words;
    if (r.type == "deposit") {
      s.add_json("type", "deposit").add_json("index", r.deposit_index);
      auto found = deposits.find(r.deposit_index);
      const std::string what = found == deposits.end()
                                   ? fmt::format("deposit #{}", r.deposit_index)
                                   : fmt::format("deposit #{} of {} to {}", r.deposit_index,
                                                 found->second->amount, brief(found->second->to));
      words = r.reason == vm::Reason::none
                  ? what + ": credited"
                  : fmt::format("{}: failed, {} ({}); refunded to its L1 payer once proven", what,
                                vm::reason_name(r.reason), describe_reason(r.reason));
    } else {
      s.add_json("type", r.type).add_json("tx", to_hex(r.tx));
      auto found = txs.find(r.tx);
      const std::string what =
          found == txs.end() ? fmt::format("{} {}", r.type, brief(r.tx)) : tx_words(*found->second);
      words = r.reason == vm::Reason::none
                  ? what + ": applied"
                  : fmt::format("{}: failed, {} ({})", what, vm::reason_name(r.reason),
                                describe_reason(r.reason));
    }
    s.add_json("status", r.reason == vm::Reason::none ? "ok" : "failed");
    if (r.reason != vm::Reason::none) s.add_json("reason", std::string(vm::reason_name(r.reason)));
    s.add("words", words);
    list.push_back(std::move(s));
  }
  auto& paid = b.list("withdrawals");
  for (const auto& [to, amount] : withdrawals) {
    Section s;
    s.compact = true;
    s.heading = "pays on L1";
    s.add("to", to_hex(to), brief(to)).add("amount", amount);
    paid.push_back(std::move(s));
  }
  e.summary = fmt::format("exec of block {}: {}, {} failed; {} payable on L1 once proven",
                          claim.height, plural(receipts.size(), "receipt", "receipts"), failed,
                          plural(withdrawals.size(), "withdrawal", "withdrawals"));

  if (context.has_contract()) {
    ROLLUP_TRY(check_committed(e, context, claim.height, claim.block_hash, "the block executed"));
    if (block && block->hash == claim.block_hash) {
      const auto config = ROLLUP_TRY(context.config());
      const std::size_t expected =
          block->deposits.size() + vm::rollup_txs(*block, config.namespace_id).size();
      e.check("receipts", receipts.size() == expected,
              fmt::format("{} for the block's {} and {}",
                          plural(receipts.size(), "receipt", "receipts"),
                          plural(block->deposits.size(), "deposit", "deposits"),
                          plural(expected - block->deposits.size(), "tx", "txs")));
    }
    ROLLUP_TRY(check_verified_root(e, context, "pre_root", claim.height - 1, claim.pre_root,
                                   "the pre root"));
    ROLLUP_TRY(check_verified_root(e, context, "post_root", claim.height, claim.post_root,
                                   "the post root"));
  }
  return e;
}

// --- proof ------------------------------------------------------------------------------------

Result<Explanation> explain_proof(const air::ProofLine& line, Context& context) {
  Explanation e;
  e.object = "proof";
  const bool range = line.last_height > line.height;
  const std::string blocks = range ? fmt::format("blocks {}..{}", line.height, line.last_height)
                                   : fmt::format("block {}", line.height);
  auto& b = e.body;
  b.add("height", line.height);
  if (range) b.add("last_height", line.last_height);
  b.add("block_hash", to_hex(line.block_hash));
  b.add("pre_root", to_hex(line.pre_root)).add("post_root", to_hex(line.post_root));
  b.add("pre_keys", keys_json(line.pre_keys), keys_text(line.pre_keys));
  b.add("post_keys", keys_json(line.post_keys), keys_text(line.post_keys));
  b.add("security_bits", line.security_bits)
      .add("size", line.proof.size(), fmt::format("{} bytes", line.proof.size()));
  b.add("prove_ms", line.prove_ms);

  auto decoded = air::decode_proof(line.proof);
  if (!decoded) {
    e.summary = fmt::format("proof of {}: its bytes do not decode", blocks);
    e.check("encoding", false, decoded.error().detail);
    return e;
  }
  const auto& [header, stark_bytes] = *decoded;
  auto stark_proof = stark::deserialize(stark_bytes);
  if (!stark_proof) {
    e.summary = fmt::format("proof of {}: its STARK part does not decode", blocks);
    e.check("encoding", false, stark_proof.error().message);
    return e;
  }
  const auto& params = stark_proof->params;
  const auto shape = ROLLUP_TRY(stark::proof_shape(params));
  e.check(
      "encoding", true,
      "the rollup header and the STARK proof decode exactly (docs/air.md §6, docs/stark.md §8)");

  auto& p = b.group("stark_parameters");
  p.add("blowup", 1u << params.log_blowup).add("queries", params.num_queries);
  p.add("grinding_bits", params.grinding_bits).add("folding_factor", stark::kFoldingFactor);
  p.add("max_remainder", 1u << params.log_max_remainder);
  p.add("trace_length", std::uint64_t{1} << params.log_trace_length,
        fmt::format("2^{} = {} rows", params.log_trace_length,
                    std::uint64_t{1} << params.log_trace_length));
  p.add("trace_width", params.trace_width, fmt::format("{} columns", params.trace_width));
  p.add("composition_segments", params.num_segments);
  p.add("lde_size", shape.lde_size, fmt::format("2^{} = {}", shape.log_lde_size, shape.lde_size));
  p.add("fri_layers", shape.fri_layers).add("remainder_size", shape.remainder_size);
  p.add("security_bits", shape.security_bits,
        fmt::format("{} (conjectured: min({} x {} + {}, {} - {}, {}))", shape.security_bits,
                    params.num_queries, params.log_blowup, params.grinding_bits,
                    stark::kExtensionFieldBits, shape.log_lde_size, stark::kHashCollisionBits));

  // Each section's bytes: the rollup header, then the STARK sections with the queries summed.
  auto& sections = b.list("sections");
  auto section = [&](std::string name, std::size_t offset, std::size_t bytes) {
    Section s;
    s.compact = true;
    s.heading = fmt::format("{:<20}", name);
    s.add_json("name", std::move(name));
    s.add("offset", offset, fmt::format("{:>6}", offset)).add("bytes", bytes);
    sections.push_back(std::move(s));
  };
  const std::size_t header_bytes = line.proof.size() - stark_bytes.size();
  section("rollup_header", 0, header_bytes);
  const auto offsets = stark::proof_sections(params);
  std::size_t query_start = 0, query_count = 0;
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    const std::size_t end = i + 1 < offsets.size() ? offsets[i + 1].second : stark_bytes.size();
    const auto& [name, offset] = offsets[i];
    if (name.starts_with("query")) {
      if (query_count++ == 0) query_start = offset;
      continue;
    }
    section(name, header_bytes + offset, end - offset);
  }
  if (query_count) {
    const std::size_t bytes = stark_bytes.size() - query_start;
    section(fmt::format("queries ({} x {})", query_count, bytes / query_count),
            header_bytes + query_start, bytes);
  }

  auto& inputs = b.group("public_inputs");
  if (context.has_contract()) {
    const auto config = ROLLUP_TRY(context.config());
    inputs.add("chain_id", config.chain_id).add("namespace", config.namespace_id);
  }
  inputs.add("height", line.height);
  if (range) inputs.add("last_height", line.last_height);
  inputs.add("block_hash", to_hex(line.block_hash));
  inputs.add("pre_root", to_hex(line.pre_root)).add("post_root", to_hex(line.post_root));
  inputs.add("pre_keys", keys_json(line.pre_keys), keys_text(line.pre_keys));
  inputs.add("post_keys", keys_json(line.post_keys), keys_text(line.post_keys));
  inputs.add("subtree_depth", header.depth);
  inputs.add("sub_pre_state", digest_hex(header.sub_pre_state))
      .add("sub_post_state", digest_hex(header.sub_post_state));
  inputs.add("sub_pre_keys", digest_hex(header.sub_pre_keys))
      .add("sub_post_keys", digest_hex(header.sub_post_keys));
  auto& claims = inputs.list("receipt_claims");
  for (std::size_t i = 0; i < header.claims.size(); ++i) {
    std::size_t failed = 0;
    for (const auto& c : header.claims[i]) failed += c.reason != vm::Reason::none;
    Section s;
    s.compact = true;
    s.heading = fmt::format("block {}", line.height + i);
    s.add("receipts", header.claims[i].size()).add("failed", failed);
    claims.push_back(std::move(s));
  }

  e.summary = fmt::format("proof of {}: {} bytes, {} bits, {} rows x {} columns, {} queries",
                          blocks, line.proof.size(), shape.security_bits,
                          std::uint64_t{1} << params.log_trace_length, params.trace_width,
                          params.num_queries);
  e.check("security_bits", line.security_bits == shape.security_bits,
          fmt::format("the line claims {}, the parameters give {}", line.security_bits,
                      shape.security_bits));
  const std::uint64_t covered = header.claims.size();
  e.check("block_count", covered == line.last_height - line.height + 1,
          fmt::format("the proof covers {}, the line names {}", plural(covered, "block", "blocks"),
                      plural(line.last_height - line.height + 1, "block", "blocks")));
  if (!context.has_contract()) return e;

  ROLLUP_TRY(check_committed(e, context, line.height, line.block_hash, "the first block proven"));
  auto* verifier = ROLLUP_TRY(context.verifier());
  const auto verdict = ROLLUP_TRY(verifier->verify(line));
  if (verdict.valid)
    e.check("verifies", true,
            fmt::format("the STARK and every claim verify against the committed blocks ({:.1f} ms, "
                        "the check of "
                        "rollup-verify)",
                        verdict.verify_ms));
  else
    e.check("verifies",
            verdict.reason.starts_with("no trusted state") ? Outcome::open : Outcome::fails,
            verdict.reason);
  ROLLUP_TRY(check_verified_root(e, context, "post_root", line.last_height, line.post_root,
                                 "the proven post root"));
  return e;
}

// --- account ----------------------------------------------------------------------------------

Result<Explanation> explain_account(const vm::AccountAnswer& answer, Context& context) {
  Explanation e;
  e.object = "account";
  const auto& a = answer.account;
  const auto& proof = answer.proof;
  auto& b = e.body;
  b.add("pubkey", to_hex(a.key))
      .add("index", proof.index)
      .add("balance", a.balance)
      .add("nonce", a.nonce);
  b.add("leaf", digest_hex(proof.leaf))
      .add("root", digest_hex(answer.root))
      .add("height", answer.height);

  const bool leaf_ok = smt::leaf_digest(a.key, a.balance, a.nonce) == proof.leaf;
  auto& levels = b.list("levels");
  hash::Digest node = proof.leaf;
  for (unsigned level = 0; level < smt::kDepth; ++level) {
    const bool right = (proof.index >> level) & 1;
    const auto& sibling = proof.siblings[level];
    node = right ? hash::merge(sibling, node) : hash::merge(node, sibling);
    const bool empty = sibling == smt::empty_digest(level);
    Section s;
    s.compact = true;
    s.heading = fmt::format("level {:>2}", level);
    s.add_json("level", level);
    s.add("node_is", right ? "right" : "left", right ? "right" : "left ");
    const auto sibling_bytes = hash::digest_bytes(sibling);
    s.add("sibling", to_hex(sibling_bytes), empty ? "empty              " : brief(sibling_bytes));
    s.add_json("sibling_empty", empty);
    const auto node_bytes = hash::digest_bytes(node);
    s.add("parent", to_hex(node_bytes), brief(node_bytes));
    levels.push_back(std::move(s));
  }
  const bool reaches = node == answer.root;
  e.summary = fmt::format("account {} (index {}): balance {}, nonce {}, at height {}", brief(a.key),
                          proof.index, a.balance, a.nonce, answer.height);
  e.check("leaf", leaf_ok,
          leaf_ok ? "the leaf is the hash of the key, balance and nonce"
                  : "the leaf is not the hash of the key, balance and nonce");
  e.check("path", reaches,
          reaches ? "the leaf and the 32 siblings hash up to the root"
                  : "the leaf and the siblings hash to " + digest_hex(node) + ", not the root");
  if (!context.has_contract()) return e;
  const auto verdict = ROLLUP_TRY(vm::check_against_contract(context.contract(), answer));
  if (!verdict.contract_root)
    e.check("contract_root", Outcome::open, verdict.reason);
  else
    e.check("contract_root", verdict.valid,
            verdict.valid ? fmt::format("the root is the one the contract verified at height {}",
                                        answer.height)
                          : verdict.reason);
  return e;
}

// --- verdict ----------------------------------------------------------------------------------

Result<Explanation> explain_verdict(const codec::Json& object, Context& context) {
  codec::FieldReader f(object, "verdict");
  ROLLUP_TRY(f.string("kind"));
  ROLLUP_TRY(f.u53("v"));
  const auto height = ROLLUP_TRY(f.u53("height", 1));
  std::uint64_t last_height = height;
  if (f.has("last_height")) last_height = ROLLUP_TRY(f.u53("last_height", height + 1));
  f.allow("valid");
  if (!object.contains("valid") || !object["valid"].is_boolean())
    return std::unexpected(f.error("valid", "must be true or false"));
  const bool valid = object["valid"].get<bool>();
  const auto bits = ROLLUP_TRY(f.u53("security_bits"));
  f.allow("verify_ms");
  if (!object.contains("verify_ms") || !object["verify_ms"].is_number() ||
      object["verify_ms"].get<double>() < 0)
    return std::unexpected(f.error("verify_ms", "must be a number of milliseconds"));
  const double verify_ms = object["verify_ms"].get<double>();
  std::string reason;
  if (f.has("reason")) reason = ROLLUP_TRY(f.string("reason"));
  ROLLUP_TRY(f.finish());
  if (valid == !reason.empty())
    return std::unexpected(f.error(
        "reason", valid ? "a valid verdict has no reason" : "an invalid verdict needs one"));

  Explanation e;
  e.object = "verdict";
  const std::string blocks = last_height > height
                                 ? fmt::format("blocks {}..{}", height, last_height)
                                 : fmt::format("block {}", height);
  e.summary = valid
                  ? fmt::format("verdict on the proof of {}: valid, {} bits, checked in {:.2f} ms",
                                blocks, bits, verify_ms)
                  : fmt::format("verdict on the proof of {}: invalid, {}", blocks, reason);
  e.body.add("height", height);
  if (last_height > height) e.body.add("last_height", last_height);
  e.body.add("valid", valid).add("security_bits", bits).add("verify_ms", verify_ms);
  if (!valid) e.body.add("reason", reason);
  e.check(
      "valid", valid,
      valid ? "rollup-verify accepted the proof" : "rollup-verify refused the proof: " + reason);
  if (context.has_contract()) {
    auto record = ROLLUP_TRY(context.root_at(last_height));
    if (record)
      e.check("contract_root", Outcome::holds,
              fmt::format("the contract verified root {} at height {}", to_hex(record->root),
                          last_height));
    else
      e.check("contract_root", Outcome::open,
              fmt::format("the contract holds no verified root at height {} (yet)", last_height));
  }
  return e;
}

// --- l1.receipt -------------------------------------------------------------------------------

Result<Explanation> explain_l1_receipt(const codec::Json& object, Context& context) {
  codec::FieldReader f(object, "l1.receipt");
  ROLLUP_TRY(f.string("kind"));
  ROLLUP_TRY(f.u53("v"));
  const std::string what = ROLLUP_TRY(f.string("what"));
  Explanation e;
  e.object = "l1.receipt";
  auto& b = e.body;
  b.add("what", what);
  if (what == "proof") {
    const auto height = ROLLUP_TRY(f.u53("height"));
    const auto root = ROLLUP_TRY(f.hex_fixed<32>("root"));
    const auto status = ROLLUP_TRY(f.string("status"));
    ROLLUP_TRY(f.finish());
    b.add("height", height).add("root", to_hex(root)).add("status", status);
    e.summary =
        fmt::format("the contract {} the root {} at height {}", status, brief(root), height);
    if (context.has_contract())
      ROLLUP_TRY(
          check_verified_root(e, context, "contract_root", height, root, "the receipt's root"));
  } else if (what == "deposit") {
    codec::Deposit d;
    d.index = ROLLUP_TRY(f.u53("index"));
    d.from = ROLLUP_TRY(f.key("from"));
    d.to = ROLLUP_TRY(f.key("to"));
    d.amount = ROLLUP_TRY(f.u53("amount", 1));
    const auto due_at = ROLLUP_TRY(f.u53("due_at"));
    ROLLUP_TRY(f.finish());
    b.add("index", d.index)
        .add("from", to_hex(d.from))
        .add("to", to_hex(d.to))
        .add("amount", d.amount);
    b.add(
        "due_at", due_at,
        fmt::format("{} ({}): a block must consume it by then", due_at, utc_of_ms(due_at * 1000)));
    e.summary = fmt::format("deposit #{}: {} from L1 account {} to L2 account {}", d.index,
                            d.amount, brief(d.from), brief(d.to));
    if (context.has_contract()) {
      auto queued = ROLLUP_TRY(context.contract().deposits_from(d.index, 1));
      const bool same = queued.size() == 1 && queued[0].deposit == d && queued[0].due_at == due_at;
      e.check("queued", same,
              same ? fmt::format("entry {} of the contract's deposit queue", d.index)
                   : fmt::format("the contract's queue holds no such entry at index {}", d.index));
    }
  } else if (what == "claim" || what == "exit") {
    const auto account = ROLLUP_TRY(f.key("account"));
    const auto amount = ROLLUP_TRY(f.u53("amount"));
    ROLLUP_TRY(f.finish());
    b.add("account", to_hex(account)).add("amount", amount);
    e.summary = what == "claim" ? fmt::format("claim: {} of payable withdrawals paid on L1 to {}",
                                              amount, brief(account))
                                : fmt::format("exit: an L2 balance of {} paid on L1 to {}", amount,
                                              brief(account));
  } else {
    return std::unexpected(f.error("what", "must be proof, deposit, claim or exit"));
  }
  return e;
}

// --- dispatch and stored items ----------------------------------------------------------------

Result<Explanation> explain_object(const codec::Json& object, Context& context) {
  const std::string kind = codec::kind_of(object);
  if (kind == "tx") return explain_tx(ROLLUP_TRY(codec::parse_tx(object)), context);
  if (kind == "block") return explain_block(ROLLUP_TRY(codec::parse_block(object)), context);
  if (kind == "exec") return explain_exec(object, context);
  if (kind == "proof") return explain_proof(ROLLUP_TRY(air::parse_proof_line(object)), context);
  if (kind == "account") return explain_account(ROLLUP_TRY(vm::parse_account(object)), context);
  if (kind == "verdict") return explain_verdict(object, context);
  if (kind == "l1.receipt") return explain_l1_receipt(object, context);
  return fail(Errc::bad_input,
              fmt::format("kind \"{}\" is not one rollup-inspect explains (tx, block, exec, proof, "
                          "account, verdict, l1.receipt)",
                          kind));
}

Result<Explanation> explain_stored_block(Context& context, std::uint64_t height) {
  auto stored = ROLLUP_TRY(context.contract().block_at(height));
  if (!stored)
    return fail(Errc::rejected,
                fmt::format("the contract holds no block at height {} (its height is {})", height,
                            ROLLUP_TRY(context.contract().height())));
  auto block = ROLLUP_TRY(context.committed_block(height));
  auto e = ROLLUP_TRY(explain_block(*block, context));
  e.body.add("record", to_hex(stored->record),
             to_hex(stored->record) + " (the contract's record chain)");
  return e;
}

Result<Explanation> explain_stored_proof(Context& context, std::uint64_t height) {
  air::ProofStore store(context.db());
  auto line = ROLLUP_TRY(store.get(height));
  if (!line) line = ROLLUP_TRY(store.get_ending(height));
  if (!line)
    return fail(Errc::rejected,
                fmt::format("no stored proof covers height {} (rollup-prove stores them)", height));
  return explain_proof(*line, context);
}

Result<Explanation> explain_stored_account(Context& context, const std::optional<PublicKey>& key,
                                           std::optional<std::uint64_t> index,
                                           std::optional<std::uint64_t> height) {
  auto latest = vm::query_account(context.db(), key, index);
  if (!latest && (!height || latest.error().code != Errc::rejected))
    return std::unexpected(latest.error());
  if (latest && (!height || *height == latest->height)) return explain_account(*latest, context);
  auto answer = ROLLUP_TRY(vm::query_account_at(context.db(), context.contract(), key, index,
                                                *height, context.threads()));
  return explain_account(answer, context);
}

}  // namespace rollup::inspect
