#pragma once
// The rollup contract on L1 (docs/design.md §2, §9): the source of truth for block order and data,
// the deposit queue with forced-inclusion deadlines, and the roots of the state. Backends
// implement one interface: the embedded contract keeps its ledger in the state file's l1_* tables;
// a devnet backend can be added behind the same interface.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <functional>
#include <span>

#include "codec/objects.hpp"
#include "crypto/crypto.hpp"
#include "smt/key_set.hpp"
#include "smt/tree.hpp"
#include "core/bytes.hpp"

namespace rollup::store {
class Db;
}

namespace rollup::l1 {

/// Forced inclusion is measured in L1 time, as on an L1: a deposit enqueued at time T must be
/// consumed by a block committed no later than T + the deadline. Real rollups give the
/// sequencer hours, so a backlog of blocks signed before the deposit can still land.
inline constexpr std::uint64_t kDefaultDepositDeadline = 24 * 3600;

/// The prover's worst case per receipt (air::build_program, proof format 2): a transfer takes at
/// most 5 ops (the debit; an insert of a new recipient with its two key-tree ops; a write of the
/// fee recipient's deferred credits that would overflow); once per block a transfer also creates
/// the fee recipient (2 ops more) and the block ends with one write of the deferred credits; a
/// deposit to a new account takes 3. Format 1 (one fee credit per tx) stays within the same.
inline constexpr std::uint64_t kMaxOpsPerTx = 5;
inline constexpr std::uint64_t kMaxOpsPerDeposit = 3;
inline constexpr std::uint64_t kMaxOpsPerBlock = 3;
/// The prover's memory budget: a trace of 2^20 rows. An op takes 8 * (2 + depth) rows at the
/// subtree depth the state's accounts need, and the trace holds one op more than the block
/// (padding); so the work a block may carry follows the size of the state.
inline constexpr std::uint64_t kMaxTraceRows = std::uint64_t{1} << 20;
/// Trace rows of one op at subtree depth `depth`: two RPO permutations for the leaf, one per
/// level, 8 rows each (air::RollupAir's layout, docs/air.md §4).
constexpr std::uint64_t rows_per_op(unsigned depth) { return 8 * (2 + std::uint64_t{depth}); }
/// The largest cap an operator may set (`rollup-l1 init --max-block-ops`): the trace's at the
/// smallest depth (6).
inline constexpr std::uint64_t kMaxBlockOps = kMaxTraceRows / rows_per_op(6) - 1;
/// The cap of a file deployed before caps were stored (schema 2): the trace's at depth 30, the
/// fixed cap of those releases.
inline constexpr std::uint64_t kLegacyMaxBlockOps = kMaxTraceRows / rows_per_op(30) - 1;

/// The subtree depth the prover takes for `positions` key positions (air::depth_for): 6 and 14
/// up to 2^14 positions, as before other depths existed, so that small blocks keep their proofs;
/// above, the exact depth up to 30; 0 when none is deep enough.
unsigned subtree_depth(std::uint64_t positions);
/// The depth for a state of `accounts` accounts: key positions 0 .. accounts.
unsigned prover_depth(std::uint64_t accounts);
/// a + b, or UINT64_MAX where the sum would wrap: account bounds only ever grow, and one past
/// 2^64 holds no depth anyway.
constexpr std::uint64_t add_saturating(std::uint64_t a, std::uint64_t b) {
  return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}
/// The most ops a block's trace holds within kMaxTraceRows when the state has at most `accounts`
/// accounts after it; 0 when no depth holds them.
std::uint64_t trace_ops_cap(std::uint64_t accounts);

struct Config {
  std::uint64_t chain_id = 0;
  std::uint32_t namespace_id = 0;
  PublicKey sequencer{};
  Hash32 genesis_root{};
  /// Seconds of L1 time within which a block must consume a deposit.
  std::uint64_t deposit_deadline_s = kDefaultDepositDeadline;
  /// The operator's cap on a block's work, counted by block_ops(); 0: none but the trace
  /// budget's (check_block_work), the default.
  std::uint64_t max_block_ops = 0;
  /// Deployed with dev keys (sequencer or genesis accounts): anyone can derive them.
  bool dev_mode = false;
  /// The scheme of the rollup's account keys and tx signatures, chosen at init (the sequencer
  /// still signs blocks with Ed25519 whatever it is).
  crypto::SignatureScheme sig_scheme = crypto::kDefaultScheme;
  bool frozen = false;
  std::string frozen_reason;
};

/// A block's work as the contract counts it: its namespace's txs and its deposits, each at the
/// prover's worst case.
std::uint64_t block_ops(const codec::Block& block, std::uint32_t namespace_id);
inline std::uint64_t ops_of(std::uint64_t txs, std::uint64_t deposits) {
  return txs * kMaxOpsPerTx + deposits * kMaxOpsPerDeposit + kMaxOpsPerBlock;
}
/// The most accounts a block can add: each tx's recipient, each deposit's, the fee recipient.
inline std::uint64_t new_accounts_bound(std::uint64_t txs, std::uint64_t deposits) {
  return txs + deposits + 1;
}
/// The work rule: a block of `txs` and `deposits` stays within the operator's cap and within the
/// trace budget at the depth of the most accounts the state can hold after it, `accounts_before`
/// (Contract::accounts_bound() before the block) plus what the block can add. A block no prover
/// can prove within its memory budget would stall every proof after it. Errc::rejected otherwise.
Status check_block_work(std::uint64_t txs, std::uint64_t deposits, std::uint64_t accounts_before,
                        const Config& config);
bool block_work_fits(std::uint64_t txs, std::uint64_t deposits, std::uint64_t accounts_before,
                     const Config& config);
/// For the sequencer: the most txs a block may carry while leaving an eighth of its work for
/// deposits (at least one tx), and the most deposits that still fit beside `txs`.
std::uint64_t max_block_txs(std::uint64_t accounts_before, const Config& config);
std::uint64_t max_block_deposits(std::uint64_t txs, std::uint64_t accounts_before,
                                 const Config& config);

/// The contract's first check of any block: the registered `sequencer` signed it. Errc::rejected
/// otherwise. Whoever takes a block from elsewhere in the contract's place applies the same rule.
Status check_sequencer_signature(const codec::Block& block, const PublicKey& sequencer);

/// Whether `key` is one of the numbered dev keys (crypto::dev_key) that tools hand out.
bool is_dev_key(const PublicKey& key);

/// The embedded L1's clock, in unix seconds: $ROLLUP_L1_TIME when set (tests drive it), else
/// the system clock. An L1 block's timestamp plays this part on a real chain.
using Clock = std::function<Result<std::uint64_t>()>;
Result<std::uint64_t> l1_time();
/// A duration on the command line: N seconds, or N followed by s, m, h or d.
Result<std::uint64_t> parse_duration(std::string_view text);

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
  std::uint64_t due_at = 0;  ///< L1 time (unix seconds) by which a block must consume it
};

