#pragma once
// Account queries against the executor's stored state, with Merkle proofs that a user checks
// against the root the contract holds (docs/design.md §3, step 8).
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "l1/contract.hpp"
#include "smt/tree.hpp"
#include "vm/state.hpp"

namespace rollup::store {
class Db;
}

namespace rollup::vm {

struct AccountAnswer {
  Account account;
  smt::MerkleProof proof;
  StateRoot root{};
  std::uint64_t height = 0;  ///< the executor's height the answer is for
};

/// The bottom of the tree around an account at one height, which a query rebuilds from the
/// accounts since it is not stored (levels below kFirstTipLevel at the tip, kFirstStoredLevel
/// below it): the accounts of the subtree and its nodes, level by level up to the stored one.
struct Subtree {
  std::vector<std::pair<std::uint64_t, Account>> accounts;  ///< (index, account), ascending
  std::vector<std::vector<hash::Digest>> levels;            ///< levels[0]: leaves; last: one node
};

/// Subtrees hashed by earlier queries, for a long-lived reader (rollup-serve) whose queries
/// spend most of their time hashing them. A height's state never changes, so an entry is true
/// for as long as it is kept; the least recently used go first once the subtrees kept hold more
/// than `capacity` accounts (about 120 bytes each). Safe for concurrent use.
class SubtreeCache {
 public:
  explicit SubtreeCache(std::size_t capacity) : capacity_(capacity) {}
  /// The subtree at `height` whose first index is `base`, rebuilt to `level`; null when not kept.
  std::shared_ptr<const Subtree> find(std::uint64_t height, unsigned level, std::uint64_t base);
  void keep(std::uint64_t height, unsigned level, std::uint64_t base, std::shared_ptr<const Subtree> subtree);
  std::uint64_t hits() const;

 private:
  struct Key {
    std::uint64_t height;
    std::uint64_t base;
    unsigned level;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return std::hash<std::uint64_t>()(k.height * 0x9E3779B97F4A7C15ULL ^ k.base ^ (std::uint64_t{k.level} << 58));
    }
  };
  using Order = std::list<std::pair<Key, std::shared_ptr<const Subtree>>>;
  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::size_t accounts_ = 0;  ///< in the subtrees kept
  Order order_;  ///< most recently used first
  std::unordered_map<Key, Order::iterator, KeyHash> entries_;
  std::uint64_t hits_ = 0;
};

/// Reads the account by key or by index, with its proof, from one snapshot of the file.
/// Errc::rejected when there is no such account. `cache`, when given, keeps the subtrees hashed.
Result<AccountAnswer> query_account(store::Db& db, const std::optional<PublicKey>& key,
                                    std::optional<std::uint64_t> index, SubtreeCache* cache = nullptr);

/// The same answer at any committed height: read from the history tables where they hold it
/// (bounded time), else from vm::state_at. Exits against the last verified root and checks of an
/// executor that is ahead of the contract need it.
Result<AccountAnswer> query_account_at(store::Db& db, l1::Contract& contract,
                                       const std::optional<PublicKey>& key,
                                       std::optional<std::uint64_t> index, std::uint64_t height,
                                       unsigned threads, SubtreeCache* cache = nullptr);

struct CheckVerdict {
  bool valid = false;
  std::optional<l1::RootRecord> contract_root;  ///< the contract's root at the answer's height
  std::string reason;                           ///< why it is not valid
};

/// Checks the answer's proof against the contract's root for the answer's height.
Result<CheckVerdict> check_against_contract(l1::Contract& contract, const AccountAnswer& answer);
/// The contract's latest (verified) root: the height a checked answer is for.
Result<l1::RootRecord> root_to_check(l1::Contract& contract);

std::string account_to_json(const AccountAnswer& answer, const CheckVerdict* verdict);
/// Reads an `account` line back (for `rollup-l1 exit`); a "check" member is ignored.
Result<AccountAnswer> parse_account(const codec::Json& object);

}  // namespace rollup::vm
