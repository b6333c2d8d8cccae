"""What the two GitLab reports share: which findings they carry, and one
id per finding that stays the same across line moves and is unique in the
report (GitLab shows only the first issue of a fingerprint)."""

from __future__ import annotations

import hashlib


def reported(report) -> list:
    """Active, unsuppressed findings: what the merge-request widgets show."""
    return [f for f in report.findings if f.active and not f.suppressed]


def unique_fingerprints(findings) -> list:
    """The findings' fingerprints; a repeated one (the same rule, file,
    resource and path said twice) gets its occurrence number mixed in."""
    seen: dict = {}
    result = []
    for finding in findings:
        count = seen.get(finding.fingerprint, 0)
        seen[finding.fingerprint] = count + 1
        if count == 0:
            result.append(finding.fingerprint)
        else:
            result.append(hashlib.sha256(f"{finding.fingerprint}#{count}".encode()).hexdigest()[:32])
    return result
