// The full-text search over the transcripts, on SQLite or PostgreSQL: generates calls whose
// transcripts are about `--words` words drawn from a Zipf-distributed vocabulary (plus rare words
// to search for), then times Store::search_calls for one-word and three-word queries, reports
// the index's size, and times saving a transcript with the index (schema 5) and without it
// (schema 4). bench/search runs it on both stores.
//
// usage: search_bench --sqlite FILE | --postgres URL [--calls N] [--words N] [--queries N]
//                     [--saves N] [--queries-out PREFIX]
#include "bench_ids.hpp"
#include "store/postgres/connection.hpp"
#include "store/postgres/migrations.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

using namespace callscribe;
using SteadyClock = std::chrono::steady_clock;

namespace {

using bench::call_sid;
using bench::now;

double ms_since(SteadyClock::time_point start) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1));
    return values[index];
}

// Words that read like words: two or three syllables and a closing consonant; the rare ones
// start with "zq", which no common word does. None is an English stop word.
class Vocabulary {
  public:
    Vocabulary(std::size_t common, std::size_t rare, std::mt19937_64& random) {
        static const char* const k_onsets[] = {"b", "c", "d", "f", "g", "h", "k", "l",  "m",
                                               "n", "p", "r", "s", "t", "v", "w", "br", "st"};
        static const char* const k_vowels[] = {"a", "e", "i", "o", "u", "ai", "ou"};
        static const char* const k_codas[] = {"n", "r", "s", "t", "l", "m", "nd", "ck"};
        std::set<std::string> seen;
        auto syllable = [&] {
            return std::string(k_onsets[random() % std::size(k_onsets)]) +
                   k_vowels[random() % std::size(k_vowels)];
        };
        while (m_common.size() < common) {
            std::string word = syllable() + syllable();
            if (random() % 3 == 0) word += syllable();
            word += k_codas[random() % std::size(k_codas)];
            if (seen.insert(word).second) m_common.push_back(word);
        }
        while (m_rare.size() < rare) {
            std::string word = "zq" + syllable() + syllable() + k_codas[random() % 8];
            if (seen.insert(word).second) m_rare.push_back(word);
        }
        // Zipf (s = 1): the word of rank r is drawn with weight 1 / r.
        double total = 0;
        for (std::size_t r = 1; r <= common; ++r) {
            total += 1.0 / static_cast<double>(r);
            m_cumulative.push_back(total);
        }
        for (auto& c : m_cumulative)
            c /= total;
    }

    const std::string& draw(std::mt19937_64& random) const {
        const double u = std::uniform_real_distribution<double>(0, 1)(random);
        const auto at = std::lower_bound(m_cumulative.begin(), m_cumulative.end(), u);
        return m_common[std::min<std::size_t>(at - m_cumulative.begin(), m_common.size() - 1)];
    }
    const std::string& rank(std::size_t r) const { return m_common[r - 1]; }
    const std::string& rare(std::size_t i) const { return m_rare[i % m_rare.size()]; }
    std::size_t rare_count() const { return m_rare.size(); }

  private:
    std::vector<std::string> m_common, m_rare;
    std::vector<double> m_cumulative;
};

// A call's transcript as the service stores it: lines of 6 to 20 words, Caller and Agent in
// turn, with two rare words somewhere.
std::string transcript(const Vocabulary& vocabulary, int words, std::mt19937_64& random) {
    std::string text;
    std::vector<std::string> spoken;
    spoken.reserve(static_cast<std::size_t>(words));
    for (int i = 0; i < words; ++i)
        spoken.push_back(vocabulary.draw(random));
    for (int k = 0; k < 2; ++k)
        spoken[random() % spoken.size()] = vocabulary.rare(random() % vocabulary.rare_count());
    bool caller = true;
    for (std::size_t i = 0; i < spoken.size();) {
        const std::size_t line = 6 + random() % 15;
        text += caller ? "Caller:" : "Agent:";
        for (std::size_t end = std::min(spoken.size(), i + line); i < end; ++i)
            text += " " + spoken[i];
        text += i < spoken.size() ? ".\n" : ".";
        caller = !caller;
    }
    return text;
}

