"""gavel's checker library: what an exercise's `checker.py` and `interactor.py` use.

A checker defines `check(input, expected, output)`; an interactor defines
`interact(input)`. Each ends by calling one of `accept()`, `wrong(message)` or
`partial(points, message)` (points: a fraction from 0 to 1), which end the
check there, like testlib's `quitf`. Returning without calling one, or raising
anything else, is the checker's own failure: the exercise's author's, never the
candidate's.

    from gavel_checker import Tokens, accept, close, wrong

    def check(input, expected, output):
        got = Tokens(output)
        value = got.float("the distance")
        got.eof()
        if not close(value, float(expected), abs=1e-6):
            wrong(f"the distance is {value}, not {expected}")
        accept()
"""

__all__ = ["Tokens", "accept", "close", "partial", "wrong"]


class Judged(BaseException):
    """Raised by accept(), wrong() and partial(); caught by gavel's runner.

    A BaseException, so that a checker's own `except Exception` cannot
    swallow its verdict.
    """

    def __init__(self, kind, points, message):
        super().__init__(message)
        self.kind = kind
        self.points = points
        self.message = message


def accept(feedback=""):
    """The answer is right."""
    raise Judged("accepted", 1.0, str(feedback))


def wrong(message):
    """The answer is wrong; `message` says why (shown for public tests)."""
    raise Judged("wrong", 0.0, str(message))


def partial(points, message=""):
    """Part of the test's points: `points` from 0 to 1."""
    points = float(points)
    if not 0.0 <= points <= 1.0:
        raise ValueError(f"partial() takes a fraction from 0 to 1, not {points}")
    raise Judged("partial", points, str(message))


_abs = abs


def close(a, b, abs=1e-9, rel=1e-9):
    """Whether `a` is within `abs` of `b`, or within `rel` relative to `b`."""
    diff = _abs(a - b)
    return diff <= abs or diff <= rel * _abs(b)


def _quote(text, limit=60):
    text = text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit} more characters)"
    # repr escapes control characters (the unicode_escape codec is not in the image).
    return "`" + repr(text)[1:-1] + "`"


class Tokens:
    """Reads whitespace-separated tokens of a text, testlib style: anything
    other than what is asked for is a wrong answer with a message such as
    "the output's token 3: expected an integer, found `abc`"."""

    def __init__(self, text, what="the output"):
        self.what = what
        # ASCII whitespace only, as gavel's comparisons: U+00A0 is part of a token.
        self.tokens = [t.decode() for t in text.encode().split()]
        self.position = 0

    def _next(self, wanted):
        if self.position >= len(self.tokens):
            wrong(f"{self.what}: expected {wanted}, found the end")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _where(self):
        return f"{self.what}'s token {self.position}"

    def word(self, name="a word"):
        """The next token, as text."""
        return self._next(name)

    def int(self, name="an integer", lo=None, hi=None):
        """The next token as an integer (optionally in `lo`..`hi`)."""
        token = self._next(name)
        try:
            value = _int(token)
        except ValueError:
            wrong(f"{self._where()}: expected {name}, found {_quote(token)}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            wrong(f"{self._where()}: expected {name} from {lo} to {hi}, found {value}")
        return value

    def float(self, name="a number"):
        """The next token as a float."""
        token = self._next(name)
        try:
            value = _float(token)
        except ValueError:
            wrong(f"{self._where()}: expected {name}, found {_quote(token)}")
        if value != value or value in (float("inf"), float("-inf")):
            wrong(f"{self._where()}: expected {name}, found {_quote(token)}")
        return value

    def ints(self, count, name="an integer"):
        """The next `count` tokens as integers."""
        return [self.int(name) for _ in range(count)]

    def rest(self):
        """Every token left."""
        rest = self.tokens[self.position:]
        self.position = len(self.tokens)
        return rest

    def eof(self):
        """Requires that nothing is left."""
        if self.position < len(self.tokens):
            extra = self.tokens[self.position]
            wrong(f"{self.what}: expected the end, found {_quote(extra)} (token {self.position + 1})")


_int = int
_float = float
