"""gavel's harness for test-writing exercises, run in the sandbox as the
program of every run: it loads the implementation under test as the module
the statement names, runs the candidate's tests against it (unittest
TestCase classes and plain test_* functions, asserts showing the values they
compared), and returns what failed. It also makes mutants of an
implementation, deterministically (the same source, the same mutants)."""

import ast
import sys
import types
import unittest

_OPS = {
    "Eq": ("==", lambda a, b: a == b),
    "NotEq": ("!=", lambda a, b: a != b),
    "Lt": ("<", lambda a, b: a < b),
    "LtE": ("<=", lambda a, b: a <= b),
    "Gt": (">", lambda a, b: a > b),
    "GtE": (">=", lambda a, b: a >= b),
    "Is": ("is", lambda a, b: a is b),
    "IsNot": ("is not", lambda a, b: a is not b),
    "In": ("in", lambda a, b: a in b),
    "NotIn": ("not in", lambda a, b: a not in b),
}


def _gavel_compare_(left, right, op, message):
    symbol, holds = _OPS[op]
    if not holds(left, right):
        shown = f"assert {left!r} {symbol} {right!r}"
        raise AssertionError(shown if message is None else f"{message}\n{shown}")


class _ShowValues(ast.NodeTransformer):
    """`assert a == b` reports both values, as pytest's rewriting does."""

    def visit_Assert(self, node):
        test = node.test
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            call = ast.Call(
                func=ast.Name("_gavel_compare_", ast.Load()),
                args=[
                    test.left,
                    test.comparators[0],
                    ast.Constant(type(test.ops[0]).__name__),
                    node.msg if node.msg is not None else ast.Constant(None),
                ],
                keywords=[],
            )
            return ast.copy_location(ast.Expr(call), node)
        return node


def _describe(error):
    text = str(error)
    name = type(error).__name__
    return f"{name}: {text}" if text else name


def _last_lines(traceback_text):
    lines = traceback_text.rstrip().splitlines()
    for at in range(len(lines) - 1, -1, -1):
        if lines[at] and not lines[at].startswith(" "):
            return "\n".join(lines[at:])
    return traceback_text.strip()


def run_suite(implementation, tests, module):
    """Runs `tests` against `implementation` imported as `module`; returns
    the number of tests and those that failed, in definition order."""
    loaded = types.ModuleType(module)
    exec(compile(implementation, f"{module}.py", "exec"), loaded.__dict__)
    sys.modules[module] = loaded
    tree = _ShowValues().visit(ast.parse(tests, "test_submission.py"))
    suite = types.ModuleType("test_submission")
    suite.__dict__["_gavel_compare_"] = _gavel_compare_
    exec(compile(ast.fix_missing_locations(tree), "test_submission.py", "exec"), suite.__dict__)
    results = []
    for name, value in list(suite.__dict__.items()):
        if isinstance(value, type) and issubclass(value, unittest.TestCase):
            cases = unittest.TestLoader().loadTestsFromTestCase(value)
            # A suite forgets its tests as it runs them: their ids first.
            ids = [case.id() for case in cases]
            outcome = unittest.TestResult()
            cases.run(outcome)
            failed = {case.id(): text for case, text in outcome.failures + outcome.errors}
            for id in ids:
                label = f"{name}.{id.rsplit('.', 1)[-1]}"
                text = failed.get(id)
                results.append((label, None if text is None else _last_lines(text)))
        elif name.startswith("test") and callable(value) and not isinstance(value, type):
            try:
                value()
            except BaseException as error:  # a test that exits has failed too
                results.append((name, _describe(error)))
            else:
                results.append((name, None))
    return {
        "tests": len(results),
        "failures": [{"test": n, "message": m[:2000]} for n, m in results if m is not None],
    }


# Mutations, on the source's tokens and statements (the image has no
# ast.unparse): each site is a span of the source and its replacement.
_TOKEN_SWAPS = {
    "<": ("<=", ">"),
    "<=": ("<", ">="),
    ">": (">=", "<"),
    ">=": (">", "<="),
    "==": ("!=",),
    "!=": ("==",),
    "+": ("-",),
    "-": ("+",),
    "*": ("+",),
    "//": ("*",),
    "%": ("//",),
    "and": ("or",),
    "or": ("and",),
    "True": ("False",),
    "False": ("True",),
}
_DROPPABLE = (ast.Assign, ast.AugAssign, ast.Expr, ast.If, ast.For, ast.While, ast.Return)


def _offsets(source):
    """The offset in `source` of each line's start (1-based lines)."""
    starts, at = [0, 0], 0
    for line in source.splitlines(keepends=True):
        at += len(line)
        starts.append(at)
    return starts


def _span(starts, lines, node):
    """A node's span as string offsets (its columns count UTF-8 bytes)."""

    def offset(line, column):
        text = lines[line - 1].encode()[:column].decode(errors="ignore")
        return starts[line] + len(text)

    return offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)


def _sites(source):
    import io
    import tokenize

    sites = []
    starts = _offsets(source)
    lines = source.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        start = starts[token.start[0]] + token.start[1]
        end = starts[token.end[0]] + token.end[1]
        if token.string in _TOKEN_SWAPS and token.type in (tokenize.OP, tokenize.NAME):
            for other in _TOKEN_SWAPS[token.string]:
                sites.append((start, end, other))
        elif token.type == tokenize.NUMBER and token.string.isdigit():
            value = int(token.string)
            for changed in (value + 1, value - 1):
                if changed >= 0:
                    sites.append((start, end, str(changed)))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.If, ast.While)):
            begin, finish = _span(starts, lines, node.test)
            sites.append((begin, finish, "not (" + source[begin:finish] + ")"))
        for field in ("body", "orelse"):
            body = getattr(node, field, None)
            if not isinstance(body, list) or len(body) < 2:
                continue
            for statement in body:
                if isinstance(statement, _DROPPABLE):
                    begin, finish = _span(starts, lines, statement)
                    sites.append((begin, finish, "pass"))
    return sorted(sites)


def mutants(source, most):
    """At most `most` distinct mutants of `source` that still compile, in
    source order (spread evenly over the sites when there are more); the
    same source always gives the same mutants."""
    sites = _sites(source)
    step = max(1, -(-len(sites) // max(1, most)))
    made, seen = [], {source}
    for begin, end, replacement in sites[::step]:
        text = source[:begin] + replacement + source[end:]
        if text in seen:
            continue
        seen.add(text)
        try:
            compile(text, "mutant.py", "exec")
        except SyntaxError:
            continue
        made.append(text)
    return made[:most]
