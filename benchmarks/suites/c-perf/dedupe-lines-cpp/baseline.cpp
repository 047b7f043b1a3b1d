#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

int main() {
    std::vector<std::string> seen;
    std::string line;
    while (std::getline(std::cin, line)) {
        if (std::find(seen.begin(), seen.end(), line) == seen.end()) {
            seen.push_back(line);
            std::cout << line << std::endl;
        }
    }
    return 0;
}
