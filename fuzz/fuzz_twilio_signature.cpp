// X-Twilio-Signature validation on any request: no crash, and a signature computed for a form
// request is always accepted.
//
// Input: "URL\nSIGNATURE\nAUTH_TOKEN\nBODY". A body starting with '{' is a JSON body (covered by
// ?bodySHA256= in the URL); anything else is a form body, parsed as the HTTP server does.

#include "fuzz_support.hpp"
#include "net/url_encoding.hpp"
#include "twilio/signature.hpp"

using namespace callscribe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto fields = fuzz::split_fields(fuzz::as_text(data, size), 4);
    const std::string_view signature = fields[1], body = fields[3];
    const Secret token{std::string(fields[2])};

    twilio::SignedRequest request{std::string(fields[0]), {}, std::nullopt};
    if (body.starts_with('{')) {
        request.body = std::string(body);
    } else {
        request.params = net::parse_form(body);
    }
    (void)twilio::is_valid_signature(request, signature, token);

    if (!request.body && !token.empty()) {
        const std::string good = twilio::compute_signature(request.url, request.params, token);
        FUZZ_CHECK(twilio::is_valid_signature(request, good, token));
    }
    return 0;
}
