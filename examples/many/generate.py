"""Writes the many-small-tests benchmark: a catalog of small function
exercises (a few lines each, ten tests each, like human-eval's problems), one
homework folder with a correct solution to each, and for the native side one
harness file per problem that runs all its tests in one python3 process.

usage: generate.py OUT [PROBLEMS]
"""

import json
import os
import random
import sys

out = sys.argv[1]
problems = int(sys.argv[2]) if len(sys.argv) > 2 else 160
rng = random.Random(2026)

# (name, source of `f`, argument maker): each a classic small function.
TEMPLATES = [
    ("add_k", "def f(a, b):\n    return a + b + {k}\n", lambda: [rng.randint(-999, 999), rng.randint(-999, 999)]),
    ("reverse", "def f(s):\n    return s[::-1] + '{k}'\n", lambda: ["".join(rng.choice("abcdef") for _ in range(rng.randint(0, 20)))]),
    ("vowels", "def f(s):\n    return sum(c in 'aeiou' for c in s) + {k}\n", lambda: ["".join(rng.choice("abcdeiou ") for _ in range(rng.randint(0, 30)))]),
    ("largest", "def f(xs):\n    return max(xs, default={k})\n", lambda: [[rng.randint(-99, 99) for _ in range(rng.randint(0, 12))]]),
    ("fizzbuzz", "def f(n):\n    return ['Fizz' * (i % 3 == 0) + 'Buzz' * (i % {k} == 0) or str(i) for i in range(1, n + 1)]\n", lambda: [rng.randint(0, 30)]),
    ("palindrome", "def f(s):\n    t = [c.lower() for c in s if c.isalnum()]\n    return t == t[::-1] and len(t) > {k} % 2\n", lambda: [rng.choice(["racecar", "abba", "abc", "A man, a plan", "xyzzyx", "", "noon"])]),
    ("digits", "def f(n):\n    return sum(int(d) for d in str(abs(n))) * {k}\n", lambda: [rng.randint(-10**9, 10**9)]),
    ("gcd", "def f(a, b):\n    while b:\n        a, b = b, a % b\n    return abs(a) + {k}\n", lambda: [rng.randint(1, 10**6), rng.randint(1, 10**6)]),
    ("fib", "def f(n):\n    a, b = 0, 1\n    for _ in range(n + {k} % 3):\n        a, b = b, a + b\n    return a\n", lambda: [rng.randint(0, 60)]),
    ("sorted_unique", "def f(xs):\n    return sorted(set(xs))[:{k} + 5]\n", lambda: [[rng.randint(0, 20) for _ in range(rng.randint(0, 15))]]),
    ("word_count", "def f(s):\n    counts = {{}}\n    for w in s.split():\n        counts[w] = counts.get(w, 0) + {k}\n    return counts\n", lambda: [" ".join(rng.choice(["a", "b", "c", "dd"]) for _ in range(rng.randint(0, 10)))]),
    ("running_sum", "def f(xs):\n    total, out = {k}, []\n    for x in xs:\n        total += x\n        out.append(total)\n    return out\n", lambda: [[rng.randint(-9, 9) for _ in range(rng.randint(0, 12))]]),
    ("primes", "def f(n):\n    return [p for p in range(2, n + {k}) if all(p % d for d in range(2, int(p ** 0.5) + 1))]\n", lambda: [rng.randint(0, 60)]),
    ("anagram", "def f(a, b):\n    return sorted(a.replace(' ', '')) == sorted(b.replace(' ', '')) or {k} < 0\n", lambda: [rng.choice(["listen", "silent", "abc"]), rng.choice(["enlist", "cab", "xyz"])]),
    ("flatten", "def f(xss):\n    return [x for xs in xss for x in xs][{k} % 2:]\n", lambda: [[[rng.randint(0, 9) for _ in range(rng.randint(0, 3))] for _ in range(rng.randint(0, 4))]]),
    ("two_sum", "def f(xs, t):\n    seen = {{}}\n    for i, x in enumerate(xs):\n        if t - x in seen:\n            return [seen[t - x], i + {k} * 0]\n        seen[x] = i\n    return []\n", lambda: [[rng.randint(0, 20) for _ in range(8)], rng.randint(0, 40)]),
]

catalog = os.path.join(out, "catalog")
homework = os.path.join(out, "homework", "candidate")
native = os.path.join(out, "native")
for d in (catalog, homework, native):
    os.makedirs(d, exist_ok=True)
tests_total = 0
for i in range(problems):
    name, template, make = TEMPLATES[i % len(TEMPLATES)]
    pid = f"{name.replace('_', '-')}-{i:03d}"
    source = template.format(k=i % 7 + 1)
    namespace = {}
    exec(source, namespace)
    tests = []
    for _ in range(10):
        args = make()
        tests.append({"args": args, "expected": namespace["f"](*args)})
    d = os.path.join(catalog, pid)
    os.makedirs(os.path.join(d, "tests", "public"), exist_ok=True)
    os.makedirs(os.path.join(d, "tests", "hidden"), exist_ok=True)
    with open(os.path.join(d, "exercise.toml"), "w") as fh:
        fh.write(f'id = "{pid}"\ntitle = "{pid}"\ndifficulty = "easy"\nkind = "function"\n\n[function]\nname = "f"\n')
    for fname, text in (("statement.md", f"# {pid}\n"), ("starter.py", "def f(*args):\n    pass\n"), ("solution.py", source)):
        with open(os.path.join(d, fname), "w") as fh:
            fh.write(text)
    for j, test in enumerate(tests):
        vis = "public" if j < 3 else "hidden"
        with open(os.path.join(d, "tests", vis, f"{j:02d}.json"), "w") as fh:
            json.dump(test, fh)
    with open(os.path.join(homework, f"{pid}.py"), "w") as fh:
        fh.write(source)
    # The native harness of human-eval: one process per problem, every assert in it.
    with open(os.path.join(native, f"{pid}.py"), "w") as fh:
        fh.write(source)
        fh.write("\nimport json\n")
        fh.write(f"TESTS = json.loads({json.dumps(json.dumps(tests))})\n")
        fh.write("for t in TESTS:\n    assert json.loads(json.dumps(f(*t['args']))) == t['expected'], t\n")
    tests_total += len(tests)
print(tests_total)
