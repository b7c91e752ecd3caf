"""gavel's runner: the Python half of the sandbox.

componentize-py executes this module once, at image build time, and snapshots the
initialised interpreter. Everything imported here is therefore free at run time, and
nothing else exists: the standard library is not mapped into the sandbox when a
submission runs. The host calls one export of the `run` interface (see
../wit/runner.wit: compile, run-script, call-function, check, ...) on a
fresh instance for every run.

Every exception raised by a submission must come back as a typed outcome: one that
escapes an export makes componentize-py's runtime abort the instance, and the host
would lose the exception's type and message.
"""

import sys

# --- The standard library a submission may import (kept in the snapshot). ---------
# The list is also the documentation: docs/runner-image.md copies it, and
# `gavel image info` prints the modules the built image reports.
PRELOADED = (
    "abc", "argparse", "array", "ast", "base64", "binascii", "bisect", "builtins",
    "calendar", "cmath", "codecs", "collections", "collections.abc", "colorsys",
    "contextlib", "copy", "csv", "dataclasses", "datetime", "decimal", "difflib",
    "enum", "errno", "fnmatch", "fractions", "functools", "gc", "graphlib", "hashlib",
    "heapq", "hmac", "html", "inspect", "io", "itertools", "json", "keyword", "linecache", "locale",
    "math", "numbers", "operator", "os", "os.path", "pathlib", "pprint", "queue",
    "random", "re", "reprlib", "secrets", "shlex", "statistics", "string", "struct",
    "sys", "textwrap", "time", "timeit", "traceback", "types", "typing", "unicodedata",
    "unittest", "uuid", "warnings", "weakref", "zlib",
)

for _name in PRELOADED:
    __import__(_name)

import builtins  # noqa: E402
import json  # noqa: E402
import linecache  # noqa: E402
import marshal  # noqa: E402
import traceback  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402

from wit_world import exports  # noqa: E402
from wit_world.exports.run import (  # noqa: E402
    CheckOutcome_Failed,
    CheckOutcome_Judged,
    Compiled_Code,
    Compiled_Failed,
    Compiled_SourceOnly,
    DataKind,
    Failure,
    Judgement_Accepted,
    Judgement_Partial,
    Judgement_Wrong,
    Outcome_CompileError,
    Outcome_Exit,
    Outcome_Ok,
    Outcome_RuntimeError,
    Shape,
)

import gavel_checker  # noqa: E402  (checkers and interactors import it)

FILENAME = "solution.py"
_RUNNER_FILE = __file__

# The runner's own references, taken before any submission runs: a solution
# that rebinds `json.dumps` for its own purposes does not break the judging of
# its answer. (A solution can still reach these through `sys.modules`; the host
# treats everything the runner returns as untrusted.)
_dumps = json.dumps
_loads = json.loads

# Python-level recursion does not use the C stack in CPython 3.11+, so this limit is
# what a recursive solution meets first: depth 10,000 must work (plus a few frames
# of ours); deeper ends in RecursionError. Recursion through C code (lru_cache, map)
# is bounded by CPython's own C-stack check, which the host's wasm stack outlasts.
sys.setrecursionlimit(10_100)

# Allocated now so that reporting an out-of-memory needs no memory.
_OUT_OF_MEMORY = Outcome_RuntimeError(Failure("MemoryError", "", "", 0))

_MAX_MESSAGE = 4_000
_MAX_TRACEBACK = 16_000


class ListNode:
    """A singly linked list node, as interview exercises define it."""

    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next

    def __repr__(self):
        return f"ListNode({self.val!r})"


class TreeNode:
    """A binary tree node, as interview exercises define it."""

    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right

    def __repr__(self):
        return f"TreeNode({self.val!r})"


def _to_linked_list(values):
    head = None
    for value in reversed(values):
        head = ListNode(value, head)
    return head


def _from_linked_list(node):
    values = []
    seen = set()
    while node is not None:
        if id(node) in seen:
            raise ValueError("the returned linked list has a cycle")
        seen.add(id(node))
        values.append(node.val)
        node = node.next
    return values


def _to_tree(values):
    # Level order with None for a missing child, the way LeetCode writes trees.
    if not values or values[0] is None:
        return None
    nodes = iter(values)
    root = TreeNode(next(nodes))
    queue = [root]
    head = 0
    while head < len(queue):
        node = queue[head]
        head += 1
        for side in ("left", "right"):
            value = next(nodes, None)
            if value is not None:
                child = TreeNode(value)
                setattr(node, side, child)
                queue.append(child)
    return root


