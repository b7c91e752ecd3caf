"""The types of the `run` interface (../../python-3.14/wit/runner.wit) as
componentize-py generates them: records are dataclasses, a variant's cases are
classes with a `value`, enums are enums. Each case knows its `TAG`, the name
the host's JSON gives it."""

from dataclasses import dataclass
from enum import Enum


class Shape(Enum):
    JSON = 0
    LINKED_LIST = 1
    BINARY_TREE = 2


class DataKind(Enum):
    TEXT = 0
    JSON = 1


@dataclass
class Failure:
    kind: str
    message: str
    traceback: str
    line: int


def _case(tag):
    @dataclass
    class Case:
        value: object
        TAG = tag

    return Case


Outcome_Ok = _case("ok")
Outcome_Exit = _case("exit")
Outcome_CompileError = _case("compile_error")
Outcome_RuntimeError = _case("runtime_error")
Judgement_Accepted = _case("accepted")
Judgement_Wrong = _case("wrong")
Judgement_Partial = _case("partial")
CheckOutcome_Judged = _case("judged")
CheckOutcome_Failed = _case("failed")
Compiled_Code = _case("code")
Compiled_Failed = _case("failed")


class Compiled_SourceOnly:
    TAG = "source_only"
