//===- PrecisionPolicy.cpp - per-matmul choice of scheme ------------------===//

#include "PrecisionPolicy.h"
#include "JsonFile.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::lowbit;

bool PrecisionPolicy::matchesRule(const PolicyRule &rule, StringRef opName,
                                  StringRef weightName, int64_t position,
                                  int64_t count, bool ignorePosition) {
  if (rule.name && !((!opName.empty() && opName == *rule.name) ||
                     (!weightName.empty() && weightName == *rule.name)))
    return false;
  if (rule.regex) {
    auto full = [&](StringRef text) {
      SmallVector<StringRef> groups;
      return !text.empty() && rule.regex->match(text, &groups) &&
             groups[0] == text;
    };
    if (!full(opName) && !full(weightName))
      return false;
  }
  if (rule.position && !ignorePosition) {
    int64_t wanted = *rule.position < 0 ? count - 1 : *rule.position;
    if (wanted != position)
      return false;
  }
  return true;
}

std::optional<size_t> PrecisionPolicy::match(StringRef opName,
                                             StringRef weightName,
                                             int64_t position,
                                             int64_t count) const {
  for (size_t i = 0; i < rules.size(); ++i)
    if (matchesRule(rules[i], opName, weightName, position, count))
      return i;
  return std::nullopt;
}

FailureOr<WeightSchemeRequest> mlir::lowbit::applySchemeFields(
    MLIRContext *ctx, const WeightSchemeRequest &base,
    const SchemeFields &fields, std::string &error) {
  std::string format = fields.format
                           ? *fields.format
                           : stringifyStorageFormat(base.format).str();
  std::string granularity = fields.granularity ? *fields.granularity
                            : base.granularity == Granularity::Tensor ? "tensor"
                            : base.granularity == Granularity::Axis ? "channel"
                                                                    : "group";
  std::string scaleType;
  if (fields.scaleType) {
    scaleType = *fields.scaleType;
  } else {
    llvm::raw_string_ostream os(scaleType);
    os << base.scaleType;
  }
  return parseWeightSchemeRequest(
      ctx, format, granularity, fields.groupSize.value_or(base.groupSize),
      fields.symmetric.value_or(base.symmetric), scaleType, error);
}

/// Reads the `scheme` object of a rule.
static LogicalResult parseSchemeFields(const llvm::json::Object &object,
                                       SchemeFields &fields,
                                       std::string &error) {
  static const llvm::StringSet<> known = {"format", "granularity", "group_size",
                                          "symmetric", "scale_type"};
  for (const auto &[key, value] : object) {
    if (!known.contains(key)) {
      error = "unknown scheme key '" + key.str() +
              "'; expected format, granularity, group_size, symmetric or "
              "scale_type";
      return failure();
    }
  }
  auto getString = [&](StringRef key,
                       std::optional<std::string> &slot) -> LogicalResult {
    if (const llvm::json::Value *value = object.get(key)) {
      std::optional<StringRef> text = value->getAsString();
      if (!text) {
        error = "scheme key '" + key.str() + "' must be a string";
        return failure();
      }
      slot = text->str();
    }
    return success();
  };
  if (failed(getString("format", fields.format)) ||
      failed(getString("granularity", fields.granularity)) ||
      failed(getString("scale_type", fields.scaleType)))
    return failure();
  if (const llvm::json::Value *value = object.get("group_size")) {
    fields.groupSize = value->getAsInteger();
    if (!fields.groupSize) {
      error = "scheme key 'group_size' must be an integer";
      return failure();
    }
  }
  if (const llvm::json::Value *value = object.get("symmetric")) {
    fields.symmetric = value->getAsBoolean();
    if (!fields.symmetric) {
      error = "scheme key 'symmetric' must be true or false";
      return failure();
    }
  }
  return success();
}

