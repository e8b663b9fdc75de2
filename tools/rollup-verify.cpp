// rollup-verify: checks proof lines and writes a verdict for each.
#include <fmt/format.h>

#include "air/session.hpp"
#include "cli/tool.hpp"
#include "core/memory.hpp"
#include "l1/contract.hpp"
#include "rpc/remote.hpp"
#include "store/db.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-verify",
                 "Verify each proof line against the block committed at its height (or the stream's block\n"
                 "line before it) and a trusted pre-state: the genesis, a proof verified earlier in the run,\n"
                 "a root the contract verified, or the chain of stored proofs below. Write a verdict line\n"
                 "per proof; exit 1 if any proof is invalid. Other lines pass through unchanged.\n"
                 "With --rpc URL HEIGHT..., fetch the proof covering each height and the blocks it covers\n"
                 "from a rollup-serve instead of reading stdin, and verify them against the contract in --db.",
                 "rollup-exec | rollup-prove | rollup-verify\n"
                 "  rollup-verify --rpc http://127.0.0.1:8545 12");
  tool.add_db_option();
  tool.add_input_option();
  unsigned min_bits = 100;
  cli::add_unsigned(tool.app(), "--min-security", min_bits,
                    "Reject proofs below this many bits of conjectured security", 1, 128)
      ->capture_default_str();
  std::string rpc_url;
  tool.app().add_option("--rpc", rpc_url,
                        "Fetch proofs and blocks from the rollup-serve at this URL; the arguments are then\n"
                        "the heights whose proofs to verify, not input files");

  return tool.run(argc, argv, [&]() -> Status {
    keep_freed_heap();  // proof after proof in the same few MB
    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
    auto contract = ROLLUP_TRY(l1::open_contract(db));
    auto session = ROLLUP_TRY(air::VerifierSession::open(db, *contract, min_bits));
    codec::LineWriter out;
    std::uint64_t invalid = 0;
    auto record = [&](const air::Verdict& verdict, const std::string& where) -> Status {
      if (!verdict.valid) {
        ++invalid;
        const std::string blocks = verdict.last_height > verdict.height
                                       ? fmt::format("blocks {}..{}", verdict.height, verdict.last_height)
                                       : fmt::format("block {}", verdict.height);
        tool.error(fmt::format("{}: the proof of {} is invalid: {}", where, blocks, verdict.reason));
      }
      return out.write(air::to_json(verdict));
    };
    auto finish = [&]() -> Status {
      ROLLUP_TRY(out.finish());
      if (invalid > 0) return fail(Errc::rejected, fmt::format("{} invalid proof{}", invalid, invalid == 1 ? "" : "s"));
      return {};
    };
    if (!rpc_url.empty()) {
      std::vector<std::uint64_t> heights;
      for (const auto& arg : tool.inputs()) heights.push_back(ROLLUP_TRY(cli::parse_unsigned(arg, "HEIGHT", 1)));
      if (tool.inputs() == std::vector<std::string>{"-"}) return fail(Errc::usage, "--rpc URL takes the HEIGHTs to verify");
      auto client = ROLLUP_TRY(rpc::Client::open(rpc_url));
      for (const std::uint64_t h : heights)
        ROLLUP_TRY(record(ROLLUP_TRY(rpc::verify_from_server(client, *session, h)), fmt::format("{} height {}", rpc_url, h)));
      return finish();
    }
    ROLLUP_TRY(tool.for_each_object([&](const codec::Line& line, const codec::Json& object) -> Status {
      const std::string kind = codec::kind_of(object);
      if (kind == "block") {
        session->remember_block(ROLLUP_TRY(codec::parse_block(object)));
        return out.write(line.text);
      }
      if (kind != "proof") return out.write(line.text);
      auto proof = ROLLUP_TRY(air::parse_proof_line(object));
      return record(ROLLUP_TRY(session->verify(proof)), line.where());
    }));
    return finish();
  });
}
