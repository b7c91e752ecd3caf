# gavel's developer recipes. The README's two commands need none of these.

# List the recipes.
default:
    @just --list

# Run the test suite (the README's test command).
test:
    cargo test --workspace

# Formatting, lints with warnings as errors, tests: what a change must pass.
ci:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo test --workspace

# Sandbox benchmark: per-run overhead vs native python3, 1 vs 2 workers.
bench-sandbox:
    cargo build
    cargo run --example bench-sandbox

# Grading benchmark: gavel vs a native python3 loop over the same submissions.
bench-grade:
    cargo build
    cargo run --example bench-grade

# Per-test cost: a catalog of many small function exercises vs the native harness.
bench-many:
    cargo build
    cargo run --example bench-many

# Build the runner image again from its pinned inputs.
image:
    cargo run -- image build

# Build the scientific image again (byte-reproducible: the same sha256 every time).
image-scientific:
    cargo run -- image build scientific

# Runner images: per-test CPU on each, numpy in the snapshot or not, start-up.
bench-images:
    cargo build
    cargo run --example bench-images

# Server benchmark: concurrent candidates against `gavel serve` vs local `gavel submit`.
bench-serve:
    cargo build
    cargo run --example bench-serve

# Native checkers: compiling a C++ checker cold and cached; its per-test cost against the same checker in Python.
bench-native:
    cargo build
    cargo run --example bench-native

# Timing probe: bits of hidden inputs a decoder reads from the server's live view (GAVEL_BENCH_BASELINE: an older gavel beside).
probe-timing:
    cargo build
    cargo run --example probe-timing

# Scale-out benchmark: serve alone vs PostgreSQL workers, the queue's cost (SQLite vs PostgreSQL), 3 shards vs one grade.
bench-scale:
    cargo build
    cargo run --example bench-scale