struct RootRecord {
  std::uint64_t height = 0;  ///< 0 is the genesis root
  Hash32 root{};
  smt::KeySetCommitment keys;  ///< the key set after this height (docs/air.md §2)
};

/// What a proof submission claims: the block at `height` takes the state from pre to post root;
/// a range proof (docs/air.md §13): the blocks at `height` .. `last_height` do.
/// Every field is a claim the contract compares with what it derives itself, and a mismatch is
/// refused: the contract and `rollup-verify` must agree on what a proof line says.
struct ProofClaim {
  std::uint64_t height = 0;
  Hash32 block_hash{};  ///< the block at `height`
  Hash32 pre_root{};
  Hash32 post_root{};
  smt::KeySetCommitment pre_keys;   ///< must be the last verified root's
  smt::KeySetCommitment post_keys;  ///< must be what the proof establishes
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
  /// Neither consumed by a committed block nor refunded.
  std::uint64_t deposits_pending = 0;
  std::uint64_t deposits_refunded = 0;
  std::uint64_t l1_time = 0;
  std::optional<RootRecord> latest_root;
  std::uint64_t equivocations = 0;
  std::uint64_t accounts_bound = 0;      ///< Contract::accounts_bound()
  std::uint64_t next_block_max_txs = 0;  ///< the sequencer's batch limit (max_block_txs) now
};

