// GET /api/calls with `q` (full-text search with snippets, paged by offset) and the filters it
// shares with the plain list (source, since, until, number, status), on a real SQLite store.
#include "unit/api/api_fixture.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callscribe::api::test {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

class CallSearchRoutes : public ApiFixture {
  protected:
    static CallSid numbered(int n) { return *CallSid::parse(fmt::format("CA{:032x}", n)); }

    // Call n with a realtime transcript, created now (the fake clock's 2026-01-01T00:00:00Z
    // plus what the test advanced).
    void spoken(int n, const std::string& text, const std::string& from = "",
                const std::string& to = "") {
        ASSERT_TRUE(store().save_realtime_transcript(numbered(n), text, m_clock.now()));
        if (!from.empty() || !to.empty()) {
            ASSERT_TRUE(
                store().save_call_details(numbered(n), {.from = from, .to = to}, m_clock.now()));
        }
    }

    json found(const std::string& query) {
        const auto r = get("/api/calls?" + query);
        EXPECT_EQ(r.status, 200) << query << ": " << r.body;
        return body_json(r);
    }

    // The numbers of the calls in an answer, in order.
    static std::vector<int> numbers(const json& body) {
        std::vector<int> out;
        for (const auto& call : body["calls"])
            out.push_back(static_cast<int>(
                std::stoul(call["call_sid"].get<std::string>().substr(2), nullptr, 16)));
        return out;
    }

    static std::string q(const std::string& words) { return net::encode_form({{"q", words}}); }
};

TEST_F(CallSearchRoutes, ASearchAnswersRankedCallsWithSnippetsPagedByOffset) {
    spoken(1, "the customer asked for a refund");
    m_clock.advance(Seconds{60});
    spoken(2, "refund refund refund, then another refund");
    m_clock.advance(Seconds{60});
    spoken(3, "nothing to see here");

    auto body = found(q("refund") + "&limit=1");
    EXPECT_THAT(numbers(body), ::testing::ElementsAre(2));
    EXPECT_EQ(body["next_offset"], 1);
    EXPECT_FALSE(body.contains("next_before"));
    EXPECT_EQ(body["calls"][0]["webhooks"], json::array());
    const json& snippet = body["calls"][0]["snippet"];
    ASSERT_TRUE(snippet.is_array()) << body.dump();
    ASSERT_FALSE(snippet.empty());
    EXPECT_EQ(snippet[0], (json{{"text", "refund"}, {"match", true}})) << snippet.dump();

    body = found(q("refund") + "&limit=1&offset=1");
    EXPECT_THAT(numbers(body), ::testing::ElementsAre(1));
    EXPECT_TRUE(body["next_offset"].is_null()) << "the last page";
    EXPECT_EQ(body["calls"][0]["snippet"],
              (json::array({{{"text", "the customer asked for a "}, {"match", false}},
                            {{"text", "refund"}, {"match", true}}})));
    EXPECT_THAT(numbers(found(q("refund") + "&offset=5")), ::testing::IsEmpty());
}

TEST_F(CallSearchRoutes, WithoutWordsItIsTheListWithoutSnippets) {
    spoken(1, "a refund");
    for (const std::string query : {"", "q=", "q=+++", "q=%09%0A"}) {
        const auto body = found(query);
        EXPECT_THAT(numbers(body), ::testing::ElementsAre(1)) << query;
        EXPECT_TRUE(body.contains("next_before")) << query;
        EXPECT_FALSE(body["calls"][0].contains("snippet")) << query;
    }
}

