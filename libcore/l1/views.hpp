#pragma once
// The contract's answers as stream objects (docs/formats.md, "Contract views" and l1.receipt).
#include <optional>
#include <string>

#include "l1/contract.hpp"

namespace rollup::l1 {

std::string status_json(const ContractStatus& status);
/// One problem `rollup-l1 check` found: {"kind":"l1.problem","v":1,"problem":"table row: what"}.
std::string problem_json(const std::string& problem);
std::string root_json(const RootRecord& root);
std::string balance_json(const PublicKey& account, std::uint64_t balance);
std::string withdrawal_json(const WithdrawalRecord& withdrawal);
std::string deposit_receipt_json(const QueuedDeposit& deposit);
/// The answer to a proof the contract verified: the height's new root.
std::string root_receipt_json(const RootRecord& root);
/// `what` is "claim" or "exit", with the amount paid.
std::string payment_receipt_json(std::string_view what, const PublicKey& account, std::uint64_t amount);

/// The block the contract committed at `height`, parsed (nullopt when it has none). A stored body
/// that does not parse is Errc::internal: the contract checked it when it took it.
Result<std::optional<codec::Block>> committed_block(Contract& contract, std::uint64_t height);

}  // namespace rollup::l1
