#include "codec/objects.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "crypto/crypto.hpp"

namespace rollup::codec {

namespace {
constexpr std::string_view kTxTag = "rollup-tools:tx:v2";
constexpr std::string_view kTx40Tag = "rollup-tools:tx:v3";
constexpr std::string_view kTxIdTag = "rollup-tools:txid:v1";
constexpr std::string_view kTxListTag = "rollup-tools:txlist:v1";
constexpr std::string_view kDepositsTag = "rollup-tools:deposits:v1";
// A deposit list with a key that is not 32 bytes: each key is preceded by its length.
constexpr std::string_view kDeposits2Tag = "rollup-tools:deposits:v2";
constexpr std::string_view kBlockTag = "rollup-tools:block:v1";
constexpr std::string_view kSharedBlockTag = "rollup-tools:block:v2";
// The tags of a block whose fee recipient is a 40-byte key (an ECgFp5 rollup's account); the
// same lengths as kBlockTag and kSharedBlockTag, so the tag says the layout.
constexpr std::string_view kBlockFee40Tag = "rollup-tools:block:w1";
constexpr std::string_view kSharedBlockFee40Tag = "rollup-tools:block:w2";

// An account key field whose bytes some scheme takes (crypto::check_key_encoding).
Result<PublicKey> encoded_key(FieldReader& f, const char* name) {
  auto key = ROLLUP_TRY(f.key(name));
  if (auto ok = crypto::check_key_encoding(key, name); !ok) return std::unexpected(f.error(name, ok.error().message));
  return key;
}

}  // namespace

std::string_view tx_type_name(TxType t) { return t == TxType::transfer ? "transfer" : "withdraw"; }

std::string_view Tx::signing_tag(std::size_t key_size) {
  return key_size == PublicKey{}.size() ? kTxTag : kTx40Tag;
}

Bytes Tx::signing_message() const {
  ByteWriter w(signing_tag(from.size()));
  w.u64(chain_id).u32(namespace_id).u8(static_cast<std::uint8_t>(type)).raw(from);
  w.raw(type == TxType::transfer ? to : PublicKey::zero(from.size()));
  w.u64(amount).u64(fee).u64(nonce);
  return w.take();
}

Hash32 Tx::id() const {
  crypto::Blake2b h;
  h.update(kTxIdTag).update(signing_message()).update(sig);
  return h.finish();
}

Hash32 tx_list_hash(const std::vector<Tx>& txs) {
  std::vector<Hash32> ids;
  ids.reserve(txs.size());
  for (const auto& tx : txs) ids.push_back(tx.id());
  return tx_list_hash_of_ids(ids);
}

Hash32 tx_list_hash_of_ids(std::span<const Hash32> tx_ids) {
  crypto::Blake2b h;
  h.update(kTxListTag).update(ByteWriter().u64(tx_ids.size()).bytes());
  for (const auto& id : tx_ids) h.update(id);
  return h.finish();
}

Hash32 deposits_hash(const std::vector<Deposit>& deposits) {
  const bool all_narrow = std::all_of(deposits.begin(), deposits.end(), [](const Deposit& d) {
    return d.from.size() == PublicKey{}.size() && d.to.size() == PublicKey{}.size();
  });
  ByteWriter w(all_narrow ? kDepositsTag : kDeposits2Tag);
  w.u64(deposits.size());
  for (const auto& d : deposits) {
    w.u64(d.index);
    if (!all_narrow) w.u8(static_cast<std::uint8_t>(d.from.size()));
    w.raw(d.from);
    if (!all_narrow) w.u8(static_cast<std::uint8_t>(d.to.size()));
    w.raw(d.to).u64(d.amount);
  }
  return crypto::blake2b256(w.bytes());
}

Hash32 Block::compute_hash() const {
  const bool shared = version == kSharedBlockFormatVersion;
  const bool wide_fee = fee_recipient.size() != PublicKey{}.size();
  ByteWriter w(shared ? (wide_fee ? kSharedBlockFee40Tag : kSharedBlockTag) : (wide_fee ? kBlockFee40Tag : kBlockTag));
  w.u32(version).u64(height).raw(parent).u64(timestamp).raw(sequencer).raw(fee_recipient);
  w.u32(static_cast<std::uint32_t>(namespaces.size()));
  for (const auto& ns : namespaces) {
    w.u32(ns.id).raw(ns.tx_hash);
    if (shared) w.u64(ns.deposit_first).u64(ns.deposits.size()).raw(deposits_hash(ns.deposits));
  }
  if (!shared) w.u64(deposit_first).u64(deposits.size()).raw(deposits_hash(deposits));
  return crypto::blake2b256(w.bytes());
}

const NamespaceTxs* Block::find_namespace(std::uint32_t id) const {
  for (const auto& ns : namespaces)
    if (ns.id == id) return &ns;
  return nullptr;
}

DepositRange Block::deposits_of(std::uint32_t id) const {
  if (version != kSharedBlockFormatVersion) return DepositRange{deposit_first, deposits};
  const NamespaceTxs* ns = find_namespace(id);
  if (ns == nullptr) return DepositRange{};
  return DepositRange{ns->deposit_first, ns->deposits};
}

std::size_t Block::deposit_count() const {
  if (version != kSharedBlockFormatVersion) return deposits.size();
  std::size_t count = 0;
  for (const auto& ns : namespaces) count += ns.deposits.size();
  return count;
}

Result<Tx> parse_tx(const Json& object, const std::string& context) {
  if (!object.is_object()) return fail(Errc::bad_input, context + ": must be an object");
  FieldReader f(object, context);
  Tx tx;
  auto kind = ROLLUP_TRY(f.string("kind"));
  if (kind != "tx") return std::unexpected(f.error("kind", "expected \"tx\", got \"" + kind + "\""));
  auto v = ROLLUP_TRY(f.u53("v"));
  if (v == 1)
    return std::unexpected(f.error("v", "version 1 txs are no longer accepted (they do not sign "
                                        "the namespace): sign it again with rollup-tx"));
  if (v != kTxFormatVersion) return std::unexpected(f.error("v", "unsupported version"));
  auto type = ROLLUP_TRY(f.string("type"));
  if (type == "transfer") {
    tx.type = TxType::transfer;
  } else if (type == "withdraw") {
    tx.type = TxType::withdraw;
  } else {
    return std::unexpected(f.error("type", "must be \"transfer\" or \"withdraw\""));
  }
  tx.chain_id = ROLLUP_TRY(f.u53("chain_id"));
  auto namespace_id = ROLLUP_TRY(f.u53("namespace"));
  if (namespace_id > 0xFFFFFFFFu)
    return std::unexpected(f.error("namespace", "must fit in 32 bits"));
  tx.namespace_id = static_cast<std::uint32_t>(namespace_id);
  tx.from = ROLLUP_TRY(encoded_key(f, "from"));
  const auto scheme = *crypto::scheme_of_key(tx.from);
  if (tx.type == TxType::transfer) {
    tx.to = ROLLUP_TRY(f.key("to"));
    if (auto ok = crypto::check_key_scheme(scheme, tx.to, "to"); !ok)
      return std::unexpected(f.error("to", "must be a key of the same scheme as from (" +
                                               std::string(crypto::scheme_name(scheme)) + ")"));
    if (auto ok = crypto::check_key_encoding(tx.to, "to"); !ok)
      return std::unexpected(f.error("to", ok.error().message));
  }
  tx.amount = ROLLUP_TRY(f.u53("amount", 1));
  tx.fee = ROLLUP_TRY(f.u53("fee"));
  tx.nonce = ROLLUP_TRY(f.u53("nonce"));
  tx.sig = ROLLUP_TRY(f.signature("sig"));
  if (tx.sig.size() != crypto::signature_size(scheme))
    return std::unexpected(f.error("sig", "an " + std::string(crypto::scheme_name(scheme)) + " signature is " +
                                              std::to_string(crypto::signature_size(scheme)) + " bytes, got " +
                                              std::to_string(tx.sig.size())));
  ROLLUP_TRY(f.finish());
  return tx;
}

namespace {
Result<Deposit> parse_deposit(const Json& object, const std::string& context) {
  if (!object.is_object()) return fail(Errc::bad_input, context + ": must be an object");
  FieldReader f(object, context);
  Deposit d;
  d.index = ROLLUP_TRY(f.u53("index"));
  d.from = ROLLUP_TRY(encoded_key(f, "from"));
  d.to = ROLLUP_TRY(encoded_key(f, "to"));
  d.amount = ROLLUP_TRY(f.u53("amount", 1));
  ROLLUP_TRY(f.finish());
  return d;
}

/// `deposit_first` and `deposits` of a block (version 1) or of a namespace entry (version 2).
Status parse_deposit_list(FieldReader& f, const std::string& context, std::uint64_t& first,
                          std::vector<Deposit>& out) {
  first = ROLLUP_TRY(f.u53("deposit_first"));
  auto deposits = ROLLUP_TRY(f.array("deposits"));
  for (std::size_t i = 0; i < deposits->size(); ++i) {
    const std::string at = context + ".deposits[" + std::to_string(i) + "]";
    auto d = ROLLUP_TRY(parse_deposit((*deposits)[i], at));
    if (d.index != first + i)
      return fail(Errc::bad_input, at + ".index: deposits must be consecutive from deposit_first");
    out.push_back(d);
  }
  return {};
}

void write_deposit_list(std::string& out, std::uint64_t first,
                        const std::vector<Deposit>& deposits) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"("deposit_first":{},"deposits":[)", first);
  for (std::size_t i = 0; i < deposits.size(); ++i) {
    const auto& d = deposits[i];
    fmt::format_to(it, R"({}{{"index":{},"from":"{}","to":"{}","amount":{}}})", i ? "," : "",
                   d.index, to_hex(d.from), to_hex(d.to), d.amount);
  }
  out += ']';
}
}  // namespace

