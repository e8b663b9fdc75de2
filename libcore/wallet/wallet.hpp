#pragma once
// Building and signing txs, and the load generator that makes streams of valid random transfers.
#include <random>
#include <unordered_map>
#include <vector>

#include "codec/objects.hpp"
#include "crypto/crypto.hpp"
#include "l1/contract.hpp"
#include "vm/state.hpp"

namespace rollup::store {
class Db;
}

namespace rollup::wallet {

/// Txs signed for `rollup` (its chain id and namespace): no other rollup executes them. The
/// signature is `from`'s scheme's; the recipient's key must be of the same scheme.
codec::Tx sign_transfer(const crypto::AccountKey& from, const PublicKey& to, std::uint64_t amount,
                        std::uint64_t fee, std::uint64_t nonce, const vm::RollupParams& rollup);
codec::Tx sign_withdraw(const crypto::AccountKey& from, std::uint64_t amount, std::uint64_t fee,
                        std::uint64_t nonce, const vm::RollupParams& rollup);
/// The same with an Ed25519 key pair.
codec::Tx sign_transfer(const crypto::KeyPair& from, const PublicKey& to, std::uint64_t amount,
                        std::uint64_t fee, std::uint64_t nonce, const vm::RollupParams& rollup);
codec::Tx sign_withdraw(const crypto::KeyPair& from, std::uint64_t amount, std::uint64_t fee,
                        std::uint64_t nonce, const vm::RollupParams& rollup);

struct AccountView {
  std::uint64_t balance = 0;
  std::uint64_t nonce = 0;
};

/// What the state file says about an account: the executor's account, else (before the first
/// block) its genesis entry, else an empty account. The nonce a new tx needs is `.nonce`.
class AccountLookup {
 public:
  AccountLookup(store::Db& db, l1::Contract& contract);
  Result<AccountView> get(const PublicKey& key);

 private:
  store::Db& db_;
  l1::Contract& contract_;
  std::optional<std::unordered_map<PublicKey, std::uint64_t, vm::KeyHash>> genesis_;
};
/// The contract's chain id and namespace, when the state file has a contract.
Result<std::optional<vm::RollupParams>> contract_rollup(l1::Contract& contract);

/// Makes random transfers that are valid when applied in order on top of the state the
/// generator was given: each sender has the balance and the next nonce, and no credit
/// overflows. Deterministic for a given seed.
class LoadGenerator {
 public:
  LoadGenerator(std::vector<crypto::AccountKey> keys, std::vector<AccountView> accounts,
                const vm::RollupParams& rollup, std::uint64_t seed);
  void set_amounts(std::uint64_t max_amount, std::uint64_t fee) {
    max_amount_ = max_amount;
    fee_ = fee;
  }
  /// The next transfer, or nullopt when no account can pay anything any more.
  std::optional<codec::Tx> next();

 private:
  std::vector<crypto::AccountKey> keys_;
  std::vector<AccountView> accounts_;
  vm::RollupParams rollup_;
  std::mt19937_64 rng_;
  std::uint64_t max_amount_ = 10;
  std::uint64_t fee_ = 1;
};

}  // namespace rollup::wallet
