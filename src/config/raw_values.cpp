#include "config/raw_values.hpp"

#include "config/parsers.hpp"
#include "core/text.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>

extern char** environ;

namespace callscribe::config {

namespace {

// Shorter secrets would turn ordinary words of a message into ***.
constexpr std::size_t k_min_redacted_length = 4;
constexpr std::size_t k_max_suggestion_distance = 3;

const Variable* find_variable(std::string_view name) {
    auto it = std::find_if(k_variables.begin(), k_variables.end(),
                           [&](const Variable& v) { return v.name == name; });
    return it == k_variables.end() ? nullptr : &*it;
}

const Variable* find_variable_ignoring_case(std::string_view name) {
    auto it = std::find_if(k_variables.begin(), k_variables.end(), [&](const Variable& v) {
        return ascii_lower(v.name) == ascii_lower(name);
    });
    return it == k_variables.end() ? nullptr : &*it;
}

// A TOML key names a variable when written exactly as the variable or all in lower case.
const Variable* variable_for_key(std::string_view key) {
    for (const auto& v : k_variables) {
        if (key == v.name || key == ascii_lower(v.name)) return &v;
    }
    return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string suggestion_for(std::string_view key) {
    std::string wanted = ascii_lower(key);
    std::string best;
    std::size_t best_distance = k_max_suggestion_distance + 1;
    for (const auto& v : k_variables) {
        std::string candidate = ascii_lower(v.name);
        std::size_t d = edit_distance(wanted, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = std::move(candidate);
        }
    }
    return best;
}

std::string position(const std::string& file, const toml::source_region& where) {
    return fmt::format("{}:{}:{}", file, where.begin.line, where.begin.column);
}

std::optional<std::string> scalar_text(const toml::node& node) {
    if (const auto* s = node.as_string()) return s->get();
    if (const auto* i = node.as_integer()) return std::to_string(i->get());
    if (const auto* f = node.as_floating_point()) return fmt::format("{}", f->get());
    if (const auto* b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
    return std::nullopt;
}

std::string read_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        throw ConfigError(path.string(), fmt::format("{}: configuration file not found (--config)",
                                                     path.string()));
    }
    std::ifstream in(path, std::ios::binary);
    std::string content(std::istreambuf_iterator<char>(in), {});
    if (!in.is_open() || in.bad()) {
        throw ConfigError(path.string(),
                          fmt::format("{}: configuration file cannot be read", path.string()));
    }
    return content; // an empty file is a valid, empty configuration
}

RawValue raw_from_node(const std::string& file, std::string_view name, const toml::node& node) {
    RawValue raw;
    raw.origin = file;
    if (auto text = scalar_text(node)) {
        raw.text = is_secret(name) ? std::move(*text) : std::string(trim_whitespace(*text));
        return raw;
    }
    const auto* array = node.as_array();
    if (array == nullptr) {
        throw ConfigError(std::string(name),
                          fmt::format("{}: {}: dates, times and tables are not supported here; use "
                                      "a string, number, boolean or array",
                                      position(file, node.source()), name));
    }
    raw.is_array = true;
    for (const auto& element : *array) {
        auto text = scalar_text(element);
        if (!text) {
            throw ConfigError(std::string(name),
                              fmt::format("{}: {}: array elements must be strings or numbers",
                                          position(file, element.source()), name));
        }
        raw.items.emplace_back(trim_whitespace(*text));
    }
    std::string joined;
    for (const auto& item : raw.items)
        joined.append(joined.empty() ? "" : ",").append(item);
    raw.text = std::move(joined);
    return raw;
}

RawValues read_toml(const std::filesystem::path& path, const std::vector<std::string>& secrets) {
    const std::string file = path.string();
    const std::string content = read_file(path);
    toml::table table;
    try {
        table = toml::parse(std::string_view(content), std::string_view(file));
    } catch (const toml::parse_error& e) {
        throw ConfigError(file, fmt::format("{}: {}", position(file, e.source()),
                                            redact(escaped(e.description()), secrets)));
    }

    RawValues values;
    std::map<std::string, std::string> spelled; // variable → key as written, to catch doubles
    for (const auto& [key, node] : table) {
        const Variable* variable = variable_for_key(key.str());
        if (variable == nullptr) {
            std::string message = fmt::format("{}: unknown key {}", position(file, key.source()),
                                              in_quotes(key.str()));
            if (node.is_table()) {
                message += " (keys go at the top level, named as the environment variables)";
            } else if (auto hint = suggestion_for(key.str()); !hint.empty()) {
                message += fmt::format(" (did you mean {}?)", hint);
            }
            throw ConfigError(std::string(key.str()), message);
        }
        std::string name(variable->name);
        if (auto [it, inserted] = spelled.emplace(name, key.str()); !inserted) {
            throw ConfigError(name, fmt::format("{}: {} is set twice (as {} and {})",
                                                position(file, key.source()), name, it->second,
                                                key.str()));
        }
        RawValue raw = raw_from_node(file, name, node);
        if (!raw.is_array && raw.text.empty()) continue;
        values.emplace(std::move(name), std::move(raw));
    }
    return values;
}

} // namespace

bool is_secret(std::string_view name) {
    const Variable* v = find_variable(name);
    return v != nullptr && v->secret;
}

Environment process_environment() {
    Environment env;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        std::string_view text(*entry);
        auto eq = text.find('=');
        if (eq == std::string_view::npos) continue;
        // Like getenv(): the first of duplicate names wins.
        env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
    return env;
}

std::vector<std::string> secret_values(const Environment& env) {
    std::vector<std::string> secrets;
    for (const auto& v : k_variables) {
        if (!v.secret) continue;
        if (auto it = env.find(std::string(v.name)); it != env.end() && !it->second.empty()) {
            secrets.push_back(it->second);
        }
    }
    return secrets;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    // URL passwords: "scheme://userinfo@host" → "scheme://***@host".
    for (std::size_t from = 0; (from = text.find("://", from)) != std::string::npos;) {
        std::size_t start = from + 3;
        std::size_t end = text.find_first_of("/?#\" \t\n", start);
        if (end == std::string::npos) end = text.size();
        std::size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
        if (at != std::string::npos && at >= start && at < end) {
            text.replace(start, at - start, "***");
            end = start + 3 + (end - at);
        }
        // Query values often carry tokens ("?token=..."): "?k=***&j=***".
        std::size_t url_end = text.find_first_of("\" \t\n#", end);
        if (url_end == std::string::npos) url_end = text.size();
        if (end < url_end && text[end] == '/') end = text.find('?', end);
        if (end != std::string::npos && end < url_end && text[end] == '?') {
            for (std::size_t pair = end + 1; pair < url_end;) {
                std::size_t pair_end = std::min(text.find('&', pair), url_end);
                std::size_t eq = text.find('=', pair);
                if (eq < pair_end && pair_end - eq > 1) {
                    text.replace(eq + 1, pair_end - eq - 1, "***");
                    url_end -= pair_end - eq - 4;
                    pair_end = eq + 4;
                }
                pair = pair_end + 1;
            }
            end = url_end;
        }
        from = end == std::string::npos ? text.size() : end;
    }
    for (const auto& secret : secrets) {
        if (secret.size() < k_min_redacted_length) continue;
        for (std::size_t at = 0; (at = text.find(secret, at)) != std::string::npos; at += 3) {
            text.replace(at, secret.size(), "***");
        }
    }
    return text;
}

std::vector<std::string> misspelt_variables(const Environment& env) {
    std::vector<std::string> warnings;
    for (const auto& [name, value] : env) {
        if (!name.starts_with("CALLSCRIBE_") || find_variable(name) != nullptr) continue;
        // Only a near miss: other CALLSCRIBE_* names may belong to other tools.
        const std::string hint = suggestion_for(name);
        if (hint.empty()) continue;
        warnings.push_back(fmt::format("{} is not a callscribe setting and is ignored (did you "
                                       "mean {}?)",
                                       name, find_variable_ignoring_case(hint)->name));
    }
    return warnings;
}

RawValues read_raw_values(const Environment& env,
                          const std::optional<std::filesystem::path>& toml_file) {
    RawValues values;
    if (toml_file) values = read_toml(*toml_file, secret_values(env));
    for (const auto& v : k_variables) {
        auto it = env.find(std::string(v.name));
        if (it == env.end()) continue;
        std::string text = v.secret ? it->second : std::string(trim_whitespace(it->second));
        if (text.empty()) continue; // empty counts as unset: the file's value stays
        values.insert_or_assign(std::string(v.name), RawValue{std::move(text), {}, false, {}});
    }
    return values;
}

} // namespace callscribe::config