def _from_tree(root):
    values = []
    queue = [root]
    head = 0
    while head < len(queue):
        node = queue[head]
        head += 1
        if node is None:
            values.append(None)
            continue
        if head > 10_000_000:
            raise ValueError("the returned tree is too large or has a cycle")
        values.append(node.val)
        queue.append(node.left)
        queue.append(node.right)
    while values and values[-1] is None:
        values.pop()
    return values


_DECODE = {Shape.JSON: lambda v: v, Shape.LINKED_LIST: _to_linked_list, Shape.BINARY_TREE: _to_tree}
_ENCODE = {Shape.JSON: lambda v: v, Shape.LINKED_LIST: _from_linked_list, Shape.BINARY_TREE: _from_tree}


def _json_default(value):
    if isinstance(value, (set, frozenset)):
        try:
            return sorted(value)
        except TypeError:
            return list(value)
    raise TypeError(f"a value of type {type(value).__name__} is not JSON-serialisable")


def _globals(name):
    return {
        "__name__": name,
        "__file__": FILENAME,
        "__builtins__": builtins,
        "ListNode": ListNode,
        "TreeNode": TreeNode,
    }


def _clip(text, limit):
    if len(text) <= limit:
        return text
    return text[:limit] + f"... [{len(text) - limit} characters cut]"


def _failure(exc, skip_frames):
    tb = exc.__traceback__
    for _ in range(skip_frames):
        if tb is not None:
            tb = tb.tb_next
    try:
        message = str(exc)
    except BaseException:
        message = "<the exception's message could not be formatted>"
    head, deep = _head_frames(tb, _MAX_FRAMES)
    try:
        report = traceback.TracebackException(type(exc), exc, head, compact=True)
        # Without columns there are no `^^^` carets: drawing them parses each
        # frame's source with `ast`, about a million fuel a frame.
        for frame in report.stack:
            frame.colno = frame.end_colno = None
        text = "".join(report.format())
        if deep:
            text += f"[traceback cut after its first {_MAX_FRAMES} frames]\n"
    except BaseException:
        text = ""
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    if line is None:
        line = 0
        while head is not None:
            if head.tb_frame.f_code.co_filename == FILENAME:
                line = head.tb_lineno
            head = head.tb_next
    return Failure(type(exc).__name__, _clip(message, _MAX_MESSAGE), _clip(text, _MAX_TRACEBACK), line or 0)


# Every traceback entry costs the submission fuel to look at, and a
# RecursionError has 10,000 of them; so only the outermost ones are reported.
_MAX_FRAMES = 30


