#include "l1/views.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace rollup::l1 {

std::string status_json(const ContractStatus& s) {
  nlohmann::ordered_json j = {{"kind", "l1.status"},
                              {"v", 1},
                              {"chain_id", s.config.chain_id},
                              {"namespace", s.config.namespace_id},
                              {"sequencer", to_hex(s.config.sequencer)},
                              {"genesis_root", to_hex(s.config.genesis_root)},
                              {"deposit_deadline_s", s.config.deposit_deadline_s},
                              {"max_block_ops", s.config.max_block_ops},
                              {"accounts_bound", s.accounts_bound},
                              {"next_block_max_txs", s.next_block_max_txs},
                              {"dev_mode", s.config.dev_mode},
                              {"sig_scheme", crypto::scheme_name(s.config.sig_scheme)},
                              {"l1_time", s.l1_time},
                              {"height", s.height},
                              {"deposits_total", s.deposits_queued},
                              {"deposits_consumed", s.deposits_consumed},
                              {"deposits_refunded", s.deposits_refunded},
                              {"deposits_pending", s.deposits_pending},
                              {"equivocations", s.equivocations},
                              {"frozen", s.config.frozen}};
  if (s.config.frozen) j["frozen_reason"] = s.config.frozen_reason;
  if (s.latest_root)
    j["latest_root"] = {{"height", s.latest_root->height},
                        {"root", to_hex(s.latest_root->root)},
                        {"status", "verified"}};
  return j.dump();
}

std::string problem_json(const std::string& problem) {
  return nlohmann::ordered_json{{"kind", "l1.problem"}, {"v", 1}, {"problem", problem}}.dump();
}

std::string root_json(const RootRecord& r) {
  return fmt::format(
      R"({{"kind":"l1.root","v":1,"height":{},"root":"{}","status":"verified","keys":{{"root":"{}","count":{}}}}})",
      r.height, to_hex(r.root), to_hex(r.keys.root), r.keys.count);
}

std::string balance_json(const PublicKey& account, std::uint64_t balance) {
  return fmt::format(R"({{"kind":"l1.balance","v":1,"account":"{}","balance":{}}})", to_hex(account),
                     balance);
}

std::string withdrawal_json(const WithdrawalRecord& w) {
  return fmt::format(
      R"({{"kind":"l1.withdrawal","v":1,"id":{},"height":{},"account":"{}","amount":{},"status":"{}"}})",
      w.id, w.height, to_hex(w.account), w.amount, w.paid ? "paid" : "payable");
}

std::string deposit_receipt_json(const QueuedDeposit& q) {
  return fmt::format(
      R"({{"kind":"l1.receipt","v":1,"what":"deposit","index":{},"from":"{}","to":"{}","amount":{},"due_at":{}}})",
      q.deposit.index, to_hex(q.deposit.from), to_hex(q.deposit.to), q.deposit.amount, q.due_at);
}

std::string root_receipt_json(const RootRecord& r) {
  return fmt::format(R"({{"kind":"l1.receipt","v":1,"what":"proof","height":{},"root":"{}","status":"verified"}})",
                     r.height, to_hex(r.root));
}

std::string payment_receipt_json(std::string_view what, const PublicKey& account, std::uint64_t amount) {
  return fmt::format(R"({{"kind":"l1.receipt","v":1,"what":"{}","account":"{}","amount":{}}})", what,
                     to_hex(account), amount);
}

Result<std::optional<codec::Block>> committed_block(Contract& contract, std::uint64_t height) {
  auto stored = ROLLUP_TRY(contract.block_at(height));
  if (!stored) return std::optional<codec::Block>{};
  auto block = codec::parse_block(codec::Json::parse(stored->body, nullptr, false));
  if (!block)
    return fail(Errc::internal, fmt::format("the contract's block {} does not parse: {}", height, block.error().message));
  return std::optional<codec::Block>(std::move(*block));
}

}  // namespace rollup::l1