constexpr std::string_view k_insert_sqlite =
    "INSERT INTO calls (call_sid, status, final_transcript, transcript_source, created_at_us, "
    "updated_at_us, from_number, to_number) VALUES (?1, 'done', ?2, 'offline', ?3, ?3, ?4, ?5)";
constexpr std::string_view k_insert_postgres =
    "INSERT INTO calls (call_sid, status, final_transcript, transcript_source, created_at_us, "
    "updated_at_us, from_number, to_number) VALUES ($1, 'done', $2, 'offline', $3, $3, $4, $5)";

struct Target {
    std::string sqlite_file;
    std::string postgres_url;
    bool sqlite() const { return !sqlite_file.empty(); }
    std::string url() const { return sqlite() ? "sqlite://" + sqlite_file : postgres_url; }
    std::string name() const { return sqlite() ? "SQLite" : "PostgreSQL"; }
};

// Writes `calls` calls straight into the calls table (the search index's triggers run as for
// any write), in transactions of 500.
void generate(const Target& target, const Vocabulary& vocabulary, int calls, int words,
              std::mt19937_64& random) {
    const auto start = SteadyClock::now();
    const std::int64_t t0 = 1'767'225'600'000'000; // 2026-01-01, one call a minute from there
    auto row = [&](int n) {
        return std::tuple(call_sid(n).str(), transcript(vocabulary, words, random),
                          t0 + std::int64_t{60'000'000} * n,
                          fmt::format("+1500555{:04}", n % 10000), fmt::format("+1415{:07}", n));
    };
    if (target.sqlite()) {
        store::sqlite::Connection db(target.sqlite_file, std::chrono::milliseconds{5000});
        db.exec("PRAGMA synchronous = OFF");
        for (int n = 1; n <= calls;) {
            store::sqlite::Transaction transaction(db);
            for (int end = std::min(calls, n + 499); n <= end; ++n) {
                const auto [sid, text, created, from, to] = row(n);
                store::sqlite::Statement(db, k_insert_sqlite)
                    .bind(sid, text, created, from, to)
                    .run();
            }
            transaction.commit();
            if (n % 10000 == 1) fmt::print(stderr, "  {} calls\n", n - 1);
        }
    } else {
        store::postgres::Connection db(target.postgres_url);
        // A bulk load builds the GIN index once at the end, as PostgreSQL advises (the same
        // definition as migration 5); the trigger still makes each call's tsvector.
        db.exec("DROP INDEX calls_search");
        for (int n = 1; n <= calls;) {
            store::postgres::Transaction transaction(db);
            for (int end = std::min(calls, n + 499); n <= end; ++n) {
                const auto [sid, text, created, from, to] = row(n);
                db.exec(k_insert_postgres, store::postgres::Params(sid, text, created, from, to));
            }
            transaction.commit();
            if (n % 10000 == 1) fmt::print(stderr, "  {} calls\n", n - 1);
        }
        db.exec("CREATE INDEX calls_search ON calls USING GIN (search_vector) "
                "WITH (fastupdate = off)");
        db.exec("VACUUM ANALYZE calls");
    }
    fmt::print("generated {} calls of about {} words in {:.0f} s\n", calls, words,
               ms_since(start) / 1000);
}

struct Sizes {
    double text_mb = 0, index_mb = 0, database_mb = 0;
};

Sizes sizes(const Target& target) {
    Sizes out;
    const double mb = 1024.0 * 1024.0;
    if (target.sqlite()) {
        store::sqlite::Connection db(target.sqlite_file, std::chrono::milliseconds{5000});
        store::sqlite::Statement text(db, "SELECT SUM(LENGTH(CAST(final_transcript AS BLOB))) "
                                          "FROM calls");
        text.step();
        out.text_mb = static_cast<double>(text.int64_at(0)) / mb;
        // The FTS5 table's own tables (its copy of the text is the calls table itself) and the
        // search_id index.
        store::sqlite::Statement index(db, "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE "
                                           "'calls_search%' OR name = 'calls_by_search_id'");
        index.step();
        out.index_mb = static_cast<double>(index.int64_at(0)) / mb;
        out.database_mb = static_cast<double>(std::filesystem::file_size(target.sqlite_file)) / mb;
    } else {
        store::postgres::Connection db(target.postgres_url);
        const auto rows =
            db.exec("SELECT (SELECT SUM(octet_length(final_transcript)) FROM calls), "
                    "pg_relation_size('calls_search') + (SELECT SUM(pg_column_size(search_vector)) "
                    "FROM calls), pg_database_size(current_database())");
        out.text_mb = static_cast<double>(rows[0].int64_at(0)) / mb;
        out.index_mb = static_cast<double>(rows[0].int64_at(1)) / mb;
        out.database_mb = static_cast<double>(rows[0].int64_at(2)) / mb;
    }
    return out;
}

