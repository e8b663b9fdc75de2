// rollup-l1: the L1 side of the embedded rollup contract.
#include <fmt/format.h>

#include <fstream>

#include "core/limits.hpp"
#include "cli/tool.hpp"
#include "codec/keyfile.hpp"
#include "l1/contract.hpp"
#include "l1/genesis.hpp"
#include "l1/views.hpp"
#include "store/db.hpp"
#include "vm/query.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-l1", "The L1 side of the rollup contract embedded in the state file.",
                 "rollup-l1 init --sequencer-key seq.key && rollup-l1 fund --to 0x… --amount 1000");
  tool.add_db_option();
  auto& app = tool.app();
  app.require_subcommand(1);

  l1::Config config;
  config.chain_id = 1;
  config.namespace_id = 1;
  std::string deposit_deadline = "24h", sig_scheme = "ed25519";
  std::string sequencer_hex, sequencer_key, genesis_file, genesis_root_hex;
  std::uint64_t dev_accounts = 0, dev_balance = 1'000'000;
  auto* init = app.add_subcommand("init", "Deploy the contract: chain id, namespace, sequencer, genesis");
  cli::add_unsigned(*init, "--chain-id", config.chain_id, "Chain id signed into every tx")->capture_default_str();
  cli::add_unsigned(*init, "--namespace", config.namespace_id, "The rollup's namespace id in blocks")->capture_default_str();
  init->add_option("--sequencer", sequencer_hex, "Sequencer public key");
  init->add_option("--sequencer-key", sequencer_key, "Sequencer key file (instead of --sequencer)");
  init->add_option("--deposit-deadline", deposit_deadline,
                   "L1 time within which a block must consume a deposit: N seconds, or Ns, Nm, Nh, Nd")
      ->capture_default_str();
  init->add_option("--genesis", genesis_file, "Genesis accounts: NDJSON lines {\"pubkey\":\"0x…\",\"balance\":N}");
  cli::add_unsigned(*init, "--dev-accounts", dev_accounts, "Genesis: dev keys 0..N-1 (rollup-keygen --dev)", 0,
                    cli::kMaxDevAccounts);
  cli::add_unsigned(*init, "--dev-balance", dev_balance, "Genesis balance of each dev account")->capture_default_str();
  init->add_option("--genesis-root", genesis_root_hex, "Expected genesis root (checked)");
  cli::add_unsigned(*init, "--max-block-ops", config.max_block_ops,
                   "Cap on a block's work, txs x 5 + deposits x 3 + 3 (default 0: none but the prover's trace budget, "
                   "which follows the size of the state; at most 16383)");
  init->add_option("--sig-scheme", sig_scheme,
                   "Scheme of the rollup's account keys and tx signatures, fixed for its life: ed25519 (32-byte keys) "
                   "or ecgfp5 (Schnorr over ECgFp5, 40-byte keys; rollup-keygen --scheme ecgfp5)")
      ->capture_default_str();
  init->add_flag("--dev", config.dev_mode,
                 "Deploy a dev contract: needed for a dev sequencer key or --dev-accounts (anyone can derive dev keys)");

  std::string account_hex, key_file, to_hex_arg;
  std::uint64_t amount = 0;
  auto* fund = app.add_subcommand("fund", "Dev faucet: credit an L1 account");
  fund->add_option("--to", account_hex, "L1 account (public key)")->required();
  cli::add_unsigned(*fund, "--amount", amount, "Amount", 1)->required();
  auto* deposit = app.add_subcommand("deposit", "Move L1 funds into the rollup's deposit queue");
  deposit->add_option("--key", key_file, "Key file of the paying L1 account")->required();
  deposit->add_option("--to", to_hex_arg, "L2 recipient (default: the same key)");
  cli::add_unsigned(*deposit, "--amount", amount, "Amount", 1)->required();

  auto* freeze = app.add_subcommand(
      "freeze", "Freeze the contract once a deposit is overdue (anyone may): refunds, then exits open");
  auto* status = app.add_subcommand("status", "Print the contract's state as one JSON object");
  auto* check = app.add_subcommand(
      "check", "Verify the whole state file against what it commits to; list each problem (exit 4)");
  std::uint64_t from = 1, to = UINT64_MAX;
  auto* blocks = app.add_subcommand("blocks", "Print committed blocks as NDJSON (for replay)");
  cli::add_unsigned(*blocks, "--from", from, "First height")->capture_default_str();
  cli::add_unsigned(*blocks, "--to", to, "Last height");
  auto* roots = app.add_subcommand("roots", "Print the state roots the contract holds");
  auto* balances = app.add_subcommand("balances", "Print L1 balances");
  auto* withdrawals = app.add_subcommand("withdrawals", "Print withdrawals of proven blocks (payable or paid)");
  auto* claim = app.add_subcommand("claim", "Pay an L1 account its payable withdrawals");
  claim->add_option("--key", key_file, "Key file of the account")->required();
  std::string proof_file;
  auto* exit_cmd = app.add_subcommand(
      "exit", "Escape hatch (frozen contract only): pay an L2 balance on L1 against the last verified root");
  exit_cmd->add_option("--key", key_file, "Key file of the account")->required();
  exit_cmd->add_option("--proof", proof_file,
                       "The account line from rollup-query --check (- = stdin)")->required();
  std::string pay_to_hex;
  exit_cmd->add_option("--to", pay_to_hex, "L1 account paid (default: the key's own)");

  return tool.run(argc, argv, [&]() -> Status {
    if (init->parsed()) {
      auto scheme = crypto::parse_scheme(sig_scheme);
      if (!scheme) return fail(Errc::usage, "--sig-scheme: " + scheme.error().message);
      config.sig_scheme = *scheme;
      if (!sequencer_key.empty()) {
        config.sequencer = ROLLUP_TRY(codec::read_key_file(sequencer_key)).public_key;
      } else if (!sequencer_hex.empty()) {
        config.sequencer = ROLLUP_TRY(cli::parse_public_key(sequencer_hex, "--sequencer"));
      } else {
        return fail(Errc::usage, "give --sequencer or --sequencer-key");
      }
      if (dev_accounts > 0 && !config.dev_mode)
        return fail(Errc::usage, "--dev-accounts gives genesis funds to keys anyone can derive: add --dev");
      std::vector<l1::GenesisAccount> genesis;
      if (!genesis_file.empty()) genesis = ROLLUP_TRY(l1::read_genesis_file(genesis_file));
      auto dev = l1::dev_genesis(dev_accounts, dev_balance, config.sig_scheme);
      genesis.insert(genesis.end(), dev.begin(), dev.end());
      ROLLUP_TRY(l1::check_genesis(genesis));
      auto window = l1::parse_duration(deposit_deadline);
      if (!window) return fail(Errc::usage, "--deposit-deadline: " + window.error().message);
      config.deposit_deadline_s = *window;
      if (!genesis_root_hex.empty())
        config.genesis_root = ROLLUP_TRY(from_hex_fixed<32>(genesis_root_hex));
      auto root = ROLLUP_TRY(l1::deploy(tool.db_path(), config, genesis));
      tool.notice(fmt::format("contract initialized: chain {} namespace {}, {} accounts, {} genesis accounts, root {}{}",
                              config.chain_id, config.namespace_id, crypto::scheme_name(config.sig_scheme),
                              genesis.size(), to_hex(root.root),
                              config.dev_mode ? " (dev mode)" : ""));
      return {};
    }

    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
    auto contract = ROLLUP_TRY(l1::open_contract(db));
    codec::LineWriter out;

    if (fund->parsed()) {
      auto account = ROLLUP_TRY(cli::parse_public_key(account_hex, "--to"));
      if (amount == 0 || amount >= kBalanceLimit) return fail(Errc::usage, "--amount must be 1..2^53-1");
      return contract->fund(account, amount);
    }
    if (deposit->parsed()) {
      auto key = ROLLUP_TRY(codec::read_account_key_file(key_file));
      PublicKey recipient = key.public_key();
      if (!to_hex_arg.empty()) recipient = ROLLUP_TRY(cli::parse_public_key(to_hex_arg, "--to"));
      if (amount == 0 || amount >= kBalanceLimit) return fail(Errc::usage, "--amount must be 1..2^53-1");
      const auto cfg = ROLLUP_TRY(contract->config());
      if (auto ok = crypto::check_public_key(cfg.sig_scheme, recipient, to_hex_arg.empty() ? "--key" : "--to"); !ok)
        return fail(Errc::usage, ok.error().message);
      auto queued = ROLLUP_TRY(contract->deposit(key.public_key(), recipient, amount));
      ROLLUP_TRY(out.write(l1::deposit_receipt_json(queued)));
      return out.finish();
    }
    if (freeze->parsed()) {
      auto reason = ROLLUP_TRY(contract->freeze());
      tool.notice("contract frozen: " + reason);
      return {};
    }
    if (check->parsed()) {
      auto problems = ROLLUP_TRY(contract->check());
      for (const auto& problem : problems) ROLLUP_TRY(out.write(l1::problem_json(problem)));
      ROLLUP_TRY(out.finish());
      if (!problems.empty())
        return fail(Errc::io, fmt::format("corrupt state file: {} problem(s) found", problems.size()));
      tool.notice("the state file is consistent");
      return {};
    }
    if (status->parsed()) {
      auto s = ROLLUP_TRY(contract->status());
      if (!s.initialized) return fail(Errc::rejected, "no rollup contract in " + tool.db_path());
      ROLLUP_TRY(out.write(l1::status_json(s)));
      return out.finish();
    }
    if (blocks->parsed()) {
      ROLLUP_TRY(contract->config());
      // Pages of blocks, so a long chain streams without being held in memory.
      for (std::uint64_t h = from; h <= to;) {
        std::uint64_t last = std::min<std::uint64_t>(to, h + 255);
        auto page = ROLLUP_TRY(contract->blocks(h, last));
        for (const auto& b : page) ROLLUP_TRY(out.write(b.body));
        if (page.size() < last - h + 1) break;
        if (last == UINT64_MAX) break;
        h = last + 1;
      }
      return out.finish();
    }
    if (roots->parsed()) {
      for (const auto& r : ROLLUP_TRY(contract->roots()))
        ROLLUP_TRY(out.write(l1::root_json(r)));
      return out.finish();
    }
    if (balances->parsed()) {
      ROLLUP_TRY(contract->config());
      for (const auto& [account, balance] : ROLLUP_TRY(contract->balances()))
        ROLLUP_TRY(out.write(l1::balance_json(account, balance)));
      return out.finish();
    }
    if (withdrawals->parsed()) {
      ROLLUP_TRY(contract->config());
      for (const auto& w : ROLLUP_TRY(contract->withdrawals()))
        ROLLUP_TRY(out.write(l1::withdrawal_json(w)));
      return out.finish();
    }
    if (claim->parsed()) {
      auto key = ROLLUP_TRY(codec::read_account_key_file(key_file));
      auto paid = ROLLUP_TRY(contract->claim(key.public_key()));
      ROLLUP_TRY(out.write(l1::payment_receipt_json("claim", key.public_key(), paid)));
      return out.finish();
    }
    if (exit_cmd->parsed()) {
      // The key file proves the caller owns the account being paid out.
      auto key = ROLLUP_TRY(codec::read_account_key_file(key_file));
      auto reader = ROLLUP_TRY(codec::LineReader::open(proof_file));
      auto line = ROLLUP_TRY(reader.next());
      if (!line) return fail(Errc::bad_input, proof_file + ": no account line");
      auto object = codec::parse_stream_object(line->text);
      if (!object) return fail(Errc::bad_input, line->where() + ": " + object.error().message);
      auto answer = vm::parse_account(*object);
      if (!answer) return fail(Errc::bad_input, line->where() + ": " + answer.error().message);
      if (answer->account.key != key.public_key())
        return fail(Errc::rejected, "the proof is for " + to_hex(answer->account.key) + ", not this key's account");
      PublicKey pay_to = key.public_key();
      if (!pay_to_hex.empty()) pay_to = ROLLUP_TRY(cli::parse_public_key(pay_to_hex, "--to"));
      auto paid = ROLLUP_TRY(contract->exit(key.public_key(), answer->account.balance, answer->account.nonce,
                                            answer->proof, pay_to));
      ROLLUP_TRY(out.write(l1::payment_receipt_json("exit", key.public_key(), paid)));
      return out.finish();
    }
    return fail(Errc::usage, "no subcommand");
  });
}
