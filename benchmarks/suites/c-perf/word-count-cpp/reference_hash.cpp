// One read; words lower-cased in place and counted in a hash map keyed by views into the
// buffer; only the ten best entries are ordered (partial_sort).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

static bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int main() {
    std::ios::sync_with_stdio(false);
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    for (char &c : text)
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    std::unordered_map<std::string_view, long> counts;
    counts.reserve(1024);
    const char *p = text.data(), *end = p + text.size();
    while (p < end) {
        while (p < end && is_space(*p)) p++;
        const char *start = p;
        while (p < end && !is_space(*p)) p++;
        if (p > start) counts[std::string_view(start, (std::size_t)(p - start))]++;
    }
    std::vector<std::pair<std::string_view, long>> entries(counts.begin(), counts.end());
    auto better = [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    };
    std::size_t shown = std::min<std::size_t>(10, entries.size());
    std::partial_sort(entries.begin(), entries.begin() + (long)shown, entries.end(), better);
    for (std::size_t i = 0; i < shown; i++)
        std::printf("%.*s %ld\n", (int)entries[i].first.size(), entries[i].first.data(), entries[i].second);
    return 0;
}