// The milliseconds each query took through Store::search_calls, as GET /api/calls?q= asks
// (50 calls a page, one more to tell whether there is a next).
std::vector<double> time_queries(store::Store& store, const std::vector<std::string>& queries,
                                 std::size_t* hits_total) {
    std::vector<double> times;
    for (const auto& words : queries) {
        const auto start = SteadyClock::now();
        auto hits = store.search_calls({.words = words, .filter = {.limit = 51}});
        times.push_back(ms_since(start));
        if (!hits) throw std::runtime_error(hits.error().message);
        *hits_total += hits->size();
    }
    return times;
}

// The milliseconds each save of a transcript took: the offline job's end (finish_job) writing
// the call with its `words`-word transcript, as the service does.
std::vector<double> time_saves(store::Store& store, const Vocabulary& vocabulary, int saves,
                               int words, int first_call, std::mt19937_64& random) {
    std::vector<double> times;
    for (int n = first_call; n < first_call + saves; ++n) {
        const TimePoint t = now();
        store.enqueue_offline_stt(call_sid(n), std::nullopt, t).value();
        auto job = store.claim_call_job(call_sid(n), "bench", t, Seconds{60}).value().value();
        job.state = store::JobState::done;
        job.step = store::JobStep::finished;
        const store::CallUpdate update{.status = store::CallStatus::done,
                                       .final_transcript = transcript(vocabulary, words, random),
                                       .transcript_source = store::TranscriptSource::offline};
        const auto start = SteadyClock::now();
        if (!store.finish_job(job, update, std::nullopt, t).value())
            throw std::runtime_error("a save lost its lease");
        times.push_back(ms_since(start));
    }
    return times;
}

// A fresh store at `schema` migrations, beside the benchmark's database: a new SQLite file, or
// a new PostgreSQL database on the same server.
std::unique_ptr<store::Store> fresh_store(const Target& target, std::size_t schema,
                                          const std::string& name) {
    if (target.sqlite()) {
        const std::string file = target.sqlite_file + "." + name;
        std::filesystem::remove(file);
        auto store = store::sqlite::SqliteStore::open(
            file, {.migrations = store::sqlite::builtin_migrations().first(schema)});
        if (!store) throw std::runtime_error(store.error().message);
        return std::move(*store);
    }
    {
        store::postgres::Connection server(target.postgres_url);
        server.exec_script(fmt::format("DROP DATABASE IF EXISTS {}", name));
        server.exec_script(fmt::format("CREATE DATABASE {}", name));
    }
    // postgresql://user@/DATABASE?host=…: the same server, another database.
    std::string url = target.postgres_url;
    const auto path = url.find('/', url.find("://") + 3);
    const auto query = url.find('?', path);
    url.replace(path + 1, (query == std::string::npos ? url.size() : query) - path - 1, name);
    auto store = store::postgres::PostgresStore::open(
        url, {.migrations = store::postgres::builtin_migrations().first(schema)});
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(*store);
}

