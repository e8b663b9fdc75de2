#include "inspect/explanation.hpp"

#include <algorithm>

namespace rollup::inspect {

Section& Section::add(std::string key, OrderedJson value, std::string text) {
  facts.push_back(Fact{std::move(key), std::move(value), std::move(text)});
  return *this;
}

Section& Section::add_json(std::string key, OrderedJson value) {
  facts.push_back(Fact{std::move(key), std::move(value), {}, true});
  return *this;
}

std::vector<Section>& Section::list(const std::string& key) {
  for (auto& child : children)
    if (child.key == key) return child.items;
  return children.push_back(Child{key, false, {}}), children.back().items;
}

Section& Section::group(const std::string& key) {
  for (auto& child : children)
    if (child.key == key) return child.items.front();
  children.push_back(Child{key, true, {Section{}}});
  return children.back().items.front();
}

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::holds:
      return "holds";
    case Outcome::fails:
      return "fails";
    case Outcome::open:
      return "open";
  }
  return "open";
}

void Explanation::check(std::string name, Outcome outcome, std::string detail) {
  checks.push_back(Check{std::move(name), outcome, std::move(detail)});
}

bool Explanation::holds() const {
  return std::none_of(checks.begin(), checks.end(),
                      [](const Check& c) { return c.outcome == Outcome::fails; });
}

namespace {

std::string label_of(const std::string& key) {
  std::string label = key;
  std::replace(label.begin(), label.end(), '_', ' ');
  return label;
}

std::string text_of(const Fact& fact) {
  if (!fact.text.empty()) return fact.text;
  if (fact.value.is_string()) return fact.value.get<std::string>();
  if (fact.value.is_boolean()) return fact.value.get<bool>() ? "yes" : "no";
  return fact.value.dump();
}

void render_section(const Section& section, std::size_t indent, std::string& out) {
  const std::string pad(indent, ' ');
  if (section.compact) {
    out += pad + section.heading;
    for (const auto& fact : section.facts)
      if (!fact.json_only)
        out += "  " + (fact.key == "words" ? "" : label_of(fact.key) + " ") + text_of(fact);
    out += '\n';
  } else {
    if (!section.heading.empty()) out += pad + section.heading + '\n';
    const std::size_t inner = section.heading.empty() ? indent : indent + 2;
    std::size_t width = 0;
    for (const auto& fact : section.facts)
      if (!fact.json_only) width = std::max(width, label_of(fact.key).size());
    for (const auto& fact : section.facts) {
      if (fact.json_only) continue;
      std::string label = label_of(fact.key);
      label.resize(width, ' ');
      out += std::string(inner, ' ') + label + "  " + text_of(fact) + '\n';
    }
    for (const auto& child : section.children) {
      out += std::string(inner, ' ') + label_of(child.key) + ":" +
             (child.items.empty() ? " none" : "") + '\n';
      for (const auto& item : child.items) render_section(item, inner + 2, out);
    }
  }
}

OrderedJson json_of(const Section& section) {
  OrderedJson object = OrderedJson::object();
  for (const auto& fact : section.facts) object[fact.key] = fact.value;
  for (const auto& child : section.children) {
    if (child.group) {
      object[child.key] = json_of(child.items.front());
      continue;
    }
    OrderedJson array = OrderedJson::array();
    for (const auto& item : child.items) array.push_back(json_of(item));
    object[child.key] = std::move(array);
  }
  return object;
}

}  // namespace

std::string render_text(const Explanation& e) {
  std::string out = e.summary + '\n';
  render_section(e.body, 2, out);
  if (!e.checks.empty()) {
    out += "  checks:\n";
    std::size_t width = 0;
    for (const auto& c : e.checks) width = std::max(width, c.name.size());
    for (const auto& c : e.checks) {
      std::string name = label_of(c.name);
      name.resize(width, ' ');
      std::string outcome(outcome_name(c.outcome));
      outcome.resize(5, ' ');
      out += "    " + outcome + "  " + name + "  " + c.detail + '\n';
    }
  }
  return out;
}

std::string render_json(const Explanation& e) {
  OrderedJson out = OrderedJson::object();
  out["kind"] = "inspect";
  out["v"] = 1;
  out["object"] = e.object;
  out["summary"] = e.summary;
  OrderedJson body = json_of(e.body);
  for (auto& [key, value] : body.items()) out[key] = std::move(value);
  OrderedJson checks = OrderedJson::array();
  for (const auto& c : e.checks)
    checks.push_back(
        {{"check", c.name}, {"outcome", outcome_name(c.outcome)}, {"detail", c.detail}});
  out["checks"] = std::move(checks);
  out["holds"] = e.holds();
  return out.dump();
}

}  // namespace rollup::inspect
