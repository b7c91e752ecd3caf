// Any order of the n tasks in which each task comes after the tasks it
// depends on is right: checked against the graph, not the author's order.
// testlib's conventions: checker input output answer; the verdict as exit code.
#include <vector>

#include "tokens.h"

int main(int argc, char **argv) {
    if (argc < 4) quit(FAIL, "usage: checker input output answer");
    Tokens input(argv[1], FAIL), output(argv[2], PRESENTATION), answer(argv[3], FAIL);
    long long n = input.integer("n"), m = input.integer("m");
    std::vector<std::pair<long long, long long>> edges;
    for (long long k = 0; k < m; k++) {
        long long a = input.integer("a");
        edges.emplace_back(a, input.integer("b"));
    }
    for (long long k = 0; k < n; k++) answer.integer("the author's order");
    if (!answer.at_end()) quit(FAIL, "the author's order has more than %lld tasks", n);

    std::vector<long long> position(n + 1, -1);
    for (long long k = 0; k < n; k++) {
        if (output.at_end()) quit(WRONG, "expected %lld tasks, found %lld", n, k);
        long long task = output.integer("a task");
        if (task < 1 || task > n) quit(WRONG, "there is no task %lld", task);
        if (position[task] != -1) quit(WRONG, "task %lld appears twice", task);
        position[task] = k;
    }
    if (!output.at_end()) quit(PRESENTATION, "more than %lld tasks", n);
    for (auto [a, b] : edges) {
        if (position[a] > position[b]) quit(WRONG, "task %lld comes before task %lld, which it depends on", b, a);
    }
    quit(OK, "%lld tasks in order", n);
}
