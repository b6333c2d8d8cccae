"""Developer tools run from the checkout (``python -m analyzer.devtools.NAME``):
generated documentation and structure checks. Nothing here runs in a scan."""
