"""The conformance test modules: one per family of SUT behaviour (transport, receiving,
sending, flows, robustness, security), the stateful exploration, and the audit of everything
the SUT sent. Each test declares the requirement ids it verifies."""
