#include "l1/genesis.hpp"

#include <set>

#include "core/limits.hpp"
#include "codec/ndjson.hpp"
#include "crypto/crypto.hpp"
#include "smt/key_set.hpp"

namespace rollup::l1 {

Result<std::vector<GenesisAccount>> read_genesis_file(const std::string& path) {
  auto reader = ROLLUP_TRY(codec::LineReader::open(path));
  std::vector<GenesisAccount> out;
  for (;;) {
    auto line = ROLLUP_TRY(reader.next());
    if (!line) break;
    // The strict parser of every other input: no duplicate keys, NUL bytes or unholdable numbers.
    auto parsed = codec::parse_json(line->text);
    if (!parsed) return fail(Errc::bad_input, line->where() + ": " + parsed.error().message);
    const codec::Json& json = *parsed;
    if (!json.is_object()) return fail(Errc::bad_input, line->where() + ": not a JSON object");
    codec::FieldReader f(json, "genesis");
    auto key = f.key("pubkey");
    auto balance = f.u53("balance");
    auto done = f.finish();
    if (!key || !balance || !done) {
      const Error& e = !key ? key.error() : !balance ? balance.error() : done.error();
      return fail(Errc::bad_input, line->where() + ": " + e.message);
    }
    out.push_back(GenesisAccount{*key, *balance});
  }
  return out;
}

std::vector<GenesisAccount> dev_genesis(std::uint64_t count, std::uint64_t balance,
                                        crypto::SignatureScheme scheme) {
  std::vector<GenesisAccount> out;
  out.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i)
    out.push_back(GenesisAccount{crypto::dev_account_key(scheme, i).public_key(), balance});
  return out;
}

Status check_genesis(const std::vector<GenesisAccount>& genesis) {
  std::set<PublicKey> seen;
  for (const auto& g : genesis) {
    if (!seen.insert(g.key).second) return fail(Errc::bad_input, "genesis lists " + to_hex(g.key) + " twice");
    if (g.balance >= kBalanceLimit) return fail(Errc::bad_input, "genesis balance must be below 2^53");
  }
  return {};
}

smt::KeySetCommitment genesis_keys(const std::vector<GenesisAccount>& genesis) {
  std::vector<PublicKey> keys;
  keys.reserve(genesis.size());
  for (const auto& g : genesis) keys.push_back(g.key);
  return smt::key_set_commitment(keys, 2);
}

}  // namespace rollup::l1
