#include "webhook/webhook_signature.hpp"

#include "core/base64.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>
#include <cmath>

namespace callscribe::webhook {

namespace {

constexpr std::string_view k_version_prefix = "v1,";

std::string hmac_sha256_base64(std::string_view content, const Secret& key) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int size = 0;
    const std::string& bytes = key.reveal();
    HMAC(EVP_sha256(), bytes.data(), static_cast<int>(bytes.size()),
         reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac.data(), &size);
    return encode_base64({reinterpret_cast<const char*>(mac.data()), size});
}

} // namespace

std::string signed_content(std::string_view id, std::int64_t timestamp, std::string_view body) {
    return fmt::format("{}.{}.{}", id, timestamp, body);
}

std::string sign(std::string_view id, std::int64_t timestamp, std::string_view body,
                 const Secret& key) {
    return std::string(k_version_prefix) +
           hmac_sha256_base64(signed_content(id, timestamp, body), key);
}

std::int64_t unix_seconds(TimePoint time) {
    return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

Result<void> verify(std::string_view id, std::string_view timestamp,
                    std::string_view signature_header, std::string_view body, const Secret& key,
                    TimePoint now, Seconds tolerance) {
    if (key.empty()) return fail("no key to verify with");
    std::int64_t sent = 0;
    auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), sent);
    if (timestamp.empty() || ec != std::errc() || end != timestamp.data() + timestamp.size())
        return fail("webhook-timestamp is not a whole number of unix seconds");
    double away = std::abs(static_cast<double>(sent - unix_seconds(now)));
    if (away > tolerance.count())
        return fail(fmt::format("timestamp {} is {}s away from now (tolerance {}s)", sent, away,
                                tolerance.count()));

    const std::string expected = hmac_sha256_base64(signed_content(id, sent, body), key);
    bool valid = false;
    while (!signature_header.empty()) {
        auto space = signature_header.find(' ');
        auto entry = signature_header.substr(0, space);
        // Every entry is compared, so the time taken does not say which one matched.
        if (entry.starts_with(k_version_prefix))
            valid |= constant_time_equal(entry.substr(k_version_prefix.size()), expected);
        if (space == std::string_view::npos) break;
        signature_header.remove_prefix(space + 1);
    }
    if (!valid) return fail("no matching v1 signature");
    return {};
}

} // namespace callscribe::webhook