/// Reads one rule.
static LogicalResult parseRule(const llvm::json::Value &value, size_t index,
                               PolicyRule &rule, std::string &error) {
  const llvm::json::Object *object = value.getAsObject();
  std::string where = "rule " + std::to_string(index);
  if (!object) {
    error = where + " must be an object";
    return failure();
  }
  static const llvm::StringSet<> known = {"name", "regex", "position",
                                          "exclude", "scheme"};
  for (const auto &[key, unused] : *object)
    if (!known.contains(key)) {
      error = where + ": unknown key '" + key.str() +
              "'; expected name, regex, position, exclude or scheme";
      return failure();
    }

  std::string describe;
  if (const llvm::json::Value *name = object->get("name")) {
    if (!name->getAsString()) {
      error = where + ": 'name' must be a string";
      return failure();
    }
    rule.name = name->getAsString()->str();
    describe += " name '" + *rule.name + "'";
  }
  if (const llvm::json::Value *regex = object->get("regex")) {
    std::optional<StringRef> text = regex->getAsString();
    if (!text) {
      error = where + ": 'regex' must be a string";
      return failure();
    }
    rule.regex = std::make_shared<llvm::Regex>(*text);
    std::string regexError;
    if (!rule.regex->isValid(regexError)) {
      error = where + ": invalid regex '" + text->str() + "': " + regexError;
      return failure();
    }
    describe += " regex '" + text->str() + "'";
  }
  if (const llvm::json::Value *position = object->get("position")) {
    if (std::optional<StringRef> text = position->getAsString()) {
      if (*text == "first")
        rule.position = 0;
      else if (*text == "last")
        rule.position = -1;
    } else if (std::optional<int64_t> number = position->getAsInteger()) {
      if (*number >= 0)
        rule.position = *number;
    }
    if (!rule.position) {
      error = where + ": 'position' must be \"first\", \"last\" or a "
                      "non-negative integer";
      return failure();
    }
    describe +=
        " position " + (*rule.position < 0 ? std::string("last")
                                           : std::to_string(*rule.position));
  }
  if (!rule.name && !rule.regex && !rule.position) {
    error = where + " selects nothing: give 'name', 'regex' or 'position'";
    return failure();
  }
  if (const llvm::json::Value *exclude = object->get("exclude")) {
    std::optional<bool> flag = exclude->getAsBoolean();
    if (!flag) {
      error = where + ": 'exclude' must be true or false";
      return failure();
    }
    rule.exclude = *flag;
  }
  const llvm::json::Value *scheme = object->get("scheme");
  if (scheme) {
    if (rule.exclude) {
      error = where + " both excludes the matmul and gives it a scheme";
      return failure();
    }
    const llvm::json::Object *schemeObject = scheme->getAsObject();
    if (!schemeObject) {
      error = where + ": 'scheme' must be an object";
      return failure();
    }
    std::string schemeError;
    if (failed(parseSchemeFields(*schemeObject, rule.scheme, schemeError))) {
      error = where + ": " + schemeError;
      return failure();
    }
  } else if (!rule.exclude) {
    error = where + " does nothing: give 'exclude': true or a 'scheme'";
    return failure();
  }
  rule.description = where + " (" + StringRef(describe).ltrim().str() + ")";
  return success();
}

FailureOr<PrecisionPolicy>
mlir::lowbit::readPrecisionPolicy(StringRef path, std::string &error) {
  auto fail = [&](const Twine &message) {
    error = ("policy file '" + path + "': " + message).str();
    return failure();
  };
  FailureOr<llvm::json::Value> json =
      readVersionedJsonFile(path, "policy", error);
  if (failed(json))
    return failure();
  const llvm::json::Object *root = json->getAsObject();
  for (const auto &[key, unused] : *root)
    if (key != "version" && key != "rules")
      return fail("unknown key '" + key.str() + "'; expected version, rules");
  const llvm::json::Array *rules = root->getArray("rules");
  if (!rules)
    return fail("expected a \"rules\" array");

  PrecisionPolicy policy;
  for (size_t i = 0; i < rules->size(); ++i) {
    PolicyRule rule;
    std::string ruleError;
    if (failed(parseRule((*rules)[i], i, rule, ruleError)))
      return fail(ruleError);
    policy.rules.push_back(std::move(rule));
  }
  return policy;
}

FailureOr<PrecisionPolicy> mlir::lowbit::getPresetPolicy(StringRef preset) {
  PrecisionPolicy policy;
  PolicyRule head;
  head.position = -1;
  if (preset == "llm") {
    head.description = "preset llm (last matmul stays float)";
    head.exclude = true;
  } else if (preset == "llm-int8-head") {
    head.description = "preset llm-int8-head (last matmul in int8)";
    head.scheme.format = "i8";
    head.scheme.granularity = "channel";
    head.scheme.symmetric = true;
  } else {
    return failure();
  }
  policy.rules.push_back(std::move(head));
  return policy;
}
