"""CloudFormation Route 53 resources into the model.

``AWS::Route53::RecordSet``, the record sets of an
``AWS::Route53::RecordSetGroup`` and ``AWS::Route53::HostedZone`` (private
when it lists VPCs). Route 53 takes record names as full names and record
data as written: a TXT value must carry its own double quotes, which the
model records as a problem of the record when it does not.
"""

from __future__ import annotations

from typing import Any

from analyzer.dns.records import record_values
from analyzer.model import DnsRecord, DnsZone, LDict, Location, Unknown, whole


def hosted_zone(base: dict, properties: Any) -> list:
    vpcs = properties.get("VPCs") if isinstance(properties, dict) else None
    private = vpcs if isinstance(vpcs, Unknown) else bool(vpcs)
    return [DnsZone(**base, name=_get(properties, "Name"), private=private, provider="route53")]


def record_set(base: dict, properties: Any) -> list:
    return [_record(base, properties, properties, base["loc"])]


def record_set_group(base: dict, properties: Any) -> list:
    sets = _get(properties, "RecordSets")
    if not isinstance(sets, list):
        return []
    records = []
    for number, entry in enumerate(sets):
        where = entry.loc if isinstance(entry, LDict) and entry.loc else base["loc"]
        item = dict(base, address=f"{base['address']}.RecordSets[{number}]", loc=where)
        records.append(_record(item, entry, properties, where))
    return records


def _record(base: dict, entry: Any, zone_properties: Any, where: Location) -> DnsRecord:
    rtype = _get(entry, "Type")
    rtype = rtype.upper() if isinstance(rtype, str) else rtype
    values, problems = record_values(rtype, _get(entry, "ResourceRecords"), "cloudformation")
    zone_id = _get(entry, "HostedZoneId") or _get(zone_properties, "HostedZoneId")
    zone_name = _get(entry, "HostedZoneName") or _get(zone_properties, "HostedZoneName")
    zone = ""
    if isinstance(zone_id, Unknown) and (zone_id.ref.endswith(".Id") or "." not in zone_id.ref):
        zone = f"{base['context']}:{zone_id.ref.removesuffix('.Id')}"  # !Ref Zone or !GetAtt Zone.Id
    return DnsRecord(**base, name=_get(entry, "Name"), rtype=rtype, values=values, ttl=_get(entry, "TTL"),
                     zone=zone, zone_name=zone_name, alias=_get(entry, "AliasTarget"), problems=problems,
                     value_locs=_value_locs(entry, where))


def _value_locs(entry: Any, where: Location) -> dict:
    if not isinstance(entry, LDict):
        return {}
    return {"name": entry.loc_of_key("Name") or where, "type": entry.loc_of_key("Type") or where,
            "values": entry.loc_of_key("ResourceRecords") or where}


def _get(value: Any, key: str) -> Any:
    if isinstance(value, Unknown):
        return whole(value)  # what an unknown condition picks from is not the value at the key
    return value.get(key) if isinstance(value, dict) else None
