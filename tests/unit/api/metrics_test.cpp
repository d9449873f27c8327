// GET /metrics, read back by a strict parser of the Prometheus text format (version 0.0.4).
#include "jobs/job_metrics.hpp"
#include "net/counting_http_client.hpp"
#include "unit/api/api_fixture.hpp"
#include "webhook/delivery_counts.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace callscribe::api::test {
namespace {

struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

struct Family {
    std::string type;
    std::vector<Sample> samples;
};

std::map<std::string, std::string> parse_labels(const std::string& text) {
    static const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="([^"\\]*)"(,|$))re");
    std::map<std::string, std::string> labels;
    std::string::const_iterator at = text.begin();
    std::smatch match;
    while (at != text.end()) {
        EXPECT_TRUE(
            std::regex_search(at, text.end(), match, label, std::regex_constants::match_continuous))
            << "bad labels: " << text;
        if (match.empty()) break;
        EXPECT_TRUE(labels.emplace(match[1], match[2]).second) << "repeated label in " << text;
        at = match[0].second;
    }
    return labels;
}

double parse_value(const std::string& text) {
    if (text == "+Inf") return std::numeric_limits<double>::infinity();
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    EXPECT_EQ(used, text.size()) << "bad value " << text;
    return value;
}

// Every line is a HELP, a TYPE right after its HELP, or a sample of the family declared last
// (histograms: name_bucket, name_sum, name_count). No family is declared twice.
std::map<std::string, Family> parse_exposition(const std::string& text) {
    static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
    static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
    static const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+))");
    std::map<std::string, Family> families;
    std::string current, helped;
    std::istringstream lines(text);
    std::string line;
    std::smatch m;
    EXPECT_TRUE(text.ends_with('\n'));
    while (std::getline(lines, line)) {
        if (std::regex_match(line, m, help)) {
            helped = m[1];
        } else if (std::regex_match(line, m, type)) {
            EXPECT_EQ(m[1], helped) << "TYPE without its HELP: " << line;
            EXPECT_FALSE(families.contains(m[1])) << "declared twice: " << line;
            current = m[1];
            families[current].type = m[2];
        } else if (std::regex_match(line, m, sample)) {
            if (current.empty()) {
                ADD_FAILURE() << "sample before any family: " << line;
                continue;
            }
            const std::string name = m[1];
            const Family& family = families[current];
            const bool belongs = family.type == "histogram"
                                     ? (name == current + "_bucket" || name == current + "_sum" ||
                                        name == current + "_count")
                                     : name == current;
            EXPECT_TRUE(belongs) << line << " is not a sample of " << current;
            families[current].samples.push_back(
                {name, parse_labels(m[3].str()), parse_value(m[4].str())});
        } else {
            ADD_FAILURE() << "not a valid line: '" << line << "'";
        }
    }
    return families;
}

// Buckets per label set (without le): increasing bounds, cumulative counts, ending in +Inf
// whose count equals _count.
void expect_valid_histogram(const Family& family) {
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    for (const Sample& s : family.samples) {
        auto labels = s.labels;
        if (s.name.ends_with("_bucket")) {
            ASSERT_TRUE(labels.contains("le"));
            const double le = parse_value(labels["le"]);
            labels.erase("le");
            buckets[labels].emplace_back(le, s.value);
        } else if (s.name.ends_with("_count")) {
            counts[labels] = s.value;
        }
    }
    ASSERT_FALSE(buckets.empty());
    for (const auto& [labels, series] : buckets) {
        for (std::size_t i = 1; i < series.size(); ++i) {
            EXPECT_LT(series[i - 1].first, series[i].first);
            EXPECT_LE(series[i - 1].second, series[i].second);
        }
        EXPECT_TRUE(std::isinf(series.back().first));
        ASSERT_TRUE(counts.contains(labels));
        EXPECT_EQ(series.back().second, counts[labels]);
    }
}

double value_of(const Family& family, const std::string& name,
                const std::map<std::string, std::string>& labels) {
    for (const Sample& s : family.samples) {
        if (s.name == name && s.labels == labels) return s.value;
    }
    ADD_FAILURE() << "no sample " << name;
    return -1;
}

class AnsweringClient : public net::HttpClient {
  public:
    int status = 200;
    Result<net::HttpResponse> send(const net::HttpRequest&) override {
        if (status == 0) return fail("connection refused");
        return net::HttpResponse{.status = status};
    }
    Result<net::HttpResponse> download(const net::HttpRequest& request, net::ByteSink&) override {
        return send(request);
    }
};

class Metrics : public ApiFixture {};

