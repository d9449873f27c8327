#include "store/records.hpp"

#include <fmt/format.h>

#include <chrono>
#include <type_traits>

namespace callscribe::store {

namespace {

template <class T> std::optional<ColumnValue> value_of(const std::optional<T>& field) {
    if (!field) return std::nullopt;
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, double>) {
        return ColumnValue(*field);
    } else if constexpr (std::is_integral_v<T>) {
        return ColumnValue(static_cast<std::int64_t>(*field));
    } else if constexpr (std::is_same_v<T, RecordingSid>) {
        return ColumnValue(field->str());
    } else {
        return ColumnValue(std::string(to_string(*field)));
    }
}

} // namespace

std::int64_t to_micros(TimePoint time) {
    return std::chrono::floor<std::chrono::microseconds>(time.time_since_epoch()).count();
}

TimePoint from_micros(std::int64_t micros) {
    return TimePoint(
        std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)));
}

CorruptValue::CorruptValue(std::string_view table, std::string_view column, std::string_view text)
    : std::runtime_error(fmt::format("unexpected value \"{}\" in {}.{}", text, table, column)) {}

void set_count(JobCounts& counts, JobState state, std::int64_t count) {
    switch (state) {
    case JobState::queued:
        counts.queued = count;
        break;
    case JobState::running:
        counts.running = count;
        break;
    case JobState::done:
        counts.done = count;
        break;
    case JobState::failed:
        counts.failed = count;
        break;
    }
}

std::vector<std::pair<std::string_view, ColumnValue>> call_update_columns(const CallUpdate& update,
                                                                          TimePoint now) {
    std::vector<std::pair<std::string_view, ColumnValue>> columns;
    auto add = [&](std::string_view column, std::optional<ColumnValue> value) {
        if (value) columns.emplace_back(column, std::move(*value));
    };
    add("updated_at_us", ColumnValue(to_micros(now)));
    for_each_call_field(
        [&](std::string_view column, auto field, auto) { add(column, value_of(update.*field)); });
    return columns;
}

std::string call_filter_sql(const CallQuery& query, std::string_view table,
                            const SqlDialect& dialect, std::vector<ColumnValue>& values) {
    std::string sql;
    const auto next = [&](ColumnValue value) {
        values.push_back(std::move(value));
        return dialect.placeholder(values.size());
    };
    if (query.status)
        sql +=
            fmt::format(" AND {}.status = {}", table, next(std::string(to_string(*query.status))));
    if (query.source)
        sql += fmt::format(" AND {}.transcript_source = {}", table,
                           next(std::string(to_string(*query.source))));
    if (query.created_since)
        sql += fmt::format(" AND {}.created_at_us >= {}", table,
                           next(to_micros(*query.created_since)));
    if (query.created_until)
        sql +=
            fmt::format(" AND {}.created_at_us < {}", table, next(to_micros(*query.created_until)));
    if (!query.number.empty()) {
        // A plain substring test: no character of the number is a pattern.
        const std::string number = next(query.number);
        sql += fmt::format(" AND ({0}({1}.from_number, {2}) > 0 OR {0}({1}.to_number, {2}) > 0)",
                           dialect.contains, table, number);
    }
    return sql;
}

} // namespace callscribe::store
