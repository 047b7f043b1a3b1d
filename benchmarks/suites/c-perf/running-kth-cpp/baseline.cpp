#include <algorithm>
#include <functional>
#include <iostream>
#include <vector>

int main() {
    int n, k;
    if (!(std::cin >> n >> k) || n < 0 || k < 1) return 1;
    std::vector<long long> values;
    for (int i = 0; i < n; i++) {
        long long x;
        if (!(std::cin >> x)) return 1;
        values.push_back(x);
        if ((int)values.size() < k) {
            std::cout << "none\n";
            continue;
        }
        std::vector<long long> sorted = values;
        std::sort(sorted.begin(), sorted.end(), std::greater<long long>());
        std::cout << sorted[k - 1] << "\n";
    }
    return 0;
}
