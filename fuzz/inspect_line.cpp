// rollup-inspect's explanations of any line: a line that is not a valid object of a kind inspect
// explains is bad input and nothing else; one that is gets both renderings, and the JSON one parses
// back with the explanation's object and verdict.
#include "fuzz.hpp"
#include "inspect/explain.hpp"

using namespace rollup;

FUZZ_TARGET(inspect_line) {
  auto object = codec::parse_stream_object(fuzz::as_text(data));
  if (!object) return;
  inspect::Context none;
  auto explained = inspect::explain_object(*object, none);
  if (!explained) {
    FUZZ_CHECK(inspect_line, explained.error().code == Errc::bad_input);
    return;
  }
  FUZZ_CHECK(inspect_line, !inspect::render_text(*explained).empty());
  auto json = codec::parse_json(inspect::render_json(*explained));
  FUZZ_CHECK(inspect_line, json.has_value());
  FUZZ_CHECK(inspect_line, (*json)["object"] == explained->object);
  FUZZ_CHECK(inspect_line, (*json)["holds"] == explained->holds());
}
