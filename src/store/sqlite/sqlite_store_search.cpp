// SqliteStore: finding calls — the call log's list with its filters, and the full-text search
// over the transcripts (the FTS5 table calls_search of migration 5).
#include "store/records.hpp"
#include "store/snippet.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/sqlite_store_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <variant>

namespace callscribe::store::sqlite {

namespace {

std::string numbered(std::size_t index) {
    return fmt::format("?{}", index);
}

constexpr SqlDialect k_dialect{.placeholder = numbered, .contains = "instr"};

std::int64_t as_int64(std::size_t count) {
    constexpr auto k_max = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(std::min(count, k_max));
}

void bind_all(Statement& statement, const std::vector<ColumnValue>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::visit([&](const auto& v) { statement.bind_at(static_cast<int>(i) + 1, v); },
                   values[i]);
    }
}

bool is_space_or_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
}

// The user's words as an FTS5 query that holds no operator: each word a quoted string (its
// quotes doubled, control characters dropped), all of them required. A word without a letter or
// digit is an empty phrase, which FTS5 ignores. Empty when there is no word at all.
std::string fts5_query(std::string_view words) {
    std::string query;
    std::size_t i = 0;
    while (i < words.size()) {
        while (i < words.size() && is_space_or_control(words[i]))
            ++i;
        if (i == words.size()) break;
        query += query.empty() ? "\"" : " \"";
        for (; i < words.size() && !is_space_or_control(words[i]); ++i) {
            if (words[i] == '"') query += '"';
            query += words[i];
        }
        query += '"';
    }
    return query;
}

// The marked excerpt (store/snippet.hpp) of the call indexed as `search_id`, around the best
// match of `query` in whichever transcript holds it; about 16 words.
std::string marked_snippet(Connection& db, const std::string& query, std::int64_t search_id) {
    Statement select(db, "SELECT snippet(calls_search, -1, char(2), char(3), '', 16) "
                         "FROM calls_search WHERE calls_search MATCH ?1 AND rowid = ?2");
    select.bind(query, search_id);
    return select.step() ? select.text_at(0) : std::string();
}

} // namespace

Result<std::vector<CallLog>> SqliteStore::list_calls(const CallQuery& query) {
    return run<std::vector<CallLog>>(false, "listing calls", [&] {
        std::vector<ColumnValue> values;
        std::string sql = fmt::format("SELECT {} FROM calls WHERE 1", k_call_columns) +
                          call_filter_sql(query, "calls", k_dialect, values);
        // Strictly older than the cursor call in (created_at, call_sid) order; a cursor that
        // names no call matches nothing.
        if (query.before) {
            values.emplace_back(query.before->str());
            sql += fmt::format(" AND (created_at_us, call_sid) < (SELECT created_at_us, call_sid "
                               "FROM calls WHERE call_sid = ?{})",
                               values.size());
        }
        values.emplace_back(as_int64(query.limit));
        sql += fmt::format(" ORDER BY created_at_us DESC, call_sid DESC LIMIT ?{}", values.size());
        Statement select(*m_connection, sql);
        bind_all(select, values);
        std::vector<CallLog> calls;
        while (select.step()) {
            calls.push_back(read_call(select));
        }
        return calls;
    });
}

Result<std::vector<SearchHit>> SqliteStore::search_calls(const CallSearch& search) {
    return run<std::vector<SearchHit>>(false, "searching the transcripts", [&] {
        std::vector<SearchHit> hits;
        const std::string query = fts5_query(search.words);
        if (query.empty()) return hits;
        // bm25() is smaller for a better match. The page of hits is ranked and filtered over
        // the full-text table and the covering index on search_id alone; only then are its
        // calls read whole.
        std::vector<ColumnValue> values{query};
        std::string sql =
            "SELECT hits.search_id, hits.score, calls.created_at_us AS created, "
            "calls.call_sid AS sid FROM (SELECT rowid AS search_id, bm25(calls_search) AS score "
            "FROM calls_search WHERE calls_search MATCH ?1) AS hits "
            "JOIN calls ON calls.search_id = hits.search_id WHERE 1";
        sql += call_filter_sql(search.filter, "calls", k_dialect, values);
        values.emplace_back(as_int64(search.filter.limit));
        values.emplace_back(as_int64(search.offset));
        sql = fmt::format("SELECT {}, page.search_id FROM ({} ORDER BY hits.score, "
                          "calls.created_at_us DESC, calls.call_sid DESC LIMIT ?{} OFFSET ?{}) "
                          "AS page JOIN calls ON calls.search_id = page.search_id "
                          "ORDER BY page.score, page.created DESC, page.sid DESC",
                          k_call_columns, sql, values.size() - 1, values.size());
        Statement select(*m_connection, sql);
        bind_all(select, values);
        std::vector<std::int64_t> search_ids;
        while (select.step()) {
            hits.push_back(SearchHit{.call = read_call(select)});
            search_ids.push_back(select.int64_at(k_call_column_count));
        }
        // Excerpts for the page's calls only: snippet() reads and tokenizes the transcript.
        for (std::size_t i = 0; i < hits.size(); ++i) {
            hits[i].snippet =
                split_snippet(marked_snippet(*m_connection, query, search_ids[i]), hits[i].call);
        }
        return hits;
    });
}

} // namespace callscribe::store::sqlite