def _head_frames(tb, count):
    """A copy of the first `count` entries of a traceback, without the runner's
    own frames (a candidate should see their code, not gavel's), and whether
    there were more."""
    head = []
    while tb is not None and len(head) < count:
        if tb.tb_frame.f_code.co_filename != _RUNNER_FILE:
            head.append(tb)
        tb = tb.tb_next
    chain = None
    for entry in reversed(head):
        chain = types.TracebackType(chain, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return chain, tb is not None


def _exit_code(exc):
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    # Like the interpreter: a non-integer argument is printed and means failure.
    print(code, file=sys.stderr)
    return 1


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def _compile(source, code=b""):
    """Compiles like `python solution.py` would: bytes, so a BOM and a coding
    cookie count. `code`, when given, is what `compile` made of this source:
    loading it skips parsing and compiling (over half a small test's fuel)."""
    try:
        # Tracebacks then quote the submission's lines, as they would natively.
        lines = source.decode("utf-8", "replace").splitlines(keepends=True)
        linecache.cache[FILENAME] = (len(source), None, lines, FILENAME)
    except MemoryError:
        return None, _OUT_OF_MEMORY
    try:
        if code:
            return marshal.loads(code), None
        return compile(source, FILENAME, "exec", dont_inherit=True), None
    except MemoryError:
        return None, _OUT_OF_MEMORY
    except BaseException as exc:
        return None, Outcome_CompileError(_failure(exc, 0))


def _execute(code, namespace):
    """Runs module code; returns None on success or the outcome that ended it."""
    try:
        exec(code, namespace)
        return None
    except MemoryError:
        namespace.clear()
        return _OUT_OF_MEMORY
    except SystemExit as exc:
        return Outcome_Exit(_exit_code(exc))
    except BaseException as exc:
        return Outcome_RuntimeError(_failure(exc, 1))


def _judged(judged):
    if judged.kind == "accepted":
        return CheckOutcome_Judged(Judgement_Accepted(judged.message))
    if judged.kind == "partial":
        return CheckOutcome_Judged(Judgement_Partial((judged.points, judged.message)))
    return CheckOutcome_Judged(Judgement_Wrong(judged.message))


def _author_code(source, filename, function):
    """Compiles and runs an exercise's checker or interactor, returning its
    entry point, or the failure to report (the author's, not the candidate's)."""
    try:
        lines = source.decode("utf-8", "replace").splitlines(keepends=True)
        linecache.cache[filename] = (len(source), None, lines, filename)
        code = compile(source, filename, "exec", dont_inherit=True)
    except BaseException as exc:
        return None, CheckOutcome_Failed(_failure(exc, 0))
    namespace = {"__name__": filename[:-3], "__file__": filename, "__builtins__": builtins}
    try:
        exec(code, namespace)
    except gavel_checker.Judged as judged:
        return None, _judged(judged)
    except BaseException as exc:
        return None, CheckOutcome_Failed(_failure(exc, 1))
    entry = namespace.get(function)
    if not callable(entry):
        failure = Failure("NameError", f"{filename} does not define a function named {function!r}", "", 0)
        return None, CheckOutcome_Failed(failure)
    return entry, None


def _decide(entry, args, filename):
    try:
        entry(*args)
    except gavel_checker.Judged as judged:
        return _judged(judged)
    except BaseException as exc:
        return CheckOutcome_Failed(_failure(exc, 1))
    failure = Failure(
        "NoVerdict", f"{filename} returned without calling accept(), wrong() or partial()", "", 0
    )
    return CheckOutcome_Failed(failure)


class Run(exports.Run):
    def check(self, checker, kind, input, expected, output):
        try:
            entry, failed = _author_code(checker, "checker.py", "check")
            if failed is not None:
                return failed
            args = (input, expected, output)
            if kind == DataKind.JSON:
                args = tuple(_loads(text) for text in args)
            return _decide(entry, args, "checker.py")
        except BaseException as exc:
            return CheckOutcome_Failed(_failure(exc, 0))

    def interact(self, interactor, input):
        try:
            entry, failed = _author_code(interactor, "interactor.py", "interact")
            if failed is not None:
                return failed
            outcome = _decide(entry, (input,), "interactor.py")
            _flush()
            return outcome
        except BaseException as exc:
            return CheckOutcome_Failed(_failure(exc, 0))

    def preloaded(self):
        return list(PRELOADED)

    def compile(self, source):
        # Nothing of the submission has run in this instance: the code object
        # (and its marshalled form) depend on the source alone.
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                code, failed = _compile(source)
            if failed is not None:
                return Compiled_Failed(failed)
            if caught:
                return Compiled_SourceOnly()
            return Compiled_Code(marshal.dumps(code))
        except MemoryError:
            return Compiled_Failed(_OUT_OF_MEMORY)
        except BaseException as exc:
            return Compiled_Failed(Outcome_RuntimeError(_failure(exc, 0)))

    def run_script(self, source, code):
        try:
            code, failed = _compile(source, code)
            if failed is None:
                failed = _execute(code, _globals("__main__"))
            _flush()
            return failed or Outcome_Ok("")
        except MemoryError:
            return _OUT_OF_MEMORY
        except BaseException as exc:
            return Outcome_RuntimeError(_failure(exc, 0))

    def call_function(self, source, code, name, args_json, params, returns):
        try:
            code, failed = _compile(source, code)
            if failed is not None:
                return failed
            namespace = _globals("solution")
            failed = _execute(code, namespace)
            if failed is not None:
                _flush()
                return failed
            function = namespace.get(name)
            if not callable(function):
                _flush()
                return Outcome_RuntimeError(
                    Failure("NameError", f"the solution does not define a function named {name!r}", "", 0)
                )
            args = _loads(args_json)
            if len(params) == len(args):
                args = [_DECODE[shape](arg) for shape, arg in zip(params, args)]
            try:
                value = function(*args)
                encoded = _dumps(_ENCODE[returns](value), default=_json_default, allow_nan=False)
            except MemoryError:
                namespace.clear()
                return _OUT_OF_MEMORY
            except SystemExit as exc:
                _flush()
                return Outcome_Exit(_exit_code(exc))
            except BaseException as exc:
                _flush()
                return Outcome_RuntimeError(_failure(exc, 1))
            _flush()
            return Outcome_Ok(encoded)
        except MemoryError:
            return _OUT_OF_MEMORY
        except BaseException as exc:
            return Outcome_RuntimeError(_failure(exc, 0))

