#pragma once
// Standard base64 (RFC 4648 §4): the alphabet with '+' and '/', '=' padding.
//
// Pure functions; thread-safe. Used for HMAC signatures (X-Twilio-Signature, Standard Webhooks)
// and for whsec_ secrets.

#include "core/result.hpp"

#include <string>
#include <string_view>

namespace callscribe {

// `bytes` encoded, padded with '=' to a multiple of 4 characters.
std::string encode_base64(std::string_view bytes);

// Decodes `text`; padding is optional. The error says what is wrong without echoing the input,
// so that a secret never ends up in a message.
Result<std::string> decode_base64(std::string_view text);

} // namespace callscribe
