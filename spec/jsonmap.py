"""How the harness's dataclasses map to JSON and back: one cattrs converter for every package.

A dataclass that subclasses :class:`JsonMapped` gets ``to_json()`` (plain data that
``json.dumps`` writes: dicts, lists, strings, numbers, booleans, None) and
``from_json(data)``; one that subclasses :class:`JsonWritable` is only written (a report
view that is never read back). Its ``json_layout`` (a :class:`Layout`) says where its JSON
differs from its fields: keys renamed, fields left out when None or always, per-field
codecs, keys computed from properties, constant keys such as a format name, the key order.

Values map one way everywhere: datetimes and dates as ISO 8601 text (an aware datetime keeps
its offset, ``+07:00`` for Vietnam time), enums by value, tuples and lists as arrays, sets as
sorted arrays, bytes as base64, paths as text, nested dataclasses as objects. Reading is
strict: a string field takes only a string, an integer only an integer (never a boolean), a
number an integer or a float (kept as given, so it is written again the same); a missing
field takes its default, and a wrong value is a :class:`JsonMapError` (or the class's own
error) that names the key's JSON path.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import math
from collections.abc import Callable, Collection, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Self

import cattrs
from cattrs.errors import BaseValidationError, ClassValidationError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.v import format_exception

from spec.errors import SpecError

__all__ = [
    "NAN_AS_NULL",
    "Codec",
    "JsonMapError",
    "JsonMapped",
    "JsonWritable",
    "Layout",
    "camel",
    "write",
]


class JsonMapError(SpecError, ValueError):
    """JSON data that does not fit the class it is read as (the message names the key)."""


def camel(name: str) -> str:
    """``organ_id`` → ``organId``: the adapter contract's key for a field."""
    first, *rest = name.rstrip("_").split("_")
    return first + "".join(part.capitalize() for part in rest)


@dataclass(frozen=True, slots=True)
class Codec:
    """How one field is written (``dump``: value → JSON) and read (``load``: JSON → value)
    when the converter's rule for its type is not the JSON form."""

    dump: Callable[[Any], Any]
    load: Callable[[Any], Any] | None = None


def _nan_to_none(value: float) -> float | None:
    return None if math.isnan(value) else value


def _none_to_nan(value: Any) -> float:
    return math.nan if value is None else float(_float(value))


NAN_AS_NULL = Codec(_nan_to_none, _none_to_nan)
"""A float that is NaN when nothing measured it, written as null."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a class's JSON differs from its fields.

    ``rename`` maps a field to its key, ``keys`` names every other field's key (e.g.
    :func:`camel`); ``omit_none`` leaves out fields whose default is None when they are None
    (True: every such field; or the names of some); ``omit`` fields are never written (read
    back as their default); ``only_if`` writes a field only when its test on the object holds;
    ``codecs`` override how a field is written and read; ``tags`` are constant keys written
    first and required on reading (``{"format": FORMAT}``); ``extra`` keys are computed from
    the object when writing and ignored when reading, unless ``verify_extra``: then a stored
    value must equal the computed one (a derived value that was edited is refused);
    ``order`` is the order of the keys when it is not tags, fields, extras; ``missing`` gives
    the value of a field whose key a hand-written document may leave out; ``check``
    validates the data before it is read (a JSON Schema); ``forbid_extra`` refuses keys the
    class does not know; ``error`` is the exception raised for data that does not fit, and
    ``what`` how messages name the class ("load plan")."""

    rename: Mapping[str, str] = field(default_factory=dict)
    keys: Callable[[str], str] | None = None
    omit_none: bool | Collection[str] = False
    omit: Collection[str] = ()
    only_if: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)
    codecs: Mapping[str, Codec] = field(default_factory=dict)
    tags: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    verify_extra: bool = False
    order: Sequence[str] = ()
    missing: Mapping[str, Any] = field(default_factory=dict)
    check: Callable[[Any], None] | None = None
    forbid_extra: bool = False
    error: type[Exception] = JsonMapError
    what: str = ""

    def key(self, name: str) -> str:
        """The JSON key of field ``name``."""
        if name in self.rename:
            return self.rename[name]
        return self.keys(name) if self.keys is not None else name


_PLAIN = Layout()


class JsonWritable:
    """A dataclass written as JSON by the converter, shaped by its ``json_layout``."""

    __slots__ = ()
    json_layout: ClassVar[Layout] = _PLAIN

    def to_json(self) -> dict[str, Any]:
        """The object as plain JSON data."""
        data: dict[str, Any] = CONVERTER.unstructure(self)
        return data


