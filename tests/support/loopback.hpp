#pragma once
// Raw TCP connections to a server on 127.0.0.1, for tests that hold sockets open on purpose.
#include <cstdint>

namespace callscribe::test_support {

// A connected TCP socket to 127.0.0.1:port (close-on-exec), or -1 with errno set.
int connect_loopback(std::uint16_t port);

} // namespace callscribe::test_support
