#include "twilio/signature.hpp"

#include "core/base64.hpp"
#include "core/text.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>

namespace callscribe::twilio {
namespace {

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
    std::string out;
    for (unsigned char b : digest)
        out += fmt::format("{:02x}", b);
    return out;
}

// The value of query parameter `name` in `url`, if present.
std::optional<std::string> query_value(std::string_view url, std::string_view name) {
    auto q = url.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    auto query =
        url.substr(q + 1, url.find('#', q) == std::string_view::npos ? std::string_view::npos
                                                                     : url.find('#', q) - q - 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == name)
            return std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

} // namespace

std::string string_to_sign(std::string_view url, const FormParams& params) {
    FormParams sorted = params;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::string out(url);
    for (const auto& [name, value] : sorted)
        out += name + value;
    return out;
}

std::string compute_signature(std::string_view url, const FormParams& params,
                              const Secret& auth_token) {
    std::string message = string_to_sign(url, params);
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int size = 0;
    const std::string& key = auth_token.reveal();
    HMAC(EVP_sha1(), key.data(), int(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(), &size);
    return encode_base64({reinterpret_cast<const char*>(mac.data()), size});
}

// The query as a WHATWG URL parser re-serialises it (twilio-node signs that form): the
// characters it percent-encodes in a query of a special scheme.
static std::string whatwg_query(std::string_view url) {
    std::string out;
    auto q = url.find('?');
    for (std::size_t i = 0; i < url.size(); ++i) {
        char c = url[i];
        bool in_query = q != std::string_view::npos && i > q;
        if (in_query && (c == '\'' || c == '"' || c == ' ' || c == '<' || c == '>'))
            out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
        else
            out += c;
    }
    return out;
}

static std::vector<std::string> port_variants(std::string_view url) {
    std::vector<std::string> out{std::string(url)};
    auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return out;
    std::size_t authority = scheme_end + 3;
    std::size_t authority_end = url.find_first_of("/?#", authority);
    if (authority_end == std::string_view::npos) authority_end = url.size();
    std::size_t host = url.rfind('@', authority_end);
    host = (host == std::string_view::npos || host < authority) ? authority : host + 1;
    const bool bracketed = host < url.size() && url[host] == '['; // an IPv6 literal
    std::size_t colon = url.find(':', bracketed ? url.find(']', host) : host);
    bool has_port = colon != std::string_view::npos && colon < authority_end;
    if (has_port) {
        out.push_back(std::string(url.substr(0, colon)) + std::string(url.substr(authority_end)));
    } else {
        std::string scheme = ascii_lower(url.substr(0, scheme_end));
        const char* port = scheme == "https" ? ":443" : scheme == "http" ? ":80" : nullptr;
        if (port)
            out.push_back(std::string(url.substr(0, authority_end)) + port +
                          std::string(url.substr(authority_end)));
    }
    return out;
}

std::vector<std::string> url_variants(std::string_view url) {
    std::vector<std::string> out = port_variants(url);
    if (std::string encoded = whatwg_query(url); encoded != url) {
        auto more = port_variants(encoded);
        out.insert(out.end(), more.begin(), more.end());
    }
    return out;
}

bool is_valid_signature(const SignedRequest& request, std::string_view signature,
                        const Secret& auth_token) {
    if (auth_token.empty() || signature.empty()) return false;
    const FormParams none;
    const FormParams* params = &request.params;
    if (request.body) {
        // A JSON body is signed through its hash in the URL; without one nothing covers it.
        auto hash = query_value(request.url, "bodySHA256");
        if (!hash || !constant_time_equal(ascii_lower(*hash), sha256_hex(*request.body)))
            return false;
        params = &none;
    }
    bool valid = false;
    for (const auto& url : url_variants(request.url)) // every form, so timing says nothing
        valid |= constant_time_equal(compute_signature(url, *params, auth_token), signature);
    return valid;
}

} // namespace callscribe::twilio
