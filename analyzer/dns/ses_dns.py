"""What Amazon SES needs to find in DNS, as data.

Source: Amazon SES Developer Guide, "Easy DKIM in Amazon SES" (the DKIM
domain of each Region: ``dkim.amazonses.com`` in most Regions, a
Region-specific domain in those launched later) and "Using a custom MAIL
FROM domain" (an MX record ``10 feedback-smtp.<region>.amazonses.com`` and
an SPF record with ``include:amazonses.com`` at the MAIL FROM domain),
https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html
and https://docs.aws.amazon.com/ses/latest/dg/mail-from.html. Easy DKIM
always publishes three tokens.
"""

from __future__ import annotations

import re
from typing import Optional

EASY_DKIM_TOKENS = 3
DEFAULT_DKIM_DOMAIN = "dkim.amazonses.com"
# Regions whose Easy DKIM records point at dkim.<region>.amazonses.com
REGIONAL_DKIM_REGIONS = frozenset({
    "af-south-1", "ap-northeast-3", "ap-south-2", "ap-southeast-3", "ap-southeast-5", "ca-west-1",
    "eu-central-2", "eu-south-1", "il-central-1", "me-central-1", "us-gov-east-1",
})
SPF_INCLUDE = "amazonses.com"
MAIL_FROM_MX_PREFERENCE = 10
_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d$")
_FEEDBACK = re.compile(r"^feedback-smtp\.(?P<region>[^.]+)\.amazonses\.com\.?$", re.I)
_DKIM_DOMAIN = re.compile(r"^dkim(?:\.(?P<region>[a-z0-9-]+))?\.amazonses\.com\.?$", re.I)


def is_region(text: str) -> bool:
    return bool(_REGION.match(text))


def dkim_domain(region: str) -> str:
    """The domain Easy DKIM CNAMEs point into in ``region``."""
    return f"dkim.{region}.amazonses.com" if region in REGIONAL_DKIM_REGIONS else DEFAULT_DKIM_DOMAIN


def dkim_domain_regions(domain: str) -> Optional[frozenset]:
    """The Regions whose DKIM domain ``domain`` is; None when it is no SES DKIM domain."""
    m = _DKIM_DOMAIN.match(domain)
    if not m:
        return None
    region = m.group("region")
    if region is None:
        return frozenset({"*"})  # every Region not in REGIONAL_DKIM_REGIONS
    return frozenset({region}) if region in REGIONAL_DKIM_REGIONS else frozenset()


def dkim_domain_fits(domain: str, region: Optional[str]) -> bool:
    """Whether a CNAME target's DKIM domain can be SES's: for ``region``
    when it is known, for some Region otherwise."""
    regions = dkim_domain_regions(domain)
    if not regions:
        return False
    if region is None:
        return True
    return region in regions or ("*" in regions and region not in REGIONAL_DKIM_REGIONS)


def feedback_region(host: str) -> Optional[str]:
    """The Region of a ``feedback-smtp.<region>.amazonses.com`` host, or None."""
    m = _FEEDBACK.match(host)
    return m.group("region").lower() if m else None
