"""Written by `gavel import kattis` from the package's @@ROLE@@ `@@PATH@@`.

It runs that validator unchanged, the way a Kattis judge runs it: the command
line `@@NAME@@ input answer_file feedback_dir [flags]`, exit code 42 to accept
and 43 to reject, and feedback_dir/judgemessage.txt as the message. The input
and answer files and the feedback directory are held in memory: gavel's
sandbox gives the validator no files.
"""

import builtins
import io
import linecache
import sys

from gavel_checker import accept, wrong

NAME = "@@NAME@@"
FLAGS = @@FLAGS@@
SOURCE = "".join([
@@SOURCE@@
])

_ROOT = "/kattis/"
_FEEDBACK = _ROOT + "feedback/"


class _Feedback(io.StringIO):
    """A feedback file: kept when the validator closes it, or at its end."""

    def close(self):
        self.kept = self.getvalue()
        super().close()

    def text(self):
        return getattr(self, "kept", None) if self.closed else self.getvalue()


def _run(files, stdin):
    """Runs the validator with `files` (`input`, `answer`) readable under
    /kattis/ and `stdin` (None: the real one); returns its exit code and its
    judge message."""
    feedback = {}
    real_open = builtins.open

    def fake_open(path, mode="r", *args, **kwargs):
        path = str(path)
        if path.startswith(_FEEDBACK):
            name = path[len(_FEEDBACK):]
            earlier = feedback.get(name)
            if not any(c in mode for c in "wax+"):
                if earlier is None:
                    raise FileNotFoundError(2, "No such file or directory", path)
                return io.StringIO(earlier.text() or "")
            if "a" in mode and earlier is not None and not earlier.closed:
                return earlier
            file = _Feedback()
            if "a" in mode and earlier is not None:
                file.write(earlier.text() or "")
            feedback[name] = file
            return file
        name = path[len(_ROOT):] if path.startswith(_ROOT) else None
        if name in files and set(mode) <= set("rbt"):
            data = files[name]
            return io.BytesIO(data.encode()) if "b" in mode else io.StringIO(data)
        raise FileNotFoundError(2, "No such file or directory", path)

    saved = sys.argv, sys.stdin, builtins.open, io.open
    sys.argv = [NAME, _ROOT + "input", _ROOT + "answer", _FEEDBACK, *FLAGS]
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    builtins.open = io.open = fake_open
    linecache.cache[NAME] = (len(SOURCE), None, SOURCE.splitlines(True), NAME)
    try:
        exec(compile(SOURCE, NAME, "exec"), {"__name__": "__main__", "__file__": NAME})
        status = 0
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    finally:
        sys.argv, sys.stdin, builtins.open, io.open = saved
    message = feedback.get("judgemessage.txt")
    return status, (message.text() or "").strip() if message else ""


def _decide(status, message):
    if status == 42:
        accept(message)
    if status == 43:
        wrong(message or f"{NAME} rejected the output")
    raise RuntimeError(f"{NAME} exited with code {status}, not 42 (accept) or 43 (reject)")
@@ENTRY@@