Result<Block> parse_block(const Json& object) {
  FieldReader f(object, "block");
  Block b;
  auto kind = ROLLUP_TRY(f.string("kind"));
  if (kind != "block") return std::unexpected(f.error("kind", "expected \"block\""));
  auto v = ROLLUP_TRY(f.u53("v"));
  if (v != kBlockFormatVersion && v != kSharedBlockFormatVersion)
    return std::unexpected(f.error("v", "unsupported version"));
  b.version = static_cast<std::uint32_t>(v);
  const bool shared = b.version == kSharedBlockFormatVersion;
  b.height = ROLLUP_TRY(f.u53("height", 1));
  b.parent = ROLLUP_TRY(f.hex_fixed<32>("parent"));
  b.timestamp = ROLLUP_TRY(f.u53("timestamp"));
  b.sequencer = ROLLUP_TRY(f.hex_fixed<32>("sequencer"));
  b.fee_recipient = ROLLUP_TRY(encoded_key(f, "fee_recipient"));

  auto namespaces = ROLLUP_TRY(f.array("namespaces"));
  for (std::size_t i = 0; i < namespaces->size(); ++i) {
    const Json& ns_json = (*namespaces)[i];
    std::string ctx = "block.namespaces[" + std::to_string(i) + "]";
    if (!ns_json.is_object()) return fail(Errc::bad_input, ctx + ": must be an object");
    FieldReader nf(ns_json, ctx);
    NamespaceTxs ns;
    auto id = ROLLUP_TRY(nf.u53("id"));
    if (id > 0xFFFFFFFFu) return std::unexpected(nf.error("id", "must fit in 32 bits"));
    ns.id = static_cast<std::uint32_t>(id);
    if (!b.namespaces.empty() && ns.id <= b.namespaces.back().id)
      return std::unexpected(nf.error("id", "namespace ids must be ascending and unique"));
    ns.tx_hash = ROLLUP_TRY(nf.hex_fixed<32>("tx_hash"));
    auto txs = ROLLUP_TRY(nf.array("txs"));
    ns.txs.reserve(txs->size());
    for (std::size_t t = 0; t < txs->size(); ++t) {
      ns.txs.push_back(ROLLUP_TRY(parse_tx((*txs)[t], ctx + ".txs[" + std::to_string(t) + "]")));
    }
    // A tx of the entry must be signed for its namespace: in a shared block each rollup takes
    // only its entry, and a tx filed under another id would be one rollup's tx in another's list.
    if (shared) {
      for (std::size_t t = 0; t < ns.txs.size(); ++t)
        if (ns.txs[t].namespace_id != ns.id)
          return fail(Errc::bad_input,
                      fmt::format("{}.txs[{}].namespace: {} is not the entry's namespace {}", ctx,
                                  t, ns.txs[t].namespace_id, ns.id));
      ROLLUP_TRY(parse_deposit_list(nf, ctx, ns.deposit_first, ns.deposits));
    }
    ROLLUP_TRY(nf.finish());
    if (tx_list_hash(ns.txs) != ns.tx_hash)
      return std::unexpected(nf.error("tx_hash", "does not match the namespace's txs"));
    b.namespaces.push_back(std::move(ns));
  }

  if (!shared) ROLLUP_TRY(parse_deposit_list(f, "block", b.deposit_first, b.deposits));
  b.hash = ROLLUP_TRY(f.hex_fixed<32>("hash"));
  b.sig = ROLLUP_TRY(f.hex_fixed<64>("sig"));
  f.allow("l1");
  ROLLUP_TRY(f.finish());
  if (b.compute_hash() != b.hash)
    return std::unexpected(f.error("hash", "does not match the block's contents"));
  return b;
}

