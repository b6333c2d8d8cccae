"""Terraform DNS resources and SES identity settings into the model.

Builders with the same signature as those of ``analyzer.terraform.adapter``
(shared with the plan loader): ``build(type_, argument, location, parse,
**resource)`` returns the model objects one resource instance declares.

DNS records keep the name as written and the address of the zone their
``zone_id`` (``managed_zone``, ``zone_name``) references; ``analyzer.dns.link``
completes relative names once every zone of the scan is known.
"""

from __future__ import annotations

import re
from typing import Any

from analyzer.dns.records import mx, record_values
from analyzer.model import DnsRecord, DnsZone, IdentitySetting, Unknown, has_marker

# zone resource type -> (provider, name arguments, the first written is the name)
_ZONE_NAME = {
    "aws_route53_zone": ("route53", ("name",)),
    "cloudflare_zone": ("cloudflare", ("zone", "name")),
    "google_dns_managed_zone": ("google", ("dns_name",)),
    "azurerm_dns_zone": ("azure", ("name",)),
}
# data source type -> (provider, name argument, private argument)
DATA_ZONE_TYPES = {
    "aws_route53_zone": ("route53", "name", "private_zone"),
    "cloudflare_zone": ("cloudflare", "name", None),
    "google_dns_managed_zone": ("google", "name", None),
    "azurerm_dns_zone": ("azure", "name", None),
}
_ZONE_REF = re.compile(r"^(?P<address>.*?\b(?:data\.)?(?:aws_route53_zone|cloudflare_zone|google_dns_managed_zone"
                       r"|azurerm_dns_zone)\.[\w-]+(?:\[[^\]]*\])?)\.(?:zone_id|id|name)$")
_IDENTITY_REF = re.compile(r"^(?P<address>.*?\b(?:aws_ses_domain_identity|aws_sesv2_email_identity)\.[\w-]+"
                           r"(?:\[[^\]]*\])?)(?:\.[\w-]+)?$")
_AZURE_TYPES = {"azurerm_dns_txt_record": "TXT", "azurerm_dns_cname_record": "CNAME", "azurerm_dns_mx_record": "MX"}


def zone_address(value: Any, context: str) -> str:
    """The zone resource or data source a zone id references, as
    ``<context>:<address>`` (see ``analyzer.dns.link``), or ""."""
    if isinstance(value, Unknown):
        m = _ZONE_REF.match(value.ref)
        if m:
            return f"{context}:{m.group('address')}"
    return ""


def identity_address(value: Any) -> str:
    if isinstance(value, Unknown):
        m = _IDENTITY_REF.match(value.ref)
        if m:
            return m.group("address")
    return ""


def build_zone(type_, argument, location, parse=None, **resource) -> list:
    provider, names = _ZONE_NAME[type_]
    name = next((argument(n) for n in names if argument(n) is not None), None)
    if type_ == "aws_route53_zone":
        private = bool(argument("vpc"))
    elif type_ == "google_dns_managed_zone":
        visibility = argument("visibility")
        private = visibility if isinstance(visibility, Unknown) else str(visibility or "public").lower() == "private"
    else:
        private = False
    key = argument("name") if type_ == "google_dns_managed_zone" else None
    return [DnsZone(type=type_, name=name, private=private, provider=provider, key=key,
                    value_locs={"name": location(names[0])}, **resource)]


def build_data_zone(type_: str, argument, **resource) -> DnsZone:
    """A zone looked up by a data source: it exists; the code manages some of its records."""
    provider, name_argument, private_argument = DATA_ZONE_TYPES[type_]
    private = argument(private_argument) if private_argument else None
    name = argument(name_argument)
    key = name if type_ == "google_dns_managed_zone" else None
    return DnsZone(type=type_, name=None if key else name, private=bool(private) if isinstance(private, bool) else
                   private, provider=provider, key=key, **resource)


def build_route53_record(type_, argument, location, parse=None, **resource) -> list:
    rtype = _upper(argument("type"))
    values, problems = record_values(rtype, argument("records"), "route53")
    alias = argument("alias")
    fqdn = argument("fqdn")  # computed: known in a plan of a deployed record, and then the full name
    name = fqdn.rstrip(".") + "." if isinstance(fqdn, str) and fqdn and not has_marker(fqdn) else argument("name")
    return [DnsRecord(type=type_, name=name, rtype=rtype, values=values, ttl=argument("ttl"),
                      zone=zone_address(argument("zone_id"), resource["context"]), alias=alias or None, problems=problems,
                      value_locs=_locs(location, name="name", type="type", values="records"), **resource)]