void write_lines(const std::string& file, const std::vector<std::string>& lines) {
    std::ofstream out(file);
    for (const auto& line : lines)
        out << line << '\n';
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"callscribe full-text search benchmark"};
    Target target;
    int calls = 100'000, words = 1000, queries = 200, saves = 300;
    std::string queries_out;
    app.add_option("--sqlite", target.sqlite_file, "an SQLite file to create");
    app.add_option("--postgres", target.postgres_url, "an empty PostgreSQL database's URL");
    app.add_option("--calls", calls, "calls to generate");
    app.add_option("--words", words, "words per transcript");
    app.add_option("--queries", queries, "queries of each kind to time");
    app.add_option("--saves", saves, "transcript saves to time with and without the index");
    app.add_option("--queries-out", queries_out, "write the queries to PREFIX-one.txt, …");
    CLI11_PARSE(app, argc, argv);
    if (target.sqlite_file.empty() == target.postgres_url.empty()) {
        fmt::print(stderr, "search_bench: give --sqlite FILE or --postgres URL\n");
        return 2;
    }
    try {
        std::mt19937_64 random(20261204);
        const Vocabulary vocabulary(5000, 1000, random);
        {
            auto schema = store::open_store(target.url()); // creates the schema
            if (!schema) throw std::runtime_error(schema.error().message);
        }
        generate(target, vocabulary, calls, words, random);
        auto opened = store::open_store(target.url());
        if (!opened) throw std::runtime_error(opened.error().message);
        store::Store& store = **opened;

        // One word: a rare word (in about 0.2 % of the calls). Three words: of rank 100 to
        // 2,000 (each in roughly 5 % to 60 % of the calls), as an operator types a phrase. A
        // frequent word (rank 1 to 20, in nearly every call): the worst case, fewer runs.
        std::vector<std::string> one, three, frequent;
        for (int i = 0; i < queries; ++i) {
            one.push_back(vocabulary.rare(random() % vocabulary.rare_count()));
            std::string phrase;
            for (int k = 0; k < 3; ++k)
                phrase += (k ? " " : "") + vocabulary.rank(100 + random() % 1901);
            three.push_back(phrase);
        }
        for (int i = 0; i < 10; ++i)
            frequent.push_back(vocabulary.rank(1 + random() % 20));
        if (!queries_out.empty()) {
            write_lines(queries_out + "-one.txt", one);
            write_lines(queries_out + "-three.txt", three);
        }
        std::size_t hits = 0;
        time_queries(store,
                     std::vector<std::string>(one.begin(), one.begin() + std::min(20, queries)),
                     &hits); // warm-up
        hits = 0;
        const auto one_ms = time_queries(store, one, &hits);
        const double one_hits = static_cast<double>(hits) / static_cast<double>(one.size());
        hits = 0;
        const auto three_ms = time_queries(store, three, &hits);
        const double three_hits = static_cast<double>(hits) / static_cast<double>(three.size());
        hits = 0;
        const auto frequent_ms = time_queries(store, frequent, &hits);

        const Sizes size = sizes(target);
        auto without = fresh_store(target, 4, "search_bench_v4");
        auto with = fresh_store(target, 5, "search_bench_v5");
        const auto save_v4 = time_saves(*without, vocabulary, saves, words, 1, random);
        const auto save_v5 = time_saves(*with, vocabulary, saves, words, 1, random);
        const auto save_big = time_saves(store, vocabulary, saves, words, calls + 1, random);

        const auto name = target.name();
        fmt::print("{}: {} calls, {} words each; {} queries of each kind, 51 hits a page at "
                   "most\n",
                   name, calls, words, queries);
        fmt::print("| {} | one word (rare) | {:.2f} | {:.2f} | {:.1f} |\n", name,
                   percentile(one_ms, 50), percentile(one_ms, 95), one_hits);
        fmt::print("| {} | three words | {:.2f} | {:.2f} | {:.1f} |\n", name,
                   percentile(three_ms, 50), percentile(three_ms, 95), three_hits);
        fmt::print("| {} | one frequent word (worst case, 10 runs) | {:.2f} | {:.2f} | 51 |\n",
                   name, percentile(frequent_ms, 50), percentile(frequent_ms, 95));
        fmt::print("size {}: transcripts {:.1f} MiB, search index {:.1f} MiB, database {:.1f} "
                   "MiB\n",
                   name, size.text_mb, size.index_mb, size.database_mb);
        fmt::print("save {}: without index p50 {:.2f} ms p95 {:.2f} ms; with index p50 {:.2f} ms "
                   "p95 {:.2f} ms; with index, {} calls stored: p50 {:.2f} ms p95 {:.2f} ms\n",
                   name, percentile(save_v4, 50), percentile(save_v4, 95), percentile(save_v5, 50),
                   percentile(save_v5, 95), calls, percentile(save_big, 50),
                   percentile(save_big, 95));
    } catch (const std::exception& e) {
        fmt::print(stderr, "search_bench: {}\n", e.what());
        return 1;
    }
    return 0;
}
