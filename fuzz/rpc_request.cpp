// A JSON-RPC request body to rollup-serve's node: any bytes get either no answer (notifications
// only) or a JSON-RPC 2.0 answer (an object with "result" or "error", or an array of them),
// never a crash. The node runs on a small state file made once per process: a contract with
// dev accounts and one executed block.
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "crypto/crypto.hpp"
#include "fuzz.hpp"
#include "l1/contract.hpp"
#include "l1/genesis.hpp"
#include "rpc/node.hpp"
#include "seq/sequencer.hpp"
#include "store/db.hpp"
#include "vm/executor.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;

namespace {

struct FuzzNode {
  std::filesystem::path dir;
  std::unique_ptr<rpc::Node> node;

  FuzzNode() {
    dir =
        std::filesystem::temp_directory_path() / ("rollup-fuzz-rpc-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "rollup.db").string();
    const auto sequencer_key = crypto::dev_key(1000);
    {
      auto db = store::Db::open(path, store::OpenMode::create_if_missing).value();
      auto contract = l1::open_contract(db).value();
      l1::Config c;
      c.chain_id = 1;
      c.namespace_id = 1;
      c.sequencer = sequencer_key.public_key;
      c.dev_mode = true;
      if (!contract->init(c, l1::dev_genesis(4, 1000))) invalid("init");
      auto sequencer = seq::Sequencer::open(db, *contract, sequencer_key, {}).value();
      if (!sequencer.add(wallet::sign_transfer(crypto::dev_key(0), crypto::dev_key(1).public_key, 1,
                                               0, 0, {1, 1}),
                         300))
        invalid("add");
      auto block = sequencer.cut().value().value().block;
      if (!contract->commit_block(block)) invalid("commit");
      auto executor = vm::Executor::open(db, *contract, 1, true).value();
      if (!executor->apply(block) || !executor->finish()) invalid("apply");
    }
    node = rpc::Node::open(path, {}).value();
  }
  ~FuzzNode() {
    node.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  [[noreturn]] static void invalid(const char* what) {
    fuzz::invariant_failed("rpc_request", what);
  }
};

bool is_answer(const codec::Json& j) {
  return j.is_object() && j.value("jsonrpc", "") == "2.0" && j.contains("id") &&
         (j.contains("result") != j.contains("error"));
}

}  // namespace

FUZZ_TARGET(rpc_request) {
  static FuzzNode fuzz_node;
  auto answer = fuzz_node.node->handle(fuzz::as_text(data));
  if (!answer) return;
  auto parsed = codec::Json::parse(*answer, nullptr, false);
  FUZZ_CHECK(rpc_request, !parsed.is_discarded());
  if (parsed.is_array()) {
    FUZZ_CHECK(rpc_request, !parsed.empty());
    for (const auto& one : parsed) FUZZ_CHECK(rpc_request, is_answer(one));
  } else {
    FUZZ_CHECK(rpc_request, is_answer(parsed));
  }
}
