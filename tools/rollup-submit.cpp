// rollup-submit: sends blocks and validity proofs to the rollup contract.
#include <fmt/format.h>

#include "cli/tool.hpp"
#include "core/memory.hpp"
#include "air/block_proof.hpp"
#include "air/contract_verifier.hpp"
#include "hash/rpo.hpp"
#include "l1/contract.hpp"
#include "l1/views.hpp"
#include "store/db.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-submit",
                 "Commit block lines to the rollup contract and echo them with the contract's receipt; have\n"
                 "the contract verify proof lines and store their post-state roots, answered with an\n"
                 "l1.receipt. The contract accepts no root without a proof.\n"
                 "Other lines pass through unchanged.",
                 "rollup-seq --key seq.key | rollup-submit | rollup-exec | rollup-prove | rollup-submit");
  tool.add_db_option();
  tool.add_input_option();
  return tool.run(argc, argv, [&]() -> Status {
    keep_freed_heap();  // the contract verifies proof after proof in the same few MB
    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
    auto contract = ROLLUP_TRY(l1::open_contract(db));
    ROLLUP_TRY(contract->config());
    codec::LineWriter out;
    ROLLUP_TRY(tool.for_each_object([&](const codec::Line& line, const codec::Json& object) -> Status {
      std::string kind = codec::kind_of(object);
      if (kind == "block") {
        auto block = ROLLUP_TRY(codec::parse_block(object));
        auto receipt = ROLLUP_TRY(contract->commit_block(block));
        if (receipt.already_committed)
          tool.notice(fmt::format("{}: block {} is already committed", line.where(), block.height));
        return out.write(codec::to_json(block, receipt.annotation_json()));
      }
      if (kind == "proof") {
        auto proof = ROLLUP_TRY(air::parse_proof_line(object));
        l1::ProofClaim claim{proof.height,
                             proof.block_hash,
                             proof.pre_root,
                             proof.post_root,
                             proof.pre_keys,
                             proof.post_keys,
                             proof.last_height};
        auto root = ROLLUP_TRY(contract->submit_proof(claim, proof.proof, air::contract_verifier()));
        return out.write(l1::root_receipt_json(root));
      }
      return out.write(line.text);
    }));
    return out.finish();
  });
}
