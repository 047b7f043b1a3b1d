// The k largest values seen so far live in a min-heap: its top is the k-th largest.
#include <cstdio>
#include <functional>
#include <queue>
#include <string>
#include <vector>

int main() {
    int n, k;
    if (std::scanf("%d %d", &n, &k) != 2 || n < 0 || k < 1) return 1;
    std::priority_queue<long long, std::vector<long long>, std::greater<long long>> top;
    std::string out;
    out.reserve((std::size_t)n * 8);
    char buf[32];
    for (int i = 0; i < n; i++) {
        long long x;
        if (std::scanf("%lld", &x) != 1) return 1;
        if ((int)top.size() < k) {
            top.push(x);
        } else if (x > top.top()) {
            top.pop();
            top.push(x);
        }
        if ((int)top.size() < k) {
            out += "none\n";
        } else {
            int len = std::snprintf(buf, sizeof buf, "%lld\n", top.top());
            out.append(buf, (std::size_t)len);
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}
