#pragma once
// The stream objects `tx` and `block` (docs/formats.md): their fields, strict parsing, JSON
// output and the canonical binary encodings that are hashed and signed.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/fields.hpp"
#include "core/bytes.hpp"

namespace rollup::codec {

/// A block of version 1 carries one deposit list, that of whichever rollup commits it; a block of
/// version 2 (a shared sequencer's, docs/design.md §5) carries a deposit list per namespace, so
/// that one signed block can serve several rollups, each with its own deposit queue.
inline constexpr std::uint32_t kBlockFormatVersion = 1;
inline constexpr std::uint32_t kSharedBlockFormatVersion = 2;

enum class TxType : std::uint8_t { transfer = 1, withdraw = 2 };
std::string_view tx_type_name(TxType t);

struct Tx {
  TxType type = TxType::transfer;
  std::uint64_t chain_id = 0;
  std::uint32_t namespace_id = 0;  ///< the rollup it is signed for, with `chain_id`
  PublicKey from{};
  PublicKey to{};  ///< PublicKey{} for a withdraw (signed as the zero key of from's length)
  std::uint64_t amount = 0;
  std::uint64_t fee = 0;
  std::uint64_t nonce = 0;
  Signature sig{};

  /// The bytes the sender signs: domain tag, chain id, namespace and every field but the
  /// signature. The tag says the keys' length: "rollup-tools:tx:v2" for 32-byte (Ed25519) keys,
  /// "rollup-tools:tx:v3" for 40-byte (ECgFp5) keys (docs/formats.md).
  Bytes signing_message() const;
  /// The tag that opens the signing message of a tx whose keys are `key_size` bytes:
  /// "rollup-tools:tx:v2" for 32, "rollup-tools:tx:v3" for 40. Both are 18 bytes, so the tag
  /// alone says which layout follows.
  static std::string_view signing_tag(std::size_t key_size);
  /// H(tag || signing message || sig): names the tx in receipts and tx lists.
  Hash32 id() const;
  /// Size of an Ed25519 tx's canonical signed encoding plus signature.
  static constexpr std::size_t kEncodedSize = 18 + 8 + 4 + 1 + 32 + 32 + 8 + 8 + 8 + 64;
  /// The same for an ECgFp5 tx: 40-byte keys, an 80-byte signature.
  static constexpr std::size_t kEcgfp5EncodedSize = 18 + 8 + 4 + 1 + 40 + 40 + 8 + 8 + 8 + 80;
};

struct Deposit {
  std::uint64_t index = 0;
  PublicKey from{};  ///< the L1 account that paid
  PublicKey to{};    ///< the L2 account credited
  std::uint64_t amount = 0;
  bool operator==(const Deposit&) const = default;
};

struct NamespaceTxs {
  std::uint32_t id = 0;
  Hash32 tx_hash{};
  std::vector<Tx> txs;
  /// Version 2 blocks only: the deposits of this namespace's rollup that the block consumes,
  /// consecutive entries of that rollup's queue from `deposit_first`.
  std::uint64_t deposit_first = 0;
  std::vector<Deposit> deposits{};
  std::uint64_t deposit_end() const { return deposit_first + deposits.size(); }
};

/// The deposits a block has one rollup consume.
struct DepositRange {
  /// Where the block says the rollup's queue stands; nullopt when it does not say (a version 2
  /// block without the rollup's namespace), and then it consumes none.
  std::optional<std::uint64_t> first;
  std::span<const Deposit> deposits;
};

struct Block {
  std::uint32_t version = kBlockFormatVersion;
  std::uint64_t height = 0;
  Hash32 parent{};
  std::uint64_t timestamp = 0;
  PublicKey sequencer{};
  PublicKey fee_recipient{};
  std::vector<NamespaceTxs> namespaces;
  /// Version 1 blocks only (a version 2 block keeps its deposits in its namespaces).
  std::uint64_t deposit_first = 0;
  std::vector<Deposit> deposits;
  Hash32 hash{};
  Signature sig{};

  Hash32 compute_hash() const;
  /// The txs of namespace `id`, or nullptr when the block carries none for it.
  const NamespaceTxs* find_namespace(std::uint32_t id) const;
  std::uint64_t deposit_end() const { return deposit_first + deposits.size(); }
  /// What the rollup of namespace `id` consumes of its deposit queue: in a version 1 block the
  /// block's own list, whatever the namespace; in a version 2 block that namespace's list.
  DepositRange deposits_of(std::uint32_t id) const;
  /// Every deposit the block carries, for all rollups (a count for limits and summaries).
  std::size_t deposit_count() const;
};

Hash32 tx_list_hash(const std::vector<Tx>& txs);
/// The same hash from the txs' ids (Tx::id, in order), for a caller that needs them too.
Hash32 tx_list_hash_of_ids(std::span<const Hash32> tx_ids);
Hash32 deposits_hash(const std::vector<Deposit>& deposits);

/// Parses a `tx` object; checks types, ranges (amount 1..2^53-1) and hex lengths, not the
/// signature (that is the executor's STF rule: a bad signature is a failed receipt).
Result<Tx> parse_tx(const Json& object, const std::string& context = "tx");
/// The same as parse_stream_object + parse_tx for a plain, valid tx line, much faster; nullopt
/// means "not decided here": take the general path, which also gives the diagnostics.
std::optional<Tx> parse_tx_line_fast(std::string_view line);

/// Parses a `block` object and checks that its tx-list hashes, deposit indices and block hash
/// agree with its contents. The sequencer's signature is the contract's to check.
Result<Block> parse_block(const Json& object);

std::string to_json(const Tx& tx);
/// A block line; with `l1_annotation` (the JSON text of the contract's receipt) it gains "l1".
std::string to_json(const Block& block, std::string_view l1_annotation = {});
Json deposit_to_json(const Deposit& d);

}  // namespace rollup::codec
