// CallSid / RecordingSid / AccountSid::parse on any bytes: a Sid is exactly the two letters and
// 32 hex digits, the configuration's own check agrees, and a parsed Sid holds the input as it was.

#include "config/parsers.hpp"
#include "core/sid.hpp"
#include "fuzz_support.hpp"

using namespace callscribe;

namespace {

template <class SidType> void check(std::string_view text, std::string_view prefix) {
    const auto sid = SidType::parse(text);
    FUZZ_CHECK(sid.has_value() == config::is_sid(text, prefix));
    if (sid) {
        FUZZ_CHECK(sid->str() == text);
        FUZZ_CHECK(sid->str().size() == SidType::k_length);
        FUZZ_CHECK(SidType::parse(sid->str()) == sid);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    check<CallSid>(text, "CA");
    check<RecordingSid>(text, "RE");
    check<AccountSid>(text, "AC");
    return 0;
}