class Contract {
 public:
  virtual ~Contract() = default;

  virtual Status init(const Config& config, const std::vector<GenesisAccount>& genesis) = 0;
  /// Errc::rejected "contract not initialized" when init never ran.
  virtual Result<Config> config() = 0;
  virtual Result<ContractStatus> status() = 0;
  /// The genesis accounts, in index order; checked against the genesis root and key-set
  /// commitment the contract stored at init (Errc::io when they differ: a corrupt file).
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
  /// the registered sequencer, not at the next height, not on the committed parent, with a
  /// timestamp below its parent's, over the work cap, not consuming the queue in order, or
  /// leaving out a deposit that is overdue in L1 time; a different block at a committed height
  /// is recorded (once) as an equivocation and refused. Committing the same block again is a
  /// no-op (already_committed).
  virtual Result<CommitReceipt> commit_block(const codec::Block& block) = 0;
  /// Anyone's call once a deposit is overdue (L1 time past its due time, still not consumed):
  /// freezes the contract for good, refunds the deposits no verified block executed, and opens
  /// the escape hatch. Refused while no deposit is overdue. Returns the reason recorded.
  virtual Result<std::string> freeze() = 0;
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
  /// verified root, with a Merkle proof of the account's leaf; once per account. The balance is
  /// paid whole to the L1 account `pay_to` (the owner's choice, usually its own key): where it
  /// would take that L1 balance to 2^53 the exit is refused and nothing is recorded, so the owner
  /// can exit to another L1 account; nothing is ever paid in part or lost.
  virtual Result<std::uint64_t> exit(const PublicKey& account, std::uint64_t balance, std::uint64_t nonce,
                                     const smt::MerkleProof& proof, const PublicKey& pay_to) = 0;
  /// An fsck of the state file: every block body against its hash, parent and record chain; the
  /// genesis root and key-set commitment against the genesis accounts; the roots rows; the
  /// executor's tables (if any) against the contract's blocks and its stored root. Each problem
  /// found, as "table row: what is wrong"; empty when the file is consistent.
  virtual Result<std::vector<std::string>> check() = 0;
  /// Every root, genesis (height 0) first.
  virtual Result<std::vector<RootRecord>> roots() = 0;
  virtual Result<RootRecord> latest_root() = 0;
  /// The most accounts the state can hold after the committed tip: the account count of the
  /// latest verified root, plus what each committed block above it can add (new_accounts_bound,
  /// counting the txs of every namespace). The work rule of the next block starts from it.
  struct AccountsBound {
    std::uint64_t height = 0;  ///< the tip it holds after
    std::uint64_t accounts = 0;
  };
  virtual Result<AccountsBound> accounts_bound() = 0;
};

/// Opens the rollup contract that this state file's configuration names. It is the one place
/// that picks a backend: every other module takes an `l1::Contract&` from its caller, so a second
/// backend (an L1 reached over RPC) is added here alone. Today every state file names the
/// contract embedded in its own l1_* tables, on the clock l1_time().
Result<std::unique_ptr<Contract>> open_contract(store::Db& db);
/// The backend named by l1_config.backend for the contract in the file's own l1_* tables.
inline constexpr std::string_view kEmbeddedBackend = "embedded";
/// The same on another L1 clock (tests drive the time).
Result<std::unique_ptr<Contract>> open_contract(store::Db& db, Clock clock);

/// `rollup-l1 init`: creates the state file if it is missing and initializes the contract in it.
/// When the init fails, a file this call created is removed again, so that no file with a schema
/// and no contract is left behind.
Result<RootRecord> deploy(const std::string& db_path, const Config& config,
                          const std::vector<GenesisAccount>& genesis);

/// The root of a genesis state (the empty tree's root for no accounts).
Hash32 genesis_root(const std::vector<GenesisAccount>& genesis);

}  // namespace rollup::l1
