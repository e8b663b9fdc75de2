#pragma once
// Explanations of the rollup's stream objects and stored items (rollup-inspect): a block, a
// proof, an exec line, an account proof, a tx, a verdict, each in words and figures, with what
// inspect recomputes itself as checks. Given the state file, the checks go on to the contract:
// the sequencer it registered, the blocks it committed, the roots it verified.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include "air/block_proof.hpp"
#include "air/session.hpp"
#include "codec/objects.hpp"
#include "inspect/explanation.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"
#include "vm/query.hpp"

namespace rollup::inspect {

/// What explanations may consult besides the object itself. Without a state file only the
/// object's own content is checked (a block's signature against the key it names, a tx's against
/// its sender, an account path against the root it names).
class Context {
 public:
  Context() = default;
  /// Checks also against the contract in `db`; both outlive the context.
  Context(store::Db& db, l1::Contract& contract, unsigned threads = 1);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  bool has_contract() const { return contract_ != nullptr; }
  l1::Contract& contract() { return *contract_; }
  store::Db& db() { return *db_; }
  unsigned threads() const { return threads_; }
  /// The contract's configuration, read once.
  Result<l1::Config> config();
  /// The root the contract verified at `height`, if it holds one there.
  Result<std::optional<l1::RootRecord>> root_at(std::uint64_t height);
  /// The committed block at `height`, parsed, if any.
  Result<std::optional<codec::Block>> committed_block(std::uint64_t height);
  /// A block seen earlier on the stream, so an exec line after it reads its receipts in words
  /// without a state file. The last kRememberedBlocks are kept.
  void remember_block(const codec::Block& block);
  const codec::Block* stream_block(const Hash32& hash) const;
  static constexpr std::size_t kRememberedBlocks = 64;
  /// One verifier for the whole run, so that a proof verified on an earlier line is trusted as
  /// the pre-state of the next one, as rollup-verify does.
  Result<air::VerifierSession*> verifier();

 private:
  store::Db* db_ = nullptr;
  l1::Contract* contract_ = nullptr;
  unsigned threads_ = 1;
  std::optional<l1::Config> config_;
  std::unique_ptr<air::VerifierSession> verifier_;
  std::deque<codec::Block> stream_blocks_;
};

/// Explains one stream object (parsed by codec::parse_stream_object) by its kind: tx, block,
/// exec, proof, account, verdict or l1.receipt. Bad input (Errc::bad_input, naming the field) for
/// an object that breaks its format or a kind that is not one of these.
Result<Explanation> explain_object(const codec::Json& object, Context& context);

Result<Explanation> explain_tx(const codec::Tx& tx, Context& context);
Result<Explanation> explain_block(const codec::Block& block, Context& context);
/// An exec line (docs/formats.md), its receipts in words.
Result<Explanation> explain_exec(const codec::Json& object, Context& context);
Result<Explanation> explain_proof(const air::ProofLine& proof, Context& context);
Result<Explanation> explain_account(const vm::AccountAnswer& answer, Context& context);
Result<Explanation> explain_verdict(const codec::Json& object, Context& context);
/// The contract's receipts (rollup-submit, rollup-l1): a verified root, a deposit, a claim, an
/// exit.
Result<Explanation> explain_l1_receipt(const codec::Json& object, Context& context);

/// Stored items, read through the contract and the prover's store. Errc::rejected when there is
/// no such item (as rollup-query answers for a missing account).
Result<Explanation> explain_stored_block(Context& context, std::uint64_t height);
/// The stored proof that starts at `height`, else the one that ends there.
Result<Explanation> explain_stored_proof(Context& context, std::uint64_t height);
/// The account as rollup-query answers it: at the executor's height, or at `height`.
Result<Explanation> explain_stored_account(Context& context, const std::optional<PublicKey>& key,
                                           std::optional<std::uint64_t> index,
                                           std::optional<std::uint64_t> height);

/// The signed message of a tx cut into its fields (docs/formats.md, "tx"): offset, length, name.
struct MessageField {
  std::size_t offset = 0;
  std::size_t length = 0;
  const char* name = "";
};
/// For keys of `key_size` bytes: 32 (version 2, Ed25519) or 40 (version 3, ECgFp5).
std::vector<MessageField> tx_message_layout(std::size_t key_size = 32);

/// What a failed receipt's reason means, in words.
std::string_view describe_reason(vm::Reason reason);

}  // namespace rollup::inspect
