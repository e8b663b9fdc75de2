#pragma once
// Account queries against the executor's stored state, with Merkle proofs that a user checks
// against the root the contract holds (docs/design.md §3, step 8).
#include <optional>
#include <string>

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

/// Reads the account by key or by index, with its proof, from one snapshot of the file.
/// Errc::rejected when there is no such account.
Result<AccountAnswer> query_account(store::Db& db, const std::optional<PublicKey>& key,
                                    std::optional<std::uint64_t> index);

/// The same answer at any committed height: read from the history tables where they hold it
/// (bounded time), else from vm::state_at. Exits against the last verified root and checks of an
/// executor that is ahead of the contract need it.
Result<AccountAnswer> query_account_at(store::Db& db, l1::Contract& contract,
                                       const std::optional<PublicKey>& key,
                                       std::optional<std::uint64_t> index, std::uint64_t height,
                                       unsigned threads);

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
