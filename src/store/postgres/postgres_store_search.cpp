// PostgresStore: finding calls — the call log's list with its filters, and the full-text search
// over the transcripts (the search_vector column and its GIN index of migration 5).
#include "store/postgres/postgres_store.hpp"
#include "store/postgres/postgres_store_run.hpp"
#include "store/records.hpp"
#include "store/snippet.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <variant>

namespace callscribe::store::postgres {

namespace {

std::string numbered(std::size_t index) {
    return fmt::format("${}", index);
}

constexpr SqlDialect k_dialect{.placeholder = numbered, .contains = "strpos"};

std::int64_t as_int64(std::size_t count) {
    constexpr auto k_max = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(std::min(count, k_max));
}

Params params_of(const std::vector<ColumnValue>& values) {
    Params params;
    for (const auto& value : values)
        std::visit([&](const auto& v) { params.add(v); }, value);
    return params;
}

bool has_text(std::string_view words) {
    return std::any_of(words.begin(), words.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u != 0x7f;
    });
}

// ts_headline's options: one fragment of at most 16 words around the best match, each matched
// word between the markers of store/snippet.hpp.
const std::string k_headline_options =
    fmt::format("StartSel=\"{}\", StopSel=\"{}\", MaxFragments=1, MaxWords=16, MinWords=8",
                k_match_start, k_match_end);

// The words searched for ($1) as a tsquery. plainto_tsquery reads them as words: no operator,
// no syntax error. Spelled out where it is used (not a CTE's column) so that the planner sees a
// value it can look up in the GIN index.
constexpr std::string_view k_query = "plainto_tsquery('english'::regconfig, $1)";

// The text ts_headline reads: the transcript that matched on its own (final first: its lexemes
// are weighted A, the realtime one's B), else the final one unless it is empty.
const std::string k_headline_text =
    fmt::format("CASE WHEN ts_filter(calls.search_vector, '{{a}}') @@ {0} "
                "THEN calls.final_transcript WHEN ts_filter(calls.search_vector, '{{b}}') @@ {0} "
                "OR calls.final_transcript = '' THEN calls.realtime_transcript "
                "ELSE calls.final_transcript END",
                k_query);

// What ts_headline is given of that text ({}): the snippet markers turned into spaces.
constexpr std::string_view k_unmarked = "translate({}, chr(2) || chr(3), '  ')";

// ts_headline parses and stems every word of the text it is given: about 1,000 words of a call
// cost it milliseconds, times a page of hits. So it reads a window of 700 characters around
// the first place where a word starts with one of the query's lexemes (an English stem is
// mostly a prefix of the words it stems) and marks every query word found there (the words
// joined by OR, as the others may be further on: a lexeme holds no space, so ' & ' is only
// plainto_tsquery's AND); the whole text (as indexed: its first 100,000
// characters) only when that window holds no match (a stem that is not a prefix, or one found
// inside another word first). `OFFSET 0` keeps each lateral value computed once per hit: a
// subquery the planner pulls up is computed again wherever its column is used.
const std::string k_excerpt_sql =
    fmt::format("CASE WHEN strpos(window_headline.marked, chr(2)) > 0 THEN window_headline.marked "
                "ELSE ts_headline('english'::regconfig, {0}, {1}, $2) END",
                fmt::format(fmt::runtime(k_unmarked), "left(source.text, 100000)"), k_query);
const std::string k_excerpt_from = fmt::format(
    "CROSS JOIN LATERAL (SELECT {0} AS text OFFSET 0) AS source "
    "CROSS JOIN LATERAL (SELECT regexp_instr(source.text, '\\m' || "
    "regexp_replace((tsvector_to_array(to_tsvector('english'::regconfig, $1)))[1], "
    "'([^[:alnum:]_])', '\\\\\\1', 'g'), 1, 1, 0, 'i') AS at OFFSET 0) AS found "
    "LEFT JOIN LATERAL (SELECT ts_headline('english'::regconfig, {1}, "
    "replace({2}::text, ' & ', ' | ')::tsquery, $2) AS marked "
    "WHERE found.at > 0) AS window_headline ON TRUE",
    k_headline_text,
    fmt::format(fmt::runtime(k_unmarked), "substr(source.text, greatest(1, found.at - 300), 700)"),
    k_query);

} // namespace

Result<std::vector<CallLog>> PostgresStore::list_calls(const CallQuery& query) {
    return run<std::vector<CallLog>>(false, "listing calls", [&](Connection& db) {
        std::vector<ColumnValue> values;
        std::string sql = fmt::format("SELECT {} FROM calls WHERE TRUE", k_call_columns) +
                          call_filter_sql(query, "calls", k_dialect, values);
        // Strictly older than the cursor call in (created_at, call_sid) order; a cursor that
        // names no call matches nothing.
        if (query.before) {
            values.emplace_back(query.before->str());
            sql += fmt::format(" AND (created_at_us, call_sid) < (SELECT created_at_us, call_sid "
                               "FROM calls WHERE call_sid = ${})",
                               values.size());
        }
        values.emplace_back(as_int64(query.limit));
        sql += fmt::format(" ORDER BY created_at_us DESC, call_sid DESC LIMIT ${}", values.size());
        const Rows rows = db.exec(sql, params_of(values));
        std::vector<CallLog> calls;
        for (int i = 0; i < rows.size(); ++i) {
            calls.push_back(read_call(rows[i]));
        }
        return calls;
    });
}

Result<std::vector<SearchHit>> PostgresStore::search_calls(const CallSearch& search) {
    return run<std::vector<SearchHit>>(true, "searching the transcripts", [&](Connection& db) {
        std::vector<SearchHit> hits;
        if (!has_text(search.words)) return hits;
        // A scan of the whole table looks cheap to the planner while the table is small, but
        // each row's tsvector is read from TOAST and decompressed: 150 ms at 5,000 calls of
        // 1,000 words, against a few ms through the GIN index. For this transaction only.
        db.exec("SET LOCAL enable_seqscan = off");
        // The page of hits is ranked first (ts_rank, both transcripts weighing the same,
        // divided by 1 + log(length)); the excerpts are made for that page only.
        std::vector<ColumnValue> values{search.words, k_headline_options};
        std::string sql = fmt::format(
            "WITH hits AS (SELECT calls.call_sid AS hit_sid, calls.created_at_us AS hit_created, "
            "ts_rank('{{0.1, 0.2, 1.0, 1.0}}', calls.search_vector, {0}, 1) AS score "
            "FROM calls WHERE calls.search_vector @@ {0}",
            k_query);
        sql += call_filter_sql(search.filter, "calls", k_dialect, values);
        values.emplace_back(as_int64(search.filter.limit));
        values.emplace_back(as_int64(search.offset));
        sql += fmt::format(" ORDER BY score DESC, hit_created DESC, hit_sid DESC "
                           "LIMIT ${} OFFSET ${}) ",
                           values.size() - 1, values.size());
        sql += fmt::format("SELECT {}, {} FROM hits JOIN calls ON calls.call_sid = hits.hit_sid "
                           "{} ORDER BY score DESC, hit_created DESC, hit_sid DESC",
                           k_call_columns, k_excerpt_sql, k_excerpt_from);
        const Rows rows = db.exec(sql, params_of(values));
        for (int i = 0; i < rows.size(); ++i) {
            SearchHit hit{.call = read_call(rows[i])};
            hit.snippet = split_snippet(rows[i].text_at(k_call_column_count), hit.call);
            hits.push_back(std::move(hit));
        }
        return hits;
    });
}

} // namespace callscribe::store::postgres
