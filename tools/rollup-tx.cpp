// rollup-tx: builds and signs transfer and withdraw txs, one NDJSON line each.
#include <unistd.h>

#include "core/limits.hpp"
#include "cli/tool.hpp"
#include "codec/keyfile.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"
#include "wallet/wallet.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-tx", "Build and sign rollup transactions as NDJSON tx lines.",
                 "rollup-tx transfer --key alice.key --to 0x… --amount 5 | rollup-seq --key seq.key\n"
                 "  The key file's scheme (rollup-keygen --scheme) signs the tx; it must be the rollup's\n"
                 "  (rollup-l1 init --sig-scheme), as must the --to key: 32 bytes for ed25519, 40 for ecgfp5.");
  tool.add_db_option();
  auto& app = tool.app();
  app.require_subcommand(1);

  std::string key_file, to;
  std::uint64_t amount = 0, fee = 0;
  std::optional<std::uint64_t> nonce, chain_id;
  std::optional<std::uint32_t> namespace_id;
  auto* transfer = app.add_subcommand("transfer", "Sign a transfer to another L2 account");
  auto* withdraw = app.add_subcommand("withdraw", "Sign a withdrawal to the same key's L1 account");
  for (auto* sub : {transfer, withdraw}) {
    sub->add_option("--key", key_file, "Sender's key file")->required();
    cli::add_unsigned(*sub, "--amount", amount, "Amount (1 .. 2^53-1)", 1)->required();
    cli::add_unsigned(*sub, "--fee", fee, "Fee paid to the block's fee recipient")->capture_default_str();
    cli::add_unsigned(*sub, "--nonce", nonce, "Sender's nonce (default: looked up in the state file)");
    cli::add_unsigned(*sub, "--chain-id", chain_id, "Chain id (default: the contract's)");
    cli::add_unsigned(*sub, "--namespace", namespace_id, "Namespace id of the rollup (default: the contract's)");
  }
  transfer->add_option("--to", to,
                       "Recipient's public key (0x + 64 hex digits for ed25519, 80 for ecgfp5)")->required();

  auto* batch = app.add_subcommand("batch", "Make N random valid transfers among given keys (load tests)");
  std::vector<std::string> key_files;
  std::uint64_t count = 1000, dev_accounts = 0, seed = 1, max_amount = 10;
  batch->add_option("--key", key_files, "Key files of the accounts (repeat)");
  cli::add_unsigned(*batch, "--dev-accounts", dev_accounts, "Use dev keys 0..N-1 (see rollup-keygen --dev)", 0,
                    cli::kMaxDevAccounts);
  cli::add_unsigned(*batch, "-n,--count", count, "Number of txs")->capture_default_str();
  cli::add_unsigned(*batch, "--seed", seed, "Random seed")->capture_default_str();
  cli::add_unsigned(*batch, "--max-amount", max_amount, "Largest amount", 1, 1ULL << 40)->capture_default_str();
  cli::add_unsigned(*batch, "--fee", fee, "Fee of each tx")->capture_default_str();
  cli::add_unsigned(*batch, "--chain-id", chain_id, "Chain id (default: the contract's)");
  cli::add_unsigned(*batch, "--namespace", namespace_id, "Namespace id of the rollup (default: the contract's)");

  return tool.run(argc, argv, [&]() -> Status {
    // The state file is only read, and only when it exists: a tx can be made offline.
    std::optional<store::Db> db;
    if (access(tool.db_path().c_str(), F_OK) == 0)
      db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::read_only));
    std::unique_ptr<l1::Contract> contract;
    if (db) contract = ROLLUP_TRY(l1::open_contract(*db));
    std::optional<wallet::AccountLookup> accounts;
    if (db) accounts.emplace(*db, *contract);
    auto lookup = [&](const PublicKey& k) -> Result<wallet::AccountView> {
      if (!accounts) return wallet::AccountView{};
      return accounts->get(k);
    };
    // A tx names its rollup by chain id and namespace; each not given is the contract's.
    std::optional<vm::RollupParams> from_contract;
    if (db) from_contract = ROLLUP_TRY(wallet::contract_rollup(*contract));
    if (!chain_id && from_contract) chain_id = from_contract->chain_id;
    if (!namespace_id && from_contract) namespace_id = from_contract->namespace_id;
    if (!chain_id) return fail(Errc::usage, "no contract in " + tool.db_path() + ": give --chain-id");
    if (!namespace_id) return fail(Errc::usage, "no contract in " + tool.db_path() + ": give --namespace");
    // The scheme is the contract's when there is one (a key of another scheme is refused below),
    // else the key file's: a tx made offline is signed with whatever key it is given.
    vm::RollupParams rollup{*chain_id, *namespace_id};
    auto check_scheme = [&](const crypto::AccountKey& key, const std::string& file) -> Status {
      if (!from_contract) return {};
      if (key.scheme() != from_contract->scheme)
        return fail(Errc::usage, file + ": an " + std::string(crypto::scheme_name(key.scheme())) +
                                     " key, but the rollup in " + tool.db_path() + " takes " +
                                     std::string(crypto::scheme_name(from_contract->scheme)) + " keys");
      return {};
    };
    if (amount >= kBalanceLimit || fee >= kBalanceLimit)
      return fail(Errc::usage, "amounts and fees must be below 2^53");
    codec::LineWriter out;

    if (batch->parsed()) {
      std::vector<crypto::AccountKey> keys;
      for (const auto& f : key_files) {
        keys.push_back(ROLLUP_TRY(codec::read_account_key_file(f)));
        ROLLUP_TRY(check_scheme(keys.back(), f));
      }
      const auto dev_scheme = from_contract ? from_contract->scheme
                              : keys.empty() ? crypto::kDefaultScheme
                                             : keys.front().scheme();
      for (std::uint64_t i = 0; i < dev_accounts; ++i) keys.push_back(crypto::dev_account_key(dev_scheme, i));
      if (keys.size() < 2) return fail(Errc::usage, "batch needs at least two accounts");
      for (const auto& k : keys)
        if (k.scheme() != keys.front().scheme())
          return fail(Errc::usage, "batch: the key files are of different schemes");
      std::vector<wallet::AccountView> views;
      std::optional<store::Transaction> read;
      if (db) read.emplace(ROLLUP_TRY(db->begin_read()));
      for (const auto& k : keys) views.push_back(ROLLUP_TRY(lookup(k.public_key())));
      read.reset();
      wallet::LoadGenerator gen(std::move(keys), std::move(views), rollup, seed);
      gen.set_amounts(max_amount, fee);
      cli::Progress progress("rollup-tx");
      for (std::uint64_t i = 0; i < count; ++i) {
        auto tx = gen.next();
        if (!tx) return fail(Errc::rejected, "the accounts cannot pay for more txs after " + std::to_string(i));
        ROLLUP_TRY(out.write(codec::to_json(*tx)));
        if (i % 4096 == 0) progress.update(std::to_string(i) + "/" + std::to_string(count) + " txs");
      }
      return out.finish();
    }

    if (amount == 0) return fail(Errc::usage, "--amount must be at least 1");
    auto key = ROLLUP_TRY(codec::read_account_key_file(key_file));
    ROLLUP_TRY(check_scheme(key, key_file));
    if (!nonce) nonce = ROLLUP_TRY(lookup(key.public_key())).nonce;
    codec::Tx tx;
    if (transfer->parsed()) {
      auto recipient = ROLLUP_TRY(cli::parse_public_key(to, "--to"));
      if (auto ok = crypto::check_public_key(key.scheme(), recipient, "--to"); !ok)
        return fail(Errc::usage, ok.error().message);
      tx = wallet::sign_transfer(key, recipient, amount, fee, *nonce, rollup);
    } else {
      tx = wallet::sign_withdraw(key, amount, fee, *nonce, rollup);
    }
    ROLLUP_TRY(out.write(codec::to_json(tx)));
    return out.finish();
  });
}
