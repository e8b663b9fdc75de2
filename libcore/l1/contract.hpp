#pragma once
// The rollup contract on L1 (docs/design.md §2, §9): the source of truth for block order and data,
// the deposit queue with forced-inclusion deadlines, and the roots of the state. Backends
// implement one interface: the embedded contract keeps its ledger in the state file's l1_* tables;
// a devnet backend can be added behind the same interface.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <functional>
#include <span>

#include "codec/objects.hpp"
#include "smt/key_set.hpp"
#include "smt/tree.hpp"
#include "core/bytes.hpp"

namespace rollup::store {
class Db;
}

namespace rollup::l1 {

struct Config {
  std::uint64_t chain_id = 0;
  std::uint32_t namespace_id = 0;
  PublicKey sequencer{};
  Hash32 genesis_root{};
  /// A deposit enqueued at committed height H must be consumed by a block at height <= H + this.
  std::uint64_t deposit_deadline = 0;
  bool frozen = false;
  std::string frozen_reason;
};

struct GenesisAccount {
  PublicKey key{};
  std::uint64_t balance = 0;
};

struct StoredBlock {
  std::uint64_t height = 0;
  Hash32 hash{};
  Hash32 parent{};
  Hash32 record{};  ///< the hash chain of stored-block records (docs/formats.md)
  std::uint64_t deposit_first = 0;
  std::uint64_t deposit_count = 0;
  std::string body;  ///< the block line as committed, without the "l1" annotation
};

struct QueuedDeposit {
  codec::Deposit deposit;
  std::uint64_t deadline = 0;
};

struct RootRecord {
  std::uint64_t height = 0;  ///< 0 is the genesis root
  Hash32 root{};
  smt::KeySetCommitment keys;  ///< the key set after this height (docs/air.md §2)
};

/// What a proof submission claims: the block at `height` takes the state from pre to post root;
/// a range proof (docs/air.md §13): the blocks at `height` .. `last_height` do.
struct ProofClaim {
  std::uint64_t height = 0;
  Hash32 block_hash{};  ///< the block at `height`
  Hash32 pre_root{};
  Hash32 post_root{};
  smt::KeySetCommitment pre_keys;  ///< filled in by the contract from its last verified root
  std::uint64_t last_height = 0;  ///< a range's last block; 0 (or `height`): one block
};

/// What a verified proof makes happen on L1: the block's withdrawals become payable and its
/// failed deposits are refunded to their L1 payers.
struct ProvenEffects {
  std::vector<std::pair<PublicKey, std::uint64_t>> withdrawals;
  /// The height of each withdrawal's block (a range proof); empty: all at the claim's height.
  std::vector<std::uint64_t> withdrawal_heights;
  std::vector<std::uint64_t> failed_deposits;  ///< deposit queue indices
  smt::KeySetCommitment post_keys;
  unsigned security_bits = 0;
};

/// Checks a validity proof for committed blocks (the STARK verifier; see air/block_proof.hpp):
/// `blocks` are the committed blocks at claim.height .. the claim's last height, in order (one
/// for a single-block proof). Injected so that the contract's ledger logic does not depend on
/// the proof system's internals.
using ProofVerifier = std::function<Result<ProvenEffects>(
    std::span<const codec::Block> blocks, const Config& config, const ProofClaim& claim,
    std::span<const std::uint8_t> proof)>;

struct WithdrawalRecord {
  std::uint64_t id = 0;
  std::uint64_t height = 0;
  PublicKey account{};
  std::uint64_t amount = 0;
  bool paid = false;
};

struct CommitReceipt {
  std::uint64_t height = 0;
  Hash32 record{};
  bool already_committed = false;  ///< the same block was committed before: nothing changed
  /// The "l1" annotation that rollup-submit adds to the echoed block.
  std::string annotation_json() const;
};

struct ContractStatus {
  bool initialized = false;
  Config config;
  std::uint64_t height = 0;
  std::uint64_t deposits_queued = 0;
  std::uint64_t deposits_consumed = 0;
  std::optional<RootRecord> latest_root;
  std::uint64_t equivocations = 0;
};

class Contract {
 public:
  virtual ~Contract() = default;

