#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

int main() {
    std::map<std::string, long> counts;
    std::string word;
    while (std::cin >> word) {
        std::string lower;
        for (char c : word)
            lower = lower + (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
        counts[lower]++;
    }
    std::vector<std::pair<std::string, long>> entries(counts.begin(), counts.end());
    std::sort(entries.begin(), entries.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (std::size_t i = 0; i < entries.size() && i < 10; i++)
        std::cout << entries[i].first << " " << entries[i].second << std::endl;
    return 0;
}
