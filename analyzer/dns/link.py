"""After every input is loaded: settings onto identities, records into zones.

* An ``IdentitySetting`` (Terraform v1 ``aws_ses_domain_dkim``, MAIL FROM
  resources, verification) is applied to the identity it names, by
  reference or by name.
* A record is put in the zone its zone id references, and its name is
  completed as its provider does: Route 53 and Cloudflare append the zone's
  name unless the name already ends with it, Azure always does (names are
  relative there), Google Cloud DNS and CloudFormation take full names.
"""

from __future__ import annotations

from analyzer.dns import names
from analyzer.model import Model, Unknown, has_marker

_RELATIVE_ONLY = ("azure",)
_FULL_NAMES = ("google", "zonefile", "octodns")


def link(model: Model) -> None:
    _apply_settings(model)
    _place_records(model)


def _apply_settings(model: Model) -> None:
    by_name: dict = {}  # (context, name labels) -> identities, in address order
    for identity in sorted(model.identities, key=lambda i: i.address):
        name = names.parse(identity.name)
        if name is not None and name.labels:
            by_name.setdefault((identity.context, name.labels), []).append(identity)
    by_address: dict = {}
    for identity in model.identities:
        by_address.setdefault((identity.context, identity.address.split("[", 1)[0]), []).append(identity)
    for setting in model.identity_settings:
        identity = _by_address(by_address, setting) or _by_name(by_name, setting)
        if identity is None or identity.active and not setting.active:
            continue  # a setting that does not exist with the values in use does not apply
        if setting.kind == "easy_dkim":
            identity.easy_dkim = setting.address
            if _tokens(setting.values.get("dkim_tokens")):
                identity.dkim_tokens = list(setting.values["dkim_tokens"])
        elif setting.kind == "verification":
            identity.verification = setting.address
        elif setting.kind == "mail_from":
            identity.mail_from_domain = setting.values.get("mail_from_domain")
            identity.mail_from_mx_failure = setting.values.get("mail_from_mx_failure")
            identity.mail_from_address = setting.address
            for name in ("mail_from_domain", "mail_from_mx_failure"):
                if name in setting.value_locs:
                    identity.value_locs[name] = setting.value_locs[name]


def _tokens(value) -> bool:
    """Easy DKIM tokens as a plan of a deployed identity holds them."""
    return isinstance(value, list) and bool(value) and all(isinstance(t, str) and not has_marker(t) for t in value)


def _by_address(by_address: dict, setting):
    """The identity the setting references: same address (or its only
    instance: ``aws_x.y`` for ``aws_x.y[0]``) in the same root module."""
    address = setting.identity_address
    if not address:
        return None
    found = [i for i in by_address.get((setting.context, address.split("[", 1)[0]), ())
             if i.address == address or i.address.startswith(address + "[")]
    return found[0] if len(found) == 1 else None


def _by_name(by_name: dict, setting):
    """The identity a setting names when it does not reference it: same
    name (or the same unknown) in the same root module; the first by address."""
    wanted = names.parse(setting.identity)
    if wanted is None or not wanted.labels:
        return None
    found = by_name.get((setting.context, wanted.labels))
    return found[0] if found else None


def _place_records(model: Model) -> None:
    zones = {f"{z.context}:{z.address}": z for z in model.dns_zones}
    zones.update({f"{z.context}:google:{z.key}": z for z in model.dns_zones if isinstance(z.key, str)})
    for record in model.dns_records:
        zone = zones.get(record.zone)
        if zone is not None:
            if record.zone_name is None:
                record.zone_name = zone.name
            record.private = zone.private
        name = names.parse(record.name)
        zone_name = names.parse(record.zone_name) if record.zone_name is not None else None
        if name is None or isinstance(record.name, Unknown):
            continue  # a name known only after apply stays unknown
        if record.source_format == "cloudformation" or record.provider in _FULL_NAMES:
            name = names.Name(name.labels, True)
        elif record.provider in _RELATIVE_ONLY and zone_name is not None:
            name = name.join(names.Name(zone_name.labels, True))
        else:
            name = names.route53_name(name, zone_name)
        record.name = name.marked()
