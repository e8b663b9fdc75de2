#pragma once
// Builds blocks for the STF and AIR tests: deposits and txs of one namespace, hashes filled in.
#include "codec/objects.hpp"

namespace rollup::test {

template <std::uint32_t kNamespace>
struct BasicBlockBuilder {
  codec::Block block;
  explicit BasicBlockBuilder(const PublicKey& fee_recipient, std::uint64_t height = 1,
                             std::uint64_t deposit_first = 0) {
    block.height = height;
    block.fee_recipient = fee_recipient;
    block.deposit_first = deposit_first;
    block.namespaces.push_back(codec::NamespaceTxs{kNamespace, {}, {}});
  }
  BasicBlockBuilder& deposit(const PublicKey& to, std::uint64_t amount) {
    block.deposits.push_back(codec::Deposit{block.deposit_first + block.deposits.size(), to, to, amount});
    return *this;
  }
  BasicBlockBuilder& tx(const codec::Tx& t) {
    block.namespaces[0].txs.push_back(t);
    return *this;
  }
  codec::Block done() {
    block.namespaces[0].tx_hash = codec::tx_list_hash(block.namespaces[0].txs);
    block.hash = block.compute_hash();
    return block;
  }
};

}  // namespace rollup::test
