"""sesguard's SES101, SES102 and SES103 as checkov external checks.

Run them with ``checkov -d DIR --external-checks-dir $(sesguard
checkov-checks-dir)``. The checks import ``analyzer`` and ``checks``, so
sesguard must be installed in checkov's environment, without its
dependencies (``pip install --no-deps sesguard``): checkov pins its own
``hcl2``, and nothing here needs python-hcl2. ``_convert`` says how
checkov's view of a resource becomes sesguard's model.
"""
