"""Property-based fuzzing of the CLI: one module per input family; tests/test_fuzz.py collects them."""
