#pragma once
// What rollup-inspect prints: an explanation of one stream object or stored item, built once and
// rendered two ways, aligned text for a person and one JSON object for a machine. Facts are the
// object's own figures; checks are what inspect recomputed (a signature, a hash path, the
// contract's view) and whether it holds, so an explanation never merely repeats its input.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rollup::inspect {

/// Field order is the explanation's order: a person reads the JSON too.
using OrderedJson = nlohmann::ordered_json;

/// One figure: `key` names it in JSON (and, with '_' as ' ', in text); `value` is the machine
/// form, `text` what a person reads (the value itself when empty).
struct Fact {
  std::string key;
  OrderedJson value;
  std::string text;
  bool json_only = false;  ///< what the text already says another way (a compact line's words)
};

/// A group of facts with sub-lists (a block's namespaces, a proof's sections, an account's
/// levels). A `compact` section is one line of text: lists of many small items read better so;
/// there a fact named `words` (a sentence) is shown without its label.
struct Section {
  std::string heading;
  bool compact = false;
  std::vector<Fact> facts;
  /// A named list of sections (a JSON array), or a single one (`group`: a JSON object).
  struct Child {
    std::string key;
    bool group = false;
    std::vector<Section> items;
  };
  std::vector<Child> children;

  Section& add(std::string key, OrderedJson value, std::string text = {});
  /// A fact for machines only.
  Section& add_json(std::string key, OrderedJson value);
  /// The list named `key`, made on first use; items keep their order.
  std::vector<Section>& list(const std::string& key);
  /// A nested section named `key` (made on first use), e.g. a proof's STARK parameters.
  Section& group(const std::string& key);
};

/// holds: recomputed and true; fails: recomputed and false (exit 1); open: cannot be told yet,
/// e.g. the contract has no block or no root at that height.
enum class Outcome { holds, fails, open };
std::string_view outcome_name(Outcome outcome);

struct Check {
  std::string name;  ///< snake_case, as in JSON: "sequencer_signature"
  Outcome outcome = Outcome::holds;
  std::string detail;  ///< why, in words
};

struct Explanation {
  std::string object;   ///< what is explained: "tx", "block", "exec", "proof", "account", ...
  std::string summary;  ///< one sentence
  Section body;
  std::vector<Check> checks;

  void check(std::string name, Outcome outcome, std::string detail);
  void check(std::string name, bool holds, std::string detail) {
    check(std::move(name), holds ? Outcome::holds : Outcome::fails, std::move(detail));
  }
  /// False when any check fails (an open check does not).
  bool holds() const;
};

/// Aligned text: the summary, the facts, the lists, then the checks, one per line.
std::string render_text(const Explanation& explanation);
/// One compact JSON line: {"kind":"inspect","v":1,"object":…,"summary":…,<facts and lists>,
/// "checks":[{"check":…,"outcome":…,"detail":…}],"holds":…}.
std::string render_json(const Explanation& explanation);

}  // namespace rollup::inspect
