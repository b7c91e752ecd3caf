"""Run once, by gavel, when it builds the scientific image: the reactor's
`turn` executes this text, then gavel snapshots the interpreter (wasmtime-wizer).
Everything done here is free at run time and the same for every run.

The host gives the runner's modules through the door, as a JSON list of
[name, is_package, source]; they are made here without any file, in order.
"""

import gc
import json
import sys
import types

import _host

for _name, _package, _source in json.loads(_host.call(b"sources")):
    _module = types.ModuleType(_name)
    _module.__file__ = "/gavel/" + _name.replace(".", "/") + ("/__init__.py" if _package else ".py")
    if _package:
        _module.__path__ = []
    sys.modules[_name] = _module
    _parent, _, _child = _name.rpartition(".")
    if _parent:
        setattr(sys.modules[_parent], _child, _module)
    exec(compile(_source, _module.__file__, "exec", dont_inherit=True), _module.__dict__)

import gavel_door  # noqa: E402

# What the first runtime error, compile error, checker and call would import
# or build lazily (traceback formatting, the tokenizer, dataclass helpers):
# done here, it costs no run its fuel.
_run = gavel_door._run
_run.compile(b"x = (")
_run.compile(b"import numpy as np\nx = np.arange(3)\n")
_run.run_script(b"def f():\n    return 1 / 0\nf()\n", b"")
_run.call_function(b"def f(a):\n    raise ValueError(a)\n", b"", "f", "[1]", [], gavel_door.Shape.JSON)
_run.check(b"from gavel_checker import accept\ndef check(i, e, o):\n    accept()\n", gavel_door.DataKind.TEXT, "", "", "")
del _name, _package, _source, _module, _parent, _child, _run

# Everything made so far lives as long as the interpreter: collected once and
# frozen, the collector of a run never scans it again.
gc.collect()
gc.freeze()