TEST_F(Metrics, AreOpenAndFollowTheTextFormat) {
    m_settings.api_token = Secret("api-token");
    jobs::JobMetrics job_metrics;
    job_metrics.record_step(store::JobStep::download, Seconds{0.2});
    job_metrics.record_step(store::JobStep::download, Seconds{3});
    job_metrics.record_step(store::JobStep::transcribe, Seconds{2});
    job_metrics.record_transcribed_audio(Seconds{8});
    job_metrics.record_dropped_segments({.no_speech = 2, .compression_ratio = 0, .repetition = 1});
    job_metrics.record_dropped_segments({.no_speech = 1, .compression_ratio = 0, .repetition = 0});
    AnsweringClient twilio;
    net::CountingHttpClient counted(twilio);
    for (const int status : {200, 200, 404, 0}) {
        twilio.status = status;
        (void)counted.send({});
    }
    webhook::DeliveryCounts webhooks;
    webhooks.add(store::DeliveryState::delivered);
    webhooks.add(store::DeliveryState::pending);
    m_metrics = {.jobs = &job_metrics, .twilio_http = &counted, .webhooks = &webhooks};
    add_transcribed_call(k_call, "ID3 bytes");
    ASSERT_TRUE(store().enqueue_offline_stt(k_other_call, std::nullopt, m_clock.now()));

    const auto response = get("/metrics");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    auto families = parse_exposition(response.body);

    ASSERT_EQ(families["callscribe_jobs"].type, "gauge");
    EXPECT_EQ(value_of(families["callscribe_jobs"], "callscribe_jobs", {{"state", "done"}}), 1);
    EXPECT_EQ(value_of(families["callscribe_jobs"], "callscribe_jobs", {{"state", "queued"}}), 1);

    const Family& steps = families["callscribe_job_step_seconds"];
    ASSERT_EQ(steps.type, "histogram");
    expect_valid_histogram(steps);
    EXPECT_EQ(value_of(steps, "callscribe_job_step_seconds_count", {{"step", "download"}}), 2);
    EXPECT_DOUBLE_EQ(value_of(steps, "callscribe_job_step_seconds_sum", {{"step", "download"}}),
                     3.2);
    EXPECT_EQ(value_of(steps, "callscribe_job_step_seconds_bucket",
                       {{"step", "download"}, {"le", "0.25"}}),
              1);
    EXPECT_EQ(value_of(steps, "callscribe_job_step_seconds_count", {{"step", "resolve"}}), 0);

    EXPECT_DOUBLE_EQ(value_of(families["callscribe_transcription_real_time_factor"],
                              "callscribe_transcription_real_time_factor", {}),
                     0.25);
    const Family& dropped = families["callscribe_stt_dropped_segments_total"];
    ASSERT_EQ(dropped.type, "counter");
    EXPECT_EQ(value_of(dropped, "callscribe_stt_dropped_segments_total", {{"reason", "no_speech"}}),
              3);
    EXPECT_EQ(
        value_of(dropped, "callscribe_stt_dropped_segments_total", {{"reason", "repetition"}}), 1);
    EXPECT_EQ(value_of(dropped, "callscribe_stt_dropped_segments_total",
                       {{"reason", "compression_ratio"}}),
              0);
    const Family& requests = families["callscribe_twilio_requests_total"];
    ASSERT_EQ(requests.type, "counter");
    EXPECT_EQ(value_of(requests, "callscribe_twilio_requests_total", {{"status", "200"}}), 2);
    EXPECT_EQ(value_of(requests, "callscribe_twilio_requests_total", {{"status", "404"}}), 1);
    EXPECT_EQ(value_of(requests, "callscribe_twilio_requests_total", {{"status", "error"}}), 1);
    const Family& deliveries = families["callscribe_webhook_deliveries_total"];
    EXPECT_EQ(
        value_of(deliveries, "callscribe_webhook_deliveries_total", {{"outcome", "delivered"}}), 1);
    EXPECT_EQ(value_of(deliveries, "callscribe_webhook_deliveries_total", {{"outcome", "retry"}}),
              1);
    EXPECT_EQ(value_of(deliveries, "callscribe_webhook_deliveries_total", {{"outcome", "failed"}}),
              0);
}

TEST_F(Metrics, WithoutSourcesStillDeclareEveryFamily) {
    const auto response = get("/metrics");
    ASSERT_EQ(response.status, 200);
    const auto families = parse_exposition(response.body);
    for (const char* name :
         {"callscribe_jobs", "callscribe_job_step_seconds",
          "callscribe_transcription_real_time_factor", "callscribe_twilio_requests_total",
          "callscribe_webhook_deliveries_total"})
        EXPECT_TRUE(families.contains(name)) << name;
    expect_valid_histogram(families.at("callscribe_job_step_seconds"));
}

} // namespace
} // namespace callscribe::api::test