def build_cloudflare_record(type_, argument, location, parse=None, **resource) -> list:
    rtype = _upper(argument("type"))
    content_argument = "content" if argument("content") is not None else "value"
    content = argument(content_argument)
    if rtype == "MX" and content is not None and argument("priority") is not None:
        content = mx(argument("priority"), content)
    values, problems = record_values(rtype, content, "cloudflare")
    return [DnsRecord(type=type_, name=argument("name"), rtype=rtype, values=values, ttl=argument("ttl"),
                      zone=zone_address(argument("zone_id"), resource["context"]), problems=problems, provider="cloudflare",
                      value_locs=_locs(location, name="name", type="type", values=content_argument), **resource)]


def build_google_record(type_, argument, location, parse=None, **resource) -> list:
    rtype = _upper(argument("type"))
    values, problems = record_values(rtype, argument("rrdatas"), "google")
    managed_zone = argument("managed_zone")
    return [DnsRecord(type=type_, name=argument("name"), rtype=rtype, values=values, ttl=argument("ttl"),
                      zone=zone_address(managed_zone, resource["context"]) or (
                          f"{resource['context']}:google:{managed_zone}" if isinstance(managed_zone, str) else ""),
                      problems=problems, provider="google",
                      value_locs=_locs(location, name="name", type="type", values="rrdatas"), **resource)]


def build_azure_record(type_, argument, location, parse=None, **resource) -> list:
    rtype = _AZURE_TYPES[type_]
    written = argument("record")
    if rtype == "TXT":
        written = [b.get("value") for b in written if isinstance(b, dict)] if isinstance(written, list) else written
    elif rtype == "MX":
        written = [mx(b.get("preference"), b.get("exchange")) for b in written
                   if isinstance(b, dict)] if isinstance(written, list) else written
    values, problems = record_values(rtype, written, "azure")
    zone_name = argument("zone_name")
    return [DnsRecord(type=type_, name=argument("name"), rtype=rtype, values=values, ttl=argument("ttl"),
                      zone=zone_address(zone_name, resource["context"]), zone_name=zone_name, problems=problems, provider="azure",
                      value_locs=_locs(location, name="name", values="record"), **resource)]


# setting type -> (kind, identity argument, {model value: argument})
_SETTINGS = {
    "aws_ses_domain_dkim": ("easy_dkim", "domain", {"dkim_tokens": "dkim_tokens"}),  # tokens: known in a plan
    "aws_ses_domain_identity_verification": ("verification", "domain", {}),
    "aws_ses_domain_mail_from": ("mail_from", "domain", {
        "mail_from_domain": "mail_from_domain", "mail_from_mx_failure": "behavior_on_mx_failure"}),
    "aws_sesv2_email_identity_mail_from_attributes": ("mail_from", "email_identity", {
        "mail_from_domain": "mail_from_domain", "mail_from_mx_failure": "behavior_on_mx_failure"}),
}


def build_identity_setting(type_, argument, location, parse=None, **resource) -> list:
    kind, identity_argument, fields = _SETTINGS[type_]
    identity = argument(identity_argument)
    values = {name: argument(arg) for name, arg in fields.items()}
    locs = {name: location(arg) for name, arg in fields.items() if values[name] is not None}
    return [IdentitySetting(type=type_, identity=identity, identity_address=identity_address(identity) or None,
                            kind=kind, values=values, value_locs=locs, **resource)]


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _locs(location, **fields) -> dict:
    return {name: location(argument) for name, argument in fields.items()}


# resource type -> (builder, model collection); merged into the adapter's table
DNS_TYPES = {
    **{type_: (build_zone, "dns_zones") for type_ in _ZONE_NAME},
    "aws_route53_record": (build_route53_record, "dns_records"),
    "cloudflare_record": (build_cloudflare_record, "dns_records"),
    "cloudflare_dns_record": (build_cloudflare_record, "dns_records"),
    "google_dns_record_set": (build_google_record, "dns_records"),
    **{type_: (build_azure_record, "dns_records") for type_ in _AZURE_TYPES},
    **{type_: (build_identity_setting, "identity_settings") for type_ in _SETTINGS},
}
