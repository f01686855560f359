"""Until helper A's collect/xlsforms.py and helper C's collect/intake.py are merged, stand-ins with
their interfaces (BRIEF-17.md) let collect/openrosa.py import; the tests monkeypatch what they use
(`fake_forms`, `fake_intake` in test_openrosa.py). Once both modules exist, this file does nothing:
the lead deletes it at the merge."""

import importlib.util
import sys
import types
from dataclasses import dataclass

import collect


def _missing(name: str) -> bool:
    return importlib.util.find_spec(f"collect.{name}") is None


def _stand_in(name: str, **attributes) -> None:
    module = types.ModuleType(f"collect.{name}")
    module.__dict__.update(attributes)
    sys.modules[module.__name__] = module
    setattr(collect, name, module)


def _unmerged(*args, **kwargs):
    raise NotImplementedError("monkeypatched by the tests until the module is merged")


if _missing("xlsforms"):
    _stand_in("xlsforms", MEDIA="personnes.csv", forms_for=_unmerged, current=_unmerged, people_csv=_unmerged)

if _missing("intake"):

    class Refused(Exception):
        def __init__(self, message: str, status: int = 400) -> None:
            super().__init__(message)
            self.message = message
            self.status = status

    @dataclass
    class Received:
        submission: object
        created: bool

    _stand_in("intake", Refused=Refused, Received=Received, receive_xml=_unmerged)
