#pragma once
// An AIR as another AIR with no head (stark::Air::head_constraints empty): the same statement,
// which the prover then evaluates without splitting its constraints. Tests prove both and
// compare the bytes: the split must never change a proof.
#include "stark/air.hpp"

namespace rollup::test {

class WithoutHead : public stark::Air {
 public:
  explicit WithoutHead(const stark::Air& air) : air_(air) {}

  std::string id() const override { return air_.id(); }
  std::size_t trace_width() const override { return air_.trace_width(); }
  std::size_t trace_length() const override { return air_.trace_length(); }
  Bytes public_inputs() const override { return air_.public_inputs(); }
  std::vector<unsigned> transition_degrees() const override { return air_.transition_degrees(); }
  std::vector<std::vector<stark::Felt>> periodic_columns() const override { return air_.periodic_columns(); }
  std::vector<std::size_t> periodic_periods() const override { return air_.periodic_periods(); }
  bool periodic_values_at(const stark::Ext2& z, std::span<stark::Ext2> out) const override {
    return air_.periodic_values_at(z, out);
  }
  std::vector<stark::BoundaryConstraint> boundary_constraints() const override {
    return air_.boundary_constraints();
  }
  void evaluate_transition(std::span<const stark::Felt> current, std::span<const stark::Felt> next,
                           std::span<const stark::Felt> periodic, std::span<stark::Felt> out) const override {
    air_.evaluate_transition(current, next, periodic, out);
  }
  void evaluate_transition_ext(std::span<const stark::Ext2> current, std::span<const stark::Ext2> next,
                               std::span<const stark::Ext2> periodic, std::span<stark::Ext2> out) const override {
    air_.evaluate_transition_ext(current, next, periodic, out);
  }
  void evaluate_transition_rows(const stark::RowBlock& block) const override {
    air_.evaluate_transition_rows(block);
  }

 private:
  const stark::Air& air_;
};

}  // namespace rollup::test
