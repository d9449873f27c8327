// Any bytes as an HTTP request to the service's routes: parsed the way net::HttpServer parses a
// request (Beast, the same header and body limits), then handled by the API router over a real
// SQLite store in a temporary folder. No crash, no exception out of the router, a status a
// client can read, and nothing outside the data folder is ever served.

#include "api/api_router.hpp"
#include "core/clock.hpp"
#include "fuzz_support.hpp"
#include "net/server/beast_request.hpp"
#include "store/store.hpp"

#include <boost/beast/http.hpp>

#include <filesystem>

using namespace callscribe;
namespace http = boost::beast::http;

namespace {

struct Service {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("callscribe-fuzz-http-" + std::to_string(::getpid()));
    std::unique_ptr<store::Store> store;
    api::ApiSettings settings;
    SystemClock clock;
    std::unique_ptr<api::ApiContext> context;
    std::unique_ptr<api::Router> router;

    Service() {
        std::filesystem::create_directories(dir);
        auto opened = store::open_store("sqlite://" + (dir / "callscribe.db").string());
        FUZZ_CHECK(opened.has_value());
        store = std::move(*opened);
        settings = {.public_url = "http://127.0.0.1:8080",
                    .api_token = Secret(std::string("fuzz-api-token")),
                    .account_sid = "AC0123456789abcdef0123456789abcdef",
                    .twilio_auth_token = Secret(std::string("fuzz-auth-token")),
                    .data_dir = dir};
        context = std::make_unique<api::ApiContext>(
            api::ApiContext{.store = *store, .settings = settings, .clock = clock, .wake = [] {}});
        router = std::make_unique<api::Router>(api::make_api_router(*context));
    }
    ~Service() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Service service;
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(4 * 1024 * 1024);
    parser.eager(true);
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0; // the server answers 400/413/431 before routing

    auto raw = parser.release();
    const net::ServerRequest request = net::to_server_request(raw, "127.0.0.1");

    const net::ServerResponse response = service.router->handle(request);
    FUZZ_CHECK(response.status >= 200 && response.status <= 599);
    if (response.file) {
        // A file body is a recording inside the data folder, never anything else.
        const auto file = std::filesystem::weakly_canonical(response.file->path);
        const auto folder = std::filesystem::weakly_canonical(service.dir);
        FUZZ_CHECK(file.string().starts_with(folder.string() + "/"));
    }
    return 0;
}