std::string to_json(const Tx& tx) {
  // Written by hand: the sequencer emits every tx it batches, and this is its hot path.
  std::string out;
  out.reserve(420);
  fmt::format_to(std::back_inserter(out),
                 R"({{"kind":"tx","v":{},"type":"{}","chain_id":{},"namespace":{},"from":"{}")",
                 kTxFormatVersion, tx_type_name(tx.type), tx.chain_id, tx.namespace_id,
                 to_hex(tx.from));
  if (tx.type == TxType::transfer) fmt::format_to(std::back_inserter(out), R"(,"to":"{}")", to_hex(tx.to));
  fmt::format_to(std::back_inserter(out), R"(,"amount":{},"fee":{},"nonce":{},"sig":"{}"}})",
                 tx.amount, tx.fee, tx.nonce, to_hex(tx.sig));
  return out;
}

Json deposit_to_json(const Deposit& d) {
  return Json{{"index", d.index}, {"from", to_hex(d.from)}, {"to", to_hex(d.to)}, {"amount", d.amount}};
}

std::string to_json(const Block& b, std::string_view l1_annotation) {
  std::string out;
  std::size_t txs = 0;
  for (const auto& ns : b.namespaces) txs += ns.txs.size();
  out.reserve(512 + 420 * txs);
  auto it = std::back_inserter(out);
  const bool shared = b.version == kSharedBlockFormatVersion;
  fmt::format_to(
      it,
      R"({{"kind":"block","v":{},"height":{},"parent":"{}","timestamp":{},"sequencer":"{}","fee_recipient":"{}","namespaces":[)",
      b.version, b.height, to_hex(b.parent), b.timestamp, to_hex(b.sequencer),
      to_hex(b.fee_recipient));
  for (std::size_t i = 0; i < b.namespaces.size(); ++i) {
    const auto& ns = b.namespaces[i];
    fmt::format_to(it, R"({}{{"id":{},"tx_hash":"{}","txs":[)", i ? "," : "", ns.id, to_hex(ns.tx_hash));
    for (std::size_t t = 0; t < ns.txs.size(); ++t) {
      if (t) out += ',';
      out += to_json(ns.txs[t]);
    }
    out += ']';
    if (shared) {
      out += ',';
      write_deposit_list(out, ns.deposit_first, ns.deposits);
    }
    out += '}';
  }
  out += "],";
  if (!shared) {
    write_deposit_list(out, b.deposit_first, b.deposits);
    out += ',';
  }
  fmt::format_to(it, R"("hash":"{}","sig":"{}")", to_hex(b.hash), to_hex(b.sig));
  if (!l1_annotation.empty()) fmt::format_to(it, R"(,"l1":{})", l1_annotation);
  out += '}';
  return out;
}

}  // namespace rollup::codec
