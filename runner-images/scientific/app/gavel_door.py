"""gavel's runner behind the reactor's door: the scientific image's half of
the sandbox, beside gavel_runner.py (the same module as the default image's,
unchanged).

The host calls the reactor's `turn` export with `import gavel_door;
gavel_door.serve()` on a fresh instance for every run. `serve` asks the host
for the job through the door (`_host.call(b"job")`), runs it with
gavel_runner's `Run`, and hands the result back through the door as JSON
(`_host.call(b"done" + json)`), a channel apart from stdout, which a
submission cannot forge by printing. The shapes are those of
../../python-3.14/wit/runner.wit, written as serde reads them."""

import binascii
import json

import _host
import gavel_runner
from wit_world.exports.run import DataKind, Failure, Shape

# --- What this image holds beyond the standard library (kept in the snapshot).
# scipy loads its subpackages lazily; these are imported now, so that a run
# pays for none of them. `gavel image info` lists them after gavel_runner's.
SCIENTIFIC = (
    "numpy", "numpy.linalg", "numpy.random", "numpy.fft",
    "pandas",
    "scipy", "scipy.linalg", "scipy.stats", "scipy.optimize", "scipy.sparse",
    "scipy.special", "scipy.integrate", "scipy.interpolate", "scipy.spatial",
)

for _name in SCIENTIFIC:
    __import__(_name)
del _name

_call = _host.call
_loads = json.loads
_dumps = json.dumps
_b64decode = binascii.a2b_base64
_b64encode = binascii.b2a_base64
_run = gavel_runner.Run()

# Made now: reporting an out-of-memory needs no memory.
_OUT_OF_MEMORY = b"done" + _dumps({"runtime_error": {"kind": "MemoryError", "message": "", "traceback": "", "line": 0}}).encode()


def _plain(value):
    """A result of the runner as JSON-ready values."""
    if isinstance(value, Failure):
        return {"kind": value.kind, "message": value.message, "traceback": value.traceback, "line": value.line}
    tag = getattr(type(value), "TAG", None)
    if tag == "source_only":
        return tag
    if tag is not None:
        return {tag: _plain(value.value)}
    if isinstance(value, (bytes, bytearray)):
        return _b64encode(value, newline=False).decode("ascii")
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


def _answer(job):
    entry = job["entry"]
    if entry == "preloaded":
        return list(_run.preloaded()) + list(SCIENTIFIC)
    if entry == "check":
        return _run.check(
            _b64decode(job.get("source", "")), DataKind(job["kind"]), job["input"], job["expected"], job["output"]
        )
    if entry == "interact":
        return _run.interact(_b64decode(job.get("source", "")), job["input"])
    source = _b64decode(job.get("source", ""))
    if entry == "compile":
        return _run.compile(source)
    code = _b64decode(job.get("code", ""))
    if entry == "run_script":
        return _run.run_script(source, code)
    params = [Shape(p) for p in job["params"]]
    return _run.call_function(source, code, job["name"], job["args_json"], params, Shape(job["returns"]))


def serve():
    """Runs the job the host gives and hands back its result."""
    job = _loads(_call(b"job"))
    try:
        frame = b"done" + _dumps(_plain(_answer(job))).encode()
    except MemoryError:
        frame = _OUT_OF_MEMORY
    _call(frame)
