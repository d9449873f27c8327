// Twilio's Recording resource and a call's recording list (twilio::parse_recording,
// parse_recording_list) from any bytes: no crash, and what parses obeys the readiness rule.

#include "fuzz_support.hpp"
#include "twilio/recording.hpp"

#include <cmath>

using namespace callscribe;

namespace {

void check(const twilio::Recording& recording) {
    // Ready means a duration callscribe can store and report.
    if (twilio::readiness(recording) == twilio::Readiness::ready) {
        FUZZ_CHECK(recording.duration_s.has_value());
        FUZZ_CHECK(std::isfinite(*recording.duration_s) && *recording.duration_s >= 0);
    }
    FUZZ_CHECK(recording.channels >= 1);
    (void)twilio::media_url("https://api.twilio.com", recording);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    if (auto recording = twilio::parse_recording(text)) check(*recording);
    if (auto list = twilio::parse_recording_list(text)) {
        for (const auto& recording : *list)
            check(recording);
    }
    return 0;
}