  virtual Status init(const Config& config, const std::vector<GenesisAccount>& genesis) = 0;
  /// Errc::rejected "contract not initialized" when init never ran.
  virtual Result<Config> config() = 0;
  virtual Result<ContractStatus> status() = 0;
  /// The genesis accounts, in index order.
  virtual Result<std::vector<GenesisAccount>> genesis() = 0;

  /// Dev faucet: credits an L1 account.
  virtual Status fund(const PublicKey& account, std::uint64_t amount) = 0;
  virtual Result<std::vector<std::pair<PublicKey, std::uint64_t>>> balances() = 0;
  /// Moves `amount` from the L1 account `from` into the deposit queue for L2 account `to`.
  virtual Result<QueuedDeposit> deposit(const PublicKey& from, const PublicKey& to,
                                        std::uint64_t amount) = 0;
  /// Queue entries from index `first` on, at most `max`.
  virtual Result<std::vector<QueuedDeposit>> deposits_from(std::uint64_t first,
                                                           std::size_t max) = 0;

  /// Commits a block (order + data availability). Refuses (Errc::rejected) a block not signed by
  /// the registered sequencer, not at the next height, not on the committed parent, not
  /// consuming the queue in order, or missing a deposit deadline (which also freezes the
  /// contract); a different block at a committed height is recorded as an equivocation and
  /// refused. Committing the same block again is a no-op (already_committed).
  virtual Result<CommitReceipt> commit_block(const codec::Block& block) = 0;
  virtual Result<std::uint64_t> height() = 0;
  virtual Result<std::optional<StoredBlock>> block_at(std::uint64_t height) = 0;
  /// The hash of the block committed at `height` (cheaper than block_at: no body).
  virtual Result<std::optional<Hash32>> committed_hash(std::uint64_t height) = 0;
  virtual Result<std::vector<StoredBlock>> blocks(std::uint64_t from, std::uint64_t to) = 0;

  /// Verifies `proof` with `verifier` and, if it holds, stores the post-state root as verified.
  /// Accepted only for the next unproven height, on top of the last verified root, for the
  /// block committed at that height; refused (Errc::rejected) otherwise or once frozen. A range
  /// proof stores its root at its last height only (the heights inside have no root) and makes
  /// every covered block's withdrawals payable and failed deposits refunded.
  virtual Result<RootRecord> submit_proof(const ProofClaim& claim, std::span<const std::uint8_t> proof,
                                          const ProofVerifier& verifier) = 0;
  virtual Result<std::vector<WithdrawalRecord>> withdrawals() = 0;
  /// Pays `account` every payable withdrawal not yet paid; the amount paid.
  virtual Result<std::uint64_t> claim(const PublicKey& account) = 0;
  /// The escape hatch: once frozen, pays an L2 account's balance on L1 against the last
  /// verified root, with a Merkle proof of the account's leaf; once per account.
  virtual Result<std::uint64_t> exit(const PublicKey& account, std::uint64_t balance,
                                     std::uint64_t nonce, const smt::MerkleProof& proof) = 0;
  /// Every root, genesis (height 0) first.
  virtual Result<std::vector<RootRecord>> roots() = 0;
  virtual Result<RootRecord> latest_root() = 0;
};

/// Opens the rollup contract that this state file's configuration names. It is the one place
/// that picks a backend: every other module takes an `l1::Contract&` from its caller, so a second
/// backend (an L1 reached over RPC) is added here alone. Today every state file names the
/// contract embedded in its own l1_* tables.
Result<std::unique_ptr<Contract>> open_contract(store::Db& db);

/// The root of a genesis state (the empty tree's root for no accounts).
Hash32 genesis_root(const std::vector<GenesisAccount>& genesis);

}  // namespace rollup::l1