class JsonMapped(JsonWritable):
    """A dataclass written as JSON and read back by the converter."""

    __slots__ = ()

    @classmethod
    def from_json(cls, data: Any, *, where: str | None = None) -> Self:
        """Read ``data`` (what :meth:`to_json` wrote); ``where`` names it in messages (a file,
        a request). Raises the class's error (``json_layout.error``) naming each key that
        does not fit."""
        layout = cls.json_layout
        named = where or layout.what or cls.__name__
        try:
            value: Self = CONVERTER.structure(data, cls)
        except BaseValidationError as exc:
            raise layout.error(f"{named}: {'; '.join(_problems(exc, '$'))}") from None
        except (layout.error, TypeError, ValueError) as exc:
            if where is None and isinstance(exc, layout.error):
                raise  # the class's own words (its schema, its format) name it already
            raise layout.error(f"{named}: {exc}") from None
        return value


def _problems(exc: BaseException, path: str) -> list[str]:
    """Each problem under ``exc`` with the JSON path of its key (``$.attachments[0].name``)."""
    found: list[tuple[BaseException, str, Any]]
    if isinstance(exc, IterableValidationError):
        items, without = exc.group_exceptions()
        found = [(inner, f"{path}[{note.index!r}]", note.type) for inner, note in items]
    elif isinstance(exc, ClassValidationError):
        layout = getattr(exc.cl, "json_layout", _PLAIN)
        fields, without = exc.group_exceptions()
        found = [(inner, f"{path}.{layout.key(note.name)}", note.type) for inner, note in fields]
    else:
        return [f"{_describe(exc, None)} at {path}"]
    out = [f"{_describe(inner, None)} at {path}" for inner in without]
    for inner, where, kind in found:
        if isinstance(inner, BaseValidationError):
            out += _problems(inner, where)
        else:
            out.append(f"{_describe(inner, kind)} at {where}")
    return out


def _describe(exc: BaseException, kind: Any) -> str:
    if isinstance(exc, KeyError) and not isinstance(exc, SpecError):
        return "required field missing"
    text = str(exc)
    return text if text else format_exception(exc, kind)


# --- values --------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    return f"{value!r:.60} ({type(value).__name__})"


def _str(value: Any, kind: Any = str) -> str:
    if type(value) is kind:
        return value  # type: ignore[no-any-return]
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {_kind(value)}")
    return value if kind is str else kind(value)  # an enum of strings: the member


def _int(value: Any, kind: Any = int) -> int:
    if type(value) is kind:
        return value  # type: ignore[no-any-return]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, found {_kind(value)}")
    return value if kind is int else kind(value)


def _float(value: Any, kind: Any = float) -> float:
    # An integer stays one, so what was written as 0 is written again as 0, not 0.0.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, found {_kind(value)}")
    return value if kind is float else kind(value)


def _bool(value: Any, _: Any = bool) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, found {_kind(value)}")
    return value


def _datetime(value: Any, _: Any) -> datetime:
    return datetime.fromisoformat(_str(value))


def _date(value: Any, _: Any) -> date:
    return date.fromisoformat(_str(value))


def _bytes(value: Any, _: Any) -> bytes:
    try:
        return base64.b64decode(_str(value), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"expected base64, found {_kind(value)} ({exc})") from None


def _path(value: Any, _: Any) -> Path:
    return Path(_str(value))


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _converter() -> cattrs.Converter:
    converter = cattrs.Converter(unstruct_collection_overrides={Sequence: list, Set: sorted})
    primitives: tuple[tuple[type, Callable[[Any, Any], Any]], ...] = (
        (str, _str),
        (int, _int),
        (float, _float),
        (bool, _bool),
    )
    for primitive, load in primitives:
        converter.register_structure_hook(primitive, load)
    texts: tuple[tuple[type, Callable[[Any], Any], Callable[[Any, Any], Any]], ...] = (
        (datetime, datetime.isoformat, _datetime),
        (date, date.isoformat, _date),
        (bytes, _b64, _bytes),
        (Path, str, _path),
    )
    for kind, dump, read in texts:
        converter.register_unstructure_hook(kind, dump)
        converter.register_structure_hook(kind, read)
    return converter


CONVERTER = _converter()


# --- dataclasses with a layout ---------------------------------------------------------------


def _omits_none(layout: Layout, f: dataclasses.Field[Any]) -> bool:
    named = layout.omit_none is not True and f.name in (layout.omit_none or ())
    if named and f.default is not None:
        raise TypeError(f"omit_none names field {f.name!r}, whose default is not None")
    return named or (layout.omit_none is True and f.default is None)


