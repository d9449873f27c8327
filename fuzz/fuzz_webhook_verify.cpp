// Standard Webhooks verification (webhook::verify) on any headers and body: no crash, and a
// header that carries the right signature among others is accepted.
//
// Input: "WEBHOOK_ID\nWEBHOOK_TIMESTAMP\nWEBHOOK_SIGNATURE\nKEY\nBODY". The receiver's clock
// reads 1614265330 (the timestamp of the Standard Webhooks examples).

#include "fuzz_support.hpp"
#include "webhook/webhook_signature.hpp"

using namespace callscribe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto fields = fuzz::split_fields(fuzz::as_text(data, size), 5);
    const std::string_view id = fields[0], timestamp = fields[1], header = fields[2],
                           body = fields[4];
    const Secret key{std::string(fields[3])};
    constexpr std::int64_t k_now = 1614265330;
    const TimePoint now{std::chrono::seconds{k_now}};

    (void)webhook::verify(id, timestamp, header, body, key, now);

    if (!key.empty()) {
        const std::string both = std::string(header) + " " + webhook::sign(id, k_now, body, key);
        FUZZ_CHECK(webhook::verify(id, std::to_string(k_now), both, body, key, now).has_value());
    }
    return 0;
}
