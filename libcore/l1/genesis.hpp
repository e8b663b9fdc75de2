#pragma once
// Genesis accounts for `rollup-l1 init`: from an NDJSON file or the numbered dev keys.
#include <string>
#include <vector>

#include "l1/contract.hpp"

namespace rollup::l1 {

/// Lines `{"pubkey":"0x…","balance":N}`, in index order.
Result<std::vector<GenesisAccount>> read_genesis_file(const std::string& path);
/// Dev keys 0..count-1 (crypto::dev_key), each with `balance`.
std::vector<GenesisAccount> dev_genesis(std::uint64_t count, std::uint64_t balance,
                                        crypto::SignatureScheme scheme = crypto::SignatureScheme::ed25519);
/// No key twice, every balance below 2^53.
Status check_genesis(const std::vector<GenesisAccount>& genesis);
/// The key-set commitment of the genesis accounts (docs/air.md §2): the contract stores it with
/// the genesis root, and the first proof starts from it.
smt::KeySetCommitment genesis_keys(const std::vector<GenesisAccount>& genesis);

}  // namespace rollup::l1
