#pragma once
// The malicious-prover tests' deviations from the protocol (ProverFaults), all in one place. The
// prover consults a FaultHook at three named points and otherwise knows nothing about faults;
// an honest prover's hook does nothing. Internal to stark/.
#include <cstddef>
#include <span>
#include <vector>

#include "field/ext2.hpp"
#include "stark/air.hpp"
#include "stark/protocol.hpp"
#include "stark/prover.hpp"

namespace rollup::stark {

class FaultHook {
 public:
  FaultHook() = default;  ///< the honest prover
  explicit FaultHook(const ProverFaults& faults) : faults_(faults) {}

  /// Whether the honest prover's self-checks run: the trace against the AIR, the composition
  /// polynomial's and the FRI remainder's degree bounds. A prover with any fault skips them so
  /// that it emits its (bad) proof.
  bool self_checks() const { return !faults_.any(); }

  /// Called with the out-of-domain frame before it enters the transcript (`alphas`: the
  /// composition coefficients, `z`: the out-of-domain point). alter_ood: lie about T_0(z) and
  /// patch the first segment so that the out-of-domain check still passes.
  void on_ood_frame(const Air& air, std::span<const Ext2> alphas, Ext2 z,
                    protocol::OodFrame& frame) const;

  /// Called with FRI layer `layer`'s values on the coset shift * <w_size> before it is
  /// committed (layer = fri_layers: the last fold, before it is interpolated into the
  /// remainder). fri_substitute_layer: replace them by the evaluations of an unrelated
  /// polynomial of degree < `degree_bound`, the layer's.
  void on_fri_layer(unsigned layer, std::size_t degree_bound, Felt shift,
                    std::vector<Ext2>& values) const;

 private:
  ProverFaults faults_;
};

}  // namespace rollup::stark
