#pragma once
// The untrusting clients of a rollup-serve (step 8 of the flow): what rollup-query --rpc and
// rollup-verify --rpc fetch, and the checks that make a server's answer worth something. The
// truth they check against is always the contract, read from the caller's own state file.
#include <cstdint>
#include <optional>

#include "air/session.hpp"
#include "rpc/client.hpp"
#include "vm/query.hpp"
#include "vm/replay.hpp"

namespace rollup::rpc {

/// The server's account with its Merkle proof for `key` at `height` (nullopt: its latest). The
/// answer is only parsed: Errc::io when it is not an account line for that key and height; check
/// it with vm::check_against_contract.
Result<vm::AccountAnswer> fetch_account(Client& client, const PublicKey& key, std::optional<std::uint64_t> height);

/// The server's proof covering `height`, verified with the blocks it covers fetched from the
/// server too: each must be signed by the contract's sequencer and be the block the contract
/// committed, and the proof must lead from a pre-state `session` trusts (air::VerifierSession).
/// Errc::io when the server has no such proof or answers something else.
Result<air::Verdict> verify_from_server(Client& client, air::VerifierSession& session, std::uint64_t height);

/// rollup-bisect --rpc's other side: the server's executed height (rollup_status) and its exec
/// line at a height (rollup_getReceipts), asked through `client`, which must outlive it.
Result<vm::RemoteHistory> remote_history(Client& client);

}  // namespace rollup::rpc
