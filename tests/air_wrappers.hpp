#pragma once
// An AIR as another AIR with no head (stark::Air::head_constraints empty): the same statement,
// which the prover then evaluates without splitting its constraints. Tests prove both and
// compare the bytes: the split must never change a proof.
#include <catch2/catch.hpp>

#include <span>
#include <vector>

#include "field/packed.hpp"
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

/// Requires `air`'s head, evaluated alone on the rows of `rows` (its `out` unused) with every
/// vector instruction set this CPU has and by stark::Air's default, to give the head's columns of
/// `whole`: every constraint evaluated on the same rows, `rows.stride` apart. The periodic
/// columns of `rows` must be zero where they are as long as the trace (a head reads none).
inline void require_head_as_whole(const stark::Air& air, const stark::RowBlock& rows,
                                  std::span<const stark::Felt> whole) {
  const std::vector<std::size_t> head = air.head_constraints();
  const std::size_t stride = rows.stride;
  auto check = [&](auto&& evaluate_head) {
    std::vector<stark::Felt> got(head.size() * stride);
    evaluate_head(stark::RowBlock{rows.rows, stride, rows.current, rows.next, rows.periodic, got});
    for (std::size_t j = 0; j < head.size(); ++j)
      for (std::size_t r = 0; r < rows.rows; ++r) REQUIRE(got[j * stride + r] == whole[head[j] * stride + r]);
  };
  const auto saved = field::vector_isa();
  for (field::VectorIsa isa : field::supported_vector_isas()) {
    INFO("head, instruction set " << field::vector_isa_name(isa));
    field::detail::set_vector_isa(isa);
    check([&](const stark::RowBlock& b) { air.evaluate_head_rows(b); });
  }
  field::detail::set_vector_isa(saved);
  check([&](const stark::RowBlock& b) { air.stark::Air::evaluate_head_rows(b); });
}

}  // namespace rollup::test