TEST_F(CallSearchRoutes, FiltersApplyToTheListAndToTheSearch) {
    spoken(1, "delivery on monday", "+15005550001", "+15550100"); // 2026-01-01T00:00:00Z
    m_clock.advance(Seconds{24 * 3600});
    spoken(2, "delivery on tuesday", "+4930123", "+15005550002"); // 2026-01-02T00:00:00Z
    m_clock.advance(Seconds{12 * 3600});
    spoken(3, "delivery at noon"); // 2026-01-02T12:00:00Z
    const std::vector<std::pair<std::string, std::vector<int>>> cases = {
        {"since=2026-01-02", {3, 2}},
        {"until=2026-01-01", {1}},
        {"until=2026-01-02", {3, 2, 1}},
        {"since=2026-01-01&until=2026-01-01", {1}},
        {"until=2026-01-02T12:00:00Z", {2, 1}},
        {"since=2026-01-02T13:00:00%2B02:00", {3}},
        {"since=2026-01-01T23:59:59.5-00:30", {3}},
        {"number=%2B1500555", {2, 1}},
        {"number=0001", {1}},
        {"number=4930", {2}},
        {"number=0100&since=2026-01-02", {}},
        {"status=waiting_for_recording&number=0002", {2}},
        {"source=offline", {}},
    };
    for (const auto& [filters, expected] : cases) {
        EXPECT_EQ(numbers(found(filters)), expected) << filters;
        auto hits = numbers(found(q("delivery") + "&" + filters));
        std::sort(hits.rbegin(), hits.rend()); // newest first, as the list
        EXPECT_EQ(hits, expected) << "with q: " << filters;
    }
}

TEST_F(CallSearchRoutes, EveryBadParameterIs400NamingIt) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"source=none", "source"},
        {"source=webhook", "source"},
        {"since=yesterday", "since"},
        {"since=2026-02-30", "since"},
        {"since=2026-1-5", "since"},
        {"until=2026-01-01T25:00:00Z", "until"},
        {"until=2026-01-01T10:00:00", "until"},
        {"until=2026-01-01%2010:00:00Z", "until"},
        {"number=abc", "number"},
        {"number=%2B", "number"},
        {"number=555-0100", "number"},
        {"number=%2B%2B1", "number"},
        {"number=123456789012345678901", "number"},
        {"offset=2", "offset"},
        {"q=refund&offset=-1", "offset"},
        {"q=refund&offset=x", "offset"},
        {"q=refund&before=CA0123456789abcdef0123456789abcdef", "before"},
        {"q=" + std::string(201, 'a'), "q"},
        {"q=%FF%FE", "q"},
        {"q=caf%C3", "q"},
        {"status=finished&q=refund", "status"},
        {"q=refund&limit=0", "limit"},
    };
    for (const auto& [query, parameter] : cases) {
        const auto r = get("/api/calls?" + query);
        EXPECT_EQ(r.status, 400) << query;
        const auto body = body_json(r);
        ASSERT_TRUE(body.contains("error")) << query;
        const auto error = body["error"].get<std::string>();
        EXPECT_THAT(error, ::testing::StartsWith(parameter)) << query;
        EXPECT_EQ(error.find('\n'), std::string::npos) << query;
    }
    EXPECT_EQ(get("/api/calls?" + q(std::string(200, 'a'))).status, 200) << "200 is allowed";
    EXPECT_EQ(get("/api/calls?" + q(std::string(60, 'a') + "é顧")).status, 200);
}

TEST_F(CallSearchRoutes, TextThatLooksLikeSqlOrQuerySyntaxIsAnsweredAsWords) {
    spoken(1, "please drop the table from calls; the café in Ærø");
    for (const std::string words :
         {"'; DROP TABLE calls; --", "\"refund OR NEAR(", "*", "-", "-café", "café*", "NOT", "\"",
          "\\", "%", "Ærø", "顧客", "🙂", "a\tb", "x\x01y"}) {
        const auto r = get("/api/calls?" + q(words));
        EXPECT_EQ(r.status, 200) << words << ": " << r.body;
    }
    EXPECT_THAT(numbers(found(q("'; DROP TABLE calls; --"))), ::testing::ElementsAre(1));
    EXPECT_THAT(numbers(found(q("Ærø"))), ::testing::ElementsAre(1));
    EXPECT_THAT(numbers(found("")), ::testing::ElementsAre(1)) << "the table is still there";
}

} // namespace
} // namespace callscribe::api::test
