// The Store contract for finding calls: the full-text search over every transcript (ranking,
// excerpts, the index kept in step with each write, text that looks like SQL or like the
// database's query syntax, unicode, pages) and the filters it shares with the call list. Run
// against every backend in StoreBackends.

#include "integration/store/store_contract.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace callscribe::store::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

template <class Backend> class StoreSearchContract : public StoreContract<Backend> {
  protected:
    // Call n, created at `created`, whose offline job finished with `text` as its transcript.
    void transcribed(int n, const std::string& text, TimePoint created = at(0)) {
        auto& store = this->store();
        store.enqueue_offline_stt(call_sid(n), std::nullopt, created).value();
        Job job = store.claim_call_job(call_sid(n), "worker", created, k_lease).value().value();
        job.state = JobState::done;
        job.step = JobStep::finished;
        ASSERT_TRUE(store
                        .finish_job(job,
                                    {.status = CallStatus::done,
                                     .final_transcript = text,
                                     .transcript_source = TranscriptSource::offline},
                                    std::nullopt, created)
                        .value());
    }

    std::vector<SearchHit> search(std::string words, CallQuery filter = {},
                                  std::size_t offset = 0) {
        auto hits = this->store().search_calls(
            {.words = std::move(words), .filter = std::move(filter), .offset = offset});
        EXPECT_TRUE(hits) << hits.error().message;
        return hits ? *hits : std::vector<SearchHit>{};
    }

    // The numbers of the calls found, in order.
    std::vector<int> found(std::string words, CallQuery filter = {}, std::size_t offset = 0) {
        return numbers(search(std::move(words), std::move(filter), offset));
    }

    static std::vector<int> numbers(const std::vector<SearchHit>& hits) {
        std::vector<int> out;
        for (const auto& hit : hits)
            out.push_back(number_of(hit.call.call_sid));
        return out;
    }
    static std::vector<int> numbers(const std::vector<CallLog>& calls) {
        std::vector<int> out;
        for (const auto& call : calls)
            out.push_back(number_of(call.call_sid));
        return out;
    }
    static int number_of(const CallSid& sid) {
        return static_cast<int>(std::stoul(sid.str().substr(2), nullptr, 16));
    }
};
TYPED_TEST_SUITE(StoreSearchContract, StoreBackends, BackendName);

// The excerpt's text, the matched words in [brackets].
std::string marked(const std::vector<SnippetPiece>& snippet) {
    std::string out;
    for (const auto& piece : snippet)
        out += piece.match ? "[" + piece.text + "]" : piece.text;
    return out;
}

// `count` words of filler talk, none of them a word the tests search for.
std::string filler(int count) {
    static const char* const k_words[] = {"hello",  "thanks", "calling",  "account", "number",
                                          "please", "moment", "checking", "system",  "today"};
    std::string text;
    for (int i = 0; i < count; ++i)
        text += std::string(i == 0 ? "" : " ") + k_words[i % 10];
    return text;
}

TYPED_TEST(StoreSearchContract, ACallSayingTheWordThreeTimesRanksAboveOneSayingItOnce) {
    this->transcribed(1, "refund please refund my order refund " + filler(10), at(0));
    this->transcribed(2, "refund please check my order status " + filler(10), at(60));
    this->transcribed(3, "no match in this one " + filler(12), at(120));
    EXPECT_THAT(this->found("refund"), ElementsAre(1, 2)) << "the newer call says it once";
    EXPECT_THAT(this->found("REFUNDS"), ElementsAre(1, 2)) << "case and plural do not matter";
}

TYPED_TEST(StoreSearchContract, EveryWordMustBeInTheCallInEitherTranscript) {
    this->transcribed(1, "the parcel never arrived " + filler(5));
    this->transcribed(2, "my parcel was damaged " + filler(5));
    this->store().save_realtime_transcript(call_sid(2), "caller wants a replacement", at(1));
    EXPECT_THAT(this->found("parcel"), ElementsAre(1, 2));
    EXPECT_THAT(this->found("parcel damaged"), ElementsAre(2));
    EXPECT_THAT(this->found("damaged replacement"), ElementsAre(2)) << "across both transcripts";
    EXPECT_THAT(this->found("parcel replacement arrived"), IsEmpty());
}

