"""The ``lienthong`` command: a thin shell over spec, axis, conformance, sim, load and reports."""

__version__ = "0.1.0"
