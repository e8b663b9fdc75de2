// rollup-verify: checks proof lines and writes a verdict for each.
#include <fmt/format.h>

#include "air/session.hpp"
#include "cli/tool.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-verify",
                 "Verify each proof line against the block committed at its height (or the stream's block\n"
                 "line before it) and a trusted pre-state: the genesis, a proof verified earlier in the run,\n"
                 "a root the contract verified, or the chain of stored proofs below. Write a verdict line\n"
                 "per proof; exit 1 if any proof is invalid. Other lines pass through unchanged.",
                 "rollup-exec | rollup-prove | rollup-verify");
  tool.add_db_option();
  tool.add_input_option();
  unsigned min_bits = 100;
  cli::add_unsigned(tool.app(), "--min-security", min_bits,
                    "Reject proofs below this many bits of conjectured security", 1, 128)
      ->capture_default_str();

  return tool.run(argc, argv, [&]() -> Status {
    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
    auto contract = ROLLUP_TRY(l1::open_contract(db));
    auto session = ROLLUP_TRY(air::VerifierSession::open(db, *contract, min_bits));
    codec::LineWriter out;
    std::uint64_t invalid = 0;
    ROLLUP_TRY(tool.for_each_object([&](const codec::Line& line, const codec::Json& object) -> Status {
      const std::string kind = codec::kind_of(object);
      if (kind == "block") {
        session->remember_block(ROLLUP_TRY(codec::parse_block(object)));
        return out.write(line.text);
      }
      if (kind != "proof") return out.write(line.text);
      auto proof = ROLLUP_TRY(air::parse_proof_line(object));
      auto verdict = ROLLUP_TRY(session->verify(proof));
      if (!verdict.valid) {
        ++invalid;
        const std::string blocks = verdict.last_height > verdict.height
                                       ? fmt::format("blocks {}..{}", verdict.height, verdict.last_height)
                                       : fmt::format("block {}", verdict.height);
        tool.error(fmt::format("{}: the proof of {} is invalid: {}", line.where(), blocks, verdict.reason));
      }
      return out.write(air::to_json(verdict));
    }));
    ROLLUP_TRY(out.finish());
    if (invalid > 0) return fail(Errc::rejected, fmt::format("{} invalid proof{}", invalid, invalid == 1 ? "" : "s"));
    return {};
  });
}