TYPED_TEST(StoreSearchContract, TheSnippetMarksTheMatchInAShortExcerptOfTheTranscriptThatMatched) {
    this->transcribed(1, filler(30) + " the customer asked for a Refund because " + filler(30));
    this->store().save_realtime_transcript(call_sid(2), filler(25) + " lost luggage " + filler(25),
                                           at(0));
    const auto hits = this->search("refund");
    ASSERT_EQ(hits.size(), 1u);
    const auto& snippet = hits[0].snippet;
    const auto matches = std::count_if(snippet.begin(), snippet.end(),
                                       [](const auto& piece) { return piece.match; });
    EXPECT_EQ(matches, 1) << marked(snippet);
    EXPECT_THAT(marked(snippet), HasSubstr("asked for a [Refund] because")) << "as written";
    EXPECT_TRUE(marked(snippet).starts_with("…")) << marked(snippet);
    EXPECT_TRUE(marked(snippet).ends_with("…")) << marked(snippet);
    const auto words = std::ranges::count(marked(snippet), ' ') + 1;
    EXPECT_GE(words, 6) << marked(snippet);
    EXPECT_LE(words, 22) << marked(snippet);

    const auto realtime = this->search("luggage");
    ASSERT_EQ(realtime.size(), 1u);
    EXPECT_THAT(marked(realtime[0].snippet), HasSubstr("lost [luggage]"));

    this->transcribed(3, "refund");
    const auto both = this->search("refund");
    const auto whole = std::ranges::find_if(
        both, [](const SearchHit& hit) { return hit.call.call_sid == call_sid(3); });
    ASSERT_NE(whole, both.end());
    EXPECT_EQ(marked(whole->snippet), "[refund]") << "the whole transcript: no ellipsis";
}

TYPED_TEST(StoreSearchContract, MarkerAndControlCharactersInATranscriptCannotForgeAMatch) {
    this->transcribed(1, "fake \x02marker\x03 then\ta refund\r\nand more");
    const auto hits = this->search("refund");
    ASSERT_EQ(hits.size(), 1u);
    for (const auto& piece : hits[0].snippet) {
        EXPECT_EQ(piece.match, piece.text == "refund") << marked(hits[0].snippet);
        EXPECT_TRUE(std::ranges::none_of(piece.text, [](char c) {
            return static_cast<unsigned char>(c) < 0x20;
        })) << marked(hits[0].snippet);
    }
}

TYPED_TEST(StoreSearchContract, EveryWriteOfATranscriptKeepsTheIndexInStep) {
    auto& store = this->store();
    store.save_realtime_transcript(call_sid(1), "waiting for a courier", at(0));
    EXPECT_THAT(this->found("courier"), ElementsAre(1));
    store.save_realtime_transcript(call_sid(1), "waiting for a technician", at(1));
    EXPECT_THAT(this->found("courier"), IsEmpty()) << "the old text is gone from the index";
    EXPECT_THAT(this->found("technician"), ElementsAre(1));

    this->transcribed(2, "first transcript mentions invoices");
    EXPECT_THAT(this->found("invoices"), ElementsAre(2));
    store.restart_job(call_sid(2), JobStep::transcribe, at(2)).value();
    Job job = store.claim_call_job(call_sid(2), "worker", at(3), k_lease).value().value();
    job.state = JobState::done;
    job.step = JobStep::finished;
    ASSERT_TRUE(store
                    .finish_job(job, {.final_transcript = "second transcript mentions receipts"},
                                std::nullopt, at(3))
                    .value());
    EXPECT_THAT(this->found("invoices"), IsEmpty());
    EXPECT_THAT(this->found("receipts"), ElementsAre(2));
    // Writes that leave the transcripts alone leave the call findable.
    store.save_call_details(call_sid(2), {.from = "+15005550001"}, at(4)).value();
    EXPECT_THAT(this->found("receipts"), ElementsAre(2));
}

TYPED_TEST(StoreSearchContract, FiltersNarrowTheSearchAndTheListAlike) {
    auto& store = this->store();
    // 1: offline, done, at 0 h, from +15005550001; 2: realtime (gave up), at 1 h, to
    // +15005550002; 3: waiting, at 2 h, no numbers. All three mention a delivery.
    this->transcribed(1, "the delivery was late " + filler(4), at(0));
    store.save_call_details(call_sid(1), {.from = "+15005550001", .to = "+15550100"}, at(0));
    store.enqueue_offline_stt(call_sid(2), std::nullopt, at(3600)).value();
    store.save_realtime_transcript(call_sid(2), "about the delivery address", at(3600));
    store.save_call_details(call_sid(2), {.from = "+4930123", .to = "+15005550002"}, at(3600));
    Job job = store.claim_call_job(call_sid(2), "worker", at(3600), k_lease).value().value();
    job.state = JobState::failed;
    job.step = JobStep::finished;
    ASSERT_TRUE(store
                    .finish_job(job,
                                {.status = CallStatus::gave_up,
                                 .transcript_source = TranscriptSource::realtime},
                                std::nullopt, at(3600))
                    .value());
    store.save_realtime_transcript(call_sid(3), "a delivery question", at(7200));

    EXPECT_THAT(this->found("delivery"), ::testing::UnorderedElementsAre(1, 2, 3));
    const std::vector<std::pair<CallQuery, std::vector<int>>> cases = {
        {{.status = CallStatus::done}, {1}},
        {{.status = CallStatus::gave_up}, {2}},
        {{.source = TranscriptSource::offline}, {1}},
        {{.source = TranscriptSource::realtime}, {2}},
        {{.created_since = at(3600)}, {3, 2}},
        {{.created_until = at(3600)}, {1}},
        {{.created_since = at(1), .created_until = at(7200)}, {2}},
        {{.number = "+1500555000"}, {2, 1}},
        {{.number = "0001"}, {1}},
        {{.number = "4930"}, {2}},
        {{.number = "0100"}, {1}},
        {{.number = "999"}, {}},
        {{.status = CallStatus::done, .number = "0002"}, {}},
        {{.source = TranscriptSource::realtime, .created_since = at(60), .number = "0002"}, {2}},
    };
    for (const auto& [filter, expected] : cases) {
        auto listed = store.list_calls(filter).value();
        EXPECT_EQ(this->numbers(listed), expected) << "list " << testing::PrintToString(expected);
        auto hits = this->found("delivery", filter);
        std::sort(hits.rbegin(), hits.rend()); // newest first, as the list
        EXPECT_EQ(hits, expected) << "search " << testing::PrintToString(expected);
    }
    EXPECT_THAT(this->found("late", {.source = TranscriptSource::offline}), ElementsAre(1));
    EXPECT_THAT(this->found("late", {.source = TranscriptSource::realtime}), IsEmpty());
}

