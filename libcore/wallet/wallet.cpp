#include "wallet/wallet.hpp"

#include "core/limits.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"

namespace rollup::wallet {

namespace {
codec::Tx sign_tx(codec::TxType type, const crypto::AccountKey& from, const PublicKey& to,
                  std::uint64_t amount, std::uint64_t fee, std::uint64_t nonce,
                  const vm::RollupParams& rollup) {
  codec::Tx tx;
  tx.type = type;
  tx.chain_id = rollup.chain_id;
  tx.namespace_id = rollup.namespace_id;
  tx.from = from.public_key();
  tx.to = to;
  tx.amount = amount;
  tx.fee = fee;
  tx.nonce = nonce;
  tx.sig = from.sign_tx({rollup.chain_id, rollup.namespace_id}, tx.signing_message());
  return tx;
}
}  // namespace

codec::Tx sign_transfer(const crypto::AccountKey& from, const PublicKey& to, std::uint64_t amount,
                        std::uint64_t fee, std::uint64_t nonce, const vm::RollupParams& rollup) {
  return sign_tx(codec::TxType::transfer, from, to, amount, fee, nonce, rollup);
}

codec::Tx sign_withdraw(const crypto::AccountKey& from, std::uint64_t amount, std::uint64_t fee,
                        std::uint64_t nonce, const vm::RollupParams& rollup) {
  return sign_tx(codec::TxType::withdraw, from, PublicKey{}, amount, fee, nonce, rollup);
}

codec::Tx sign_transfer(const crypto::KeyPair& from, const PublicKey& to, std::uint64_t amount,
                        std::uint64_t fee, std::uint64_t nonce, const vm::RollupParams& rollup) {
  return sign_transfer(crypto::AccountKey::ed25519(from), to, amount, fee, nonce, rollup);
}

codec::Tx sign_withdraw(const crypto::KeyPair& from, std::uint64_t amount, std::uint64_t fee,
                        std::uint64_t nonce, const vm::RollupParams& rollup) {
  return sign_withdraw(crypto::AccountKey::ed25519(from), amount, fee, nonce, rollup);
}

AccountLookup::AccountLookup(store::Db& db, l1::Contract& contract) : db_(db), contract_(contract) {}

Result<AccountView> AccountLookup::get(const PublicKey& key) {
  auto q = ROLLUP_TRY(db_.prepare("SELECT balance, nonce FROM state_accounts WHERE pubkey = ?"));
  q.bind(1, key);
  if (ROLLUP_TRY(q.step())) return AccountView{ROLLUP_TRY(q.column_uint64(0)), ROLLUP_TRY(q.column_uint64(1))};
  if (!genesis_) {
    // Before the executor stored anything, the state is the contract's genesis.
    genesis_.emplace();
    auto applied = ROLLUP_TRY(db_.prepare("SELECT count(*) FROM state_blocks"));
    ROLLUP_TRY(applied.step());
    if (applied.column_int64(0) == 0) {
      auto genesis = contract_.genesis();
      if (!genesis && genesis.error().code != Errc::rejected) return std::unexpected(genesis.error());
      if (genesis)
        for (const auto& g : *genesis) genesis_->emplace(g.key, g.balance);
    }
  }
  auto it = genesis_->find(key);
  if (it != genesis_->end()) return AccountView{it->second, 0};
  return AccountView{};
}

Result<std::optional<vm::RollupParams>> contract_rollup(l1::Contract& contract) {
  auto config = contract.config();
  if (!config) {
    if (config.error().code == Errc::rejected) return std::optional<vm::RollupParams>{};
    return std::unexpected(config.error());
  }
  return std::optional<vm::RollupParams>(vm::params_of(*config));
}

LoadGenerator::LoadGenerator(std::vector<crypto::AccountKey> keys, std::vector<AccountView> accounts,
                             const vm::RollupParams& rollup, std::uint64_t seed)
    : keys_(std::move(keys)), accounts_(std::move(accounts)), rollup_(rollup), rng_(seed) {}

std::optional<codec::Tx> LoadGenerator::next() {
  const std::size_t n = keys_.size();
  if (n < 2) return std::nullopt;
  // Random senders; a sender that cannot pay is skipped. Bounded tries keep a drained set of
  // accounts from looping forever.
  for (int attempt = 0; attempt < 64; ++attempt) {
    std::size_t from = rng_() % n, to = rng_() % (n - 1);
    if (to >= from) ++to;
    AccountView& sender = accounts_[from];
    std::uint64_t amount = 1 + rng_() % max_amount_;
    if (sender.balance < amount + fee_) continue;
    if (accounts_[to].balance + amount >= kBalanceLimit) continue;
    codec::Tx tx = sign_transfer(keys_[from], keys_[to].public_key(), amount, fee_, sender.nonce, rollup_);
    sender.balance -= amount + fee_;
    sender.nonce += 1;
    accounts_[to].balance += amount;
    return tx;
  }
  return std::nullopt;
}

}  // namespace rollup::wallet
