#include "rpc/remote.hpp"

#include <fmt/format.h>

#include "codec/objects.hpp"

namespace rollup::rpc {

Result<vm::AccountAnswer> fetch_account(Client& client, const PublicKey& key, std::optional<std::uint64_t> height) {
  const codec::Json at = height ? codec::Json(*height) : codec::Json("latest");
  auto object = ROLLUP_TRY(client.call("rollup_getProof", codec::Json::array({to_hex(key), at})));
  auto answer = vm::parse_account(object);
  if (!answer) return fail(Errc::io, fmt::format("{}: rollup_getProof: not an account line: {}", client.url(),
                                                 answer.error().message));
  if (answer->account.key != key)
    return fail(Errc::io, fmt::format("{}: rollup_getProof answered for {}, not for the account asked", client.url(),
                                      to_hex(answer->account.key)));
  if (height && answer->height != *height)
    return fail(Errc::io, fmt::format("{}: rollup_getProof answered at height {}, not at {}", client.url(),
                                      answer->height, *height));
  return answer;
}

Result<air::Verdict> verify_from_server(Client& client, air::VerifierSession& session, std::uint64_t height) {
  auto object = ROLLUP_TRY(client.call("rollup_getBlockProof", codec::Json::array({height})));
  auto line = air::parse_proof_line(object);
  if (!line)
    return fail(Errc::io, fmt::format("{}: rollup_getBlockProof: not a proof line: {}", client.url(),
                                      line.error().message));
  if (line->height > height || line->last_height < height)
    return fail(Errc::io, fmt::format("{}: rollup_getBlockProof({}) answered a proof of blocks {}..{}", client.url(),
                                      height, line->height, line->last_height));
  for (std::uint64_t h = line->height; h <= line->last_height; ++h) {
    auto answer = ROLLUP_TRY(client.call("rollup_getBlock", codec::Json::array({h, true})));
    if (!answer.is_object() || !answer.contains("block"))
      return fail(Errc::io, fmt::format("{}: rollup_getBlock({}, true) has no block", client.url(), h));
    auto block = codec::parse_block(answer["block"]);
    if (!block)
      return fail(Errc::io, fmt::format("{}: rollup_getBlock({}): not a block: {}", client.url(), h,
                                        block.error().message));
    if (block->height != h)
      return fail(Errc::io, fmt::format("{}: rollup_getBlock({}) answered block {}", client.url(), h, block->height));
    session.remember_block(std::move(*block));
  }
  return session.verify(*line);
}

Result<vm::RemoteHistory> remote_history(Client& client) {
  auto status = ROLLUP_TRY(client.call("rollup_status", codec::Json::array()));
  if (!status.is_object() || !status.contains("executed") || !status["executed"].is_number_unsigned())
    return fail(Errc::io, client.url() + ": rollup_status has no executed height");
  return vm::RemoteHistory{client.url(), status["executed"].get<std::uint64_t>(), [&client](std::uint64_t h) {
                             return client.call("rollup_getReceipts", codec::Json::array({h}));
                           }};
}

}  // namespace rollup::rpc
