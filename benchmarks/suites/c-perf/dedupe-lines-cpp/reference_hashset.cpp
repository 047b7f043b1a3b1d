// The whole input is read once; lines are string_views into it, looked up in a hash set,
// and the output is collected in one string and written once (no flush per line).
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <unordered_set>

int main() {
    std::ios::sync_with_stdio(false);
    std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::unordered_set<std::string_view> seen;
    seen.reserve(input.size() / 16 + 16);
    std::string out;
    out.reserve(input.size() + 1);
    std::size_t pos = 0;
    while (pos < input.size()) {
        std::size_t end = input.find('\n', pos);
        if (end == std::string::npos) end = input.size();
        std::string_view line(input.data() + pos, end - pos);
        if (seen.insert(line).second) {
            out.append(line);
            out.push_back('\n');
        }
        pos = end + 1;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}