def _check_layout(cls: type, layout: Layout) -> None:
    names = {f.name for f in dataclasses.fields(cls)}
    for option in ("rename", "omit", "only_if", "codecs", "missing"):
        unknown = set(getattr(layout, option)) - names
        if unknown:
            raise TypeError(f"{cls.__name__}.json_layout.{option} names no field: {unknown!r}")
    if layout.order:
        written = {layout.key(n) for n in names - set(layout.omit)} | set(layout.extra)
        written |= set(layout.tags)
        if set(layout.order) != written:
            raise TypeError(
                f"{cls.__name__}.json_layout.order must list every key written: missing "
                f"{sorted(written - set(layout.order))!r}, unknown "
                f"{sorted(set(layout.order) - written)!r}"
            )


def _unstructure_fn(cls: type) -> Callable[[Any], dict[str, Any]]:
    return _writer(cls, cls.json_layout)  # type: ignore[attr-defined]


def _writer(cls: type, layout: Layout) -> Callable[[Any], dict[str, Any]]:
    _check_layout(cls, layout)
    overrides: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        codec = layout.codecs.get(f.name)
        overrides[f.name] = override(
            rename=layout.key(f.name),
            omit=f.name in layout.omit or None,
            omit_if_default=_omits_none(layout, f) or None,
            unstruct_hook=codec.dump if codec else None,
        )
    base: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(cls, CONVERTER, **overrides)
    if not (layout.only_if or layout.tags or layout.extra or layout.order):
        return base
    conditional = [(layout.key(n), test) for n, test in layout.only_if.items()]
    tags, extra, order = dict(layout.tags), tuple(layout.extra.items()), tuple(layout.order)

    def unstructure(obj: Any) -> dict[str, Any]:
        data = {**tags, **base(obj)}
        for key, test in conditional:
            if not test(obj):
                del data[key]
        for key, compute in extra:
            data[key] = CONVERTER.unstructure(compute(obj))
        return {k: data[k] for k in order if k in data} if order else data

    return unstructure


def _structure_fn(cls: type) -> Callable[[Any, Any], Any]:
    layout: Layout = cls.json_layout  # type: ignore[attr-defined]
    overrides: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        codec = layout.codecs.get(f.name)
        overrides[f.name] = override(
            rename=layout.key(f.name),
            omit=f.name in layout.omit or None,
            struct_hook=_loader(codec.load) if codec and codec.load else None,
        )
    base: Callable[[Any, Any], Any] = make_dict_structure_fn(
        cls, CONVERTER, _cattrs_forbid_extra_keys=layout.forbid_extra, **overrides
    )
    ignored = set(layout.tags) | set(layout.extra)
    missing = {layout.key(name): value for name, value in layout.missing.items()}
    what = layout.what or cls.__name__

    def structure(data: Any, _: Any) -> Any:
        if layout.check is not None:
            layout.check(data)
        if not isinstance(data, Mapping):
            raise TypeError(f"expected an object, found {_kind(data)}")
        for key, expected in layout.tags.items():
            if data.get(key) != expected:
                raise layout.error(
                    f"not a {what} this harness reads: {key}={data.get(key)!r}, expected "
                    f"{expected!r}"
                )
        given = {k: v for k, v in data.items() if k not in ignored} if ignored else data
        obj = base({**missing, **given} if missing else given, cls)
        if layout.verify_extra:
            _verify_extra(obj, data, layout)
        return obj

    return structure


def _loader(load: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    return lambda value, _: load(value)


def _verify_extra(obj: Any, data: Mapping[str, Any], layout: Layout) -> None:
    what = layout.what or type(obj).__name__
    for key, compute in layout.extra.items():
        derived = CONVERTER.unstructure(compute(obj))
        if key in data and data[key] != derived:
            raise layout.error(
                f"the {what}'s stored {key} {data[key]!r} is not what its other fields give "
                f"({derived!r}); was it edited?"
            )


_WRITERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def write(obj: Any, layout: Layout) -> dict[str, Any]:
    """``obj`` (a dataclass instance) as JSON shaped by ``layout``, for a class that cannot
    subclass :class:`JsonWritable`: one whose module must not import :mod:`spec` when it is
    imported (what the pytest plugin reads in every session). Its ``layout`` is its class's
    for good: the writer is made once per class."""
    writer = _WRITERS.get(type(obj))
    if writer is None:
        writer = _WRITERS[type(obj)] = _writer(type(obj), layout)
    return writer(obj)


def _is_writable(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, JsonWritable)


CONVERTER.register_unstructure_hook_factory(_is_writable, _unstructure_fn)
CONVERTER.register_structure_hook_factory(_is_writable, _structure_fn)
