"""sesguard rules: one module per rule (see analyzer/rules.py for the contract)."""
