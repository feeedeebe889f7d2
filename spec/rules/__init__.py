"""The validator's rules, one module per part of the message; each adds findings to a Checker."""
