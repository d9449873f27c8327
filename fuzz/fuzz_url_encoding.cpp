// Percent and form decoding (net/url_encoding.hpp) on any bytes: no crash, and encoding then
// decoding gives back what was decoded.

#include "fuzz_support.hpp"
#include "net/url_encoding.hpp"

using namespace callscribe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);

    const std::string decoded = net::percent_decode(text);
    FUZZ_CHECK(decoded.size() <= text.size());
    FUZZ_CHECK(net::percent_decode(net::percent_encode(text)) == text);

    const net::FormFields fields = net::parse_form(text);
    FUZZ_CHECK(net::parse_form(net::encode_form(fields)) == fields);
    return 0;
}
