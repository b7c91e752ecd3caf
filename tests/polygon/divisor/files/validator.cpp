#include <cstdio>
int main() { long long n; return std::scanf("%lld", &n) == 1 && n >= 2 ? 0 : 3; }
