// The configuration table of README.md is the settings' contract: it lists exactly the variables
// the code reads (config/raw_values.hpp), and every "CALLSCRIBE_…" / "TWILIO_…" name that src/
// spells out as a string of its own is one of them.
#include "config/raw_values.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace callscribe::config {
namespace {

const std::filesystem::path k_source = CALLSCRIBE_SOURCE_DIR;

using test_support::read_file;

// The names in the first cell of each row of the table under "## Configuration".
std::set<std::string> documented() {
    const std::string readme = read_file(k_source / "README.md");
    const auto section = readme.find("\n## Configuration\n");
    EXPECT_NE(section, std::string::npos);
    const auto end = readme.find("\n## ", section + 1);
    std::istringstream lines(readme.substr(section, end - section));
    const std::regex name("`([A-Z][A-Z0-9_]+)`");
    std::set<std::string> names;
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with("| `")) continue;
        const std::string first_cell = line.substr(0, line.find(" |", 2));
        for (std::sregex_iterator it(first_cell.begin(), first_cell.end(), name), last; it != last;
             ++it)
            names.insert((*it)[1]);
    }
    return names;
}

std::set<std::string> read_by_the_code() {
    std::set<std::string> names;
    for (const auto& variable : k_variables)
        names.insert(std::string(variable.name));
    return names;
}

TEST(SettingsDocument, ReadmeListsExactlyTheVariablesTheCodeReads) {
    const auto in_readme = documented();
    const auto in_code = read_by_the_code();
    for (const auto& name : in_code)
        EXPECT_TRUE(in_readme.contains(name)) << name << " is read but not in README.md's table";
    for (const auto& name : in_readme)
        EXPECT_TRUE(in_code.contains(name)) << name << " is in README.md's table but never read";
}

TEST(SettingsDocument, EverySettingNameInTheSourcesIsAKnownVariable) {
    const auto in_code = read_by_the_code();
    const std::regex literal("\"((?:CALLSCRIBE|TWILIO|OPENAI)_[A-Z0-9_]+)\"");
    std::size_t seen = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(k_source / "src")) {
        if (!entry.is_regular_file()) continue;
        const std::string text = read_file(entry.path());
        for (std::sregex_iterator it(text.begin(), text.end(), literal), last; it != last; ++it) {
            ++seen;
            EXPECT_TRUE(in_code.contains((*it)[1]))
                << (*it)[1] << " in " << entry.path().string() << " is not in k_variables";
        }
    }
    EXPECT_GT(seen, in_code.size()) << "the sources name each setting at least once";
}

} // namespace
} // namespace callscribe::config
