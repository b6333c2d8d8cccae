"""Email-address identities and the consumer mailbox providers (SES201, SES202)."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from analyzer.model import Identity, has_marker
from analyzer.policy.wildcard import iam_match

# Consumer mailbox domains. A final ``.*`` stands for a country or generic
# top-level domain (``gmx.*``: gmx.de, gmx.net, gmx.co.uk; not gmx.example.com);
# elsewhere ``*`` matches any part. ``personal_mailbox_domains`` in the
# configuration adds to them.
PERSONAL_MAILBOX_DOMAINS = (
    "gmail.com", "googlemail.com", "outlook.com", "outlook.*", "hotmail.com", "hotmail.*", "live.com", "live.*",
    "msn.com", "yahoo.com", "yahoo.*", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
    "protonmail.com", "protonmail.ch", "pm.me", "gmx.*", "web.de", "mail.com", "mail.ru", "inbox.ru", "list.ru",
    "bk.ru", "yandex.*", "ya.ru", "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com",
    "naver.com", "daum.net", "hanmail.net", "zoho.com", "tutanota.com", "tuta.io", "fastmail.com", "hey.com",
    "rediffmail.com", "libero.it", "laposte.net", "orange.fr", "free.fr", "t-online.de", "seznam.cz", "wp.pl",
    "o2.pl", "interia.pl", "rambler.ru", "btinternet.com", "comcast.net", "verizon.net", "att.net",
)


_TOP_LEVEL = re.compile(r"[a-z]{2,6}|[a-z]{2,3}\.[a-z]{2}")


def email_domain(identity: Identity) -> Optional[str]:
    """The domain of a known email-address identity, lower case; None otherwise."""
    name = identity.name
    if identity.kind != "email" or not isinstance(name, str) or has_marker(name) or "@" not in name:
        return None
    return name.rsplit("@", 1)[1].lower().rstrip(".")


def personal_provider(domain: str, extra: Iterable[str] = ()) -> Optional[str]:
    """The consumer mailbox pattern ``domain`` matches, or None."""
    return next((p for p in (*PERSONAL_MAILBOX_DOMAINS, *extra) if _matches(p.lower(), domain)), None)


def _matches(pattern: str, domain: str) -> bool:
    if pattern.endswith(".*"):
        stem = pattern[:-1]
        return any(iam_match(stem, domain[:i]) and _TOP_LEVEL.fullmatch(domain[i:]) for i in range(len(domain)))
    return iam_match(pattern, domain)