TYPED_TEST(StoreSearchContract, TextThatLooksLikeSqlOrQuerySyntaxIsJustWords) {
    this->transcribed(1, "please drop the table from calls refund or near the café in Ærø");
    this->transcribed(2, "顧客 サービス の 電話 about 東京");
    this->transcribed(3, "an ordinary call " + filler(5));
    const char* const texts[] = {"'; DROP TABLE calls; --",
                                 "\"refund OR NEAR(",
                                 "*",
                                 "-",
                                 "refund*",
                                 "-refund",
                                 "NOT refund",
                                 "refund AND",
                                 "OR",
                                 "(",
                                 ")",
                                 "\"",
                                 "\"\"",
                                 "'",
                                 "\\",
                                 "%",
                                 "_",
                                 "^",
                                 "col:refund",
                                 "final_transcript:refund",
                                 "{refund}",
                                 "refund NEAR/2 café",
                                 ":*",
                                 "!",
                                 "&",
                                 "|",
                                 "<->",
                                 "a & b | !c",
                                 "refund:*",
                                 "Ærø",
                                 "café",
                                 "顧客",
                                 "東京",
                                 "🙂"};
    for (const char* text : texts) {
        const auto hits = this->store().search_calls({.words = text});
        EXPECT_TRUE(hits) << text << ": " << (hits ? "" : hits.error().message);
    }
    EXPECT_EQ(this->store().list_calls({}).value().size(), 3u) << "the table is still there";
    EXPECT_THAT(this->found("'; DROP TABLE calls; --"), ElementsAre(1)) << "drop, table, calls";
    EXPECT_THAT(this->found("\"refund OR NEAR("), ElementsAre(1));
    EXPECT_THAT(this->found("café"), ElementsAre(1));
    EXPECT_THAT(this->found("Ærø"), ElementsAre(1));
    EXPECT_THAT(this->found("顧客"), ElementsAre(2));
    EXPECT_THAT(this->found("東京"), ElementsAre(2));
    EXPECT_THAT(this->found("*"), IsEmpty()) << "no word: nothing";
    EXPECT_THAT(this->found("-"), IsEmpty());
    EXPECT_THAT(this->found("   "), IsEmpty());
    EXPECT_THAT(this->found(""), IsEmpty());
    EXPECT_THAT(this->found("refund*"), ElementsAre(1)) << "'*' is not a prefix operator";
    const auto hits = this->search("café");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_THAT(marked(hits[0].snippet), HasSubstr("[café]"));
}

TYPED_TEST(StoreSearchContract, PagesFollowTheRankWithOffsets) {
    // Call n says "warranty" n times in a transcript of the same length: call 5 ranks first.
    for (int n = 1; n <= 5; ++n) {
        std::string text;
        for (int i = 0; i < 5; ++i)
            text += i < n ? "warranty " : "hello ";
        this->transcribed(n, text + filler(10), at(n));
    }
    EXPECT_THAT(this->found("warranty", {.limit = 2}, 0), ElementsAre(5, 4));
    EXPECT_THAT(this->found("warranty", {.limit = 2}, 2), ElementsAre(3, 2));
    EXPECT_THAT(this->found("warranty", {.limit = 2}, 4), ElementsAre(1));
    EXPECT_THAT(this->found("warranty", {.limit = 2}, 6), IsEmpty());
    EXPECT_THAT(this->found("warranty", {.limit = 50}, 0), ElementsAre(5, 4, 3, 2, 1));
}

} // namespace
} // namespace callscribe::store::test
