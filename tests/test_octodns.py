"""octoDNS configs into the model: exact records and lines, TXT escaping and
chunking, provider directories (never outside the scanned root), dynamic,
alias and split zones, recognition, and the problems reported."""

from __future__ import annotations

import os
import textwrap

import pytest

from analyzer.dns.octodns import load_octodns_config, looks_like_octodns_config
from analyzer.model import Model

CONFIG = """\
---
manager:
  max_workers: 2
providers:
  config:
    class: octodns.provider.yaml.YamlProvider
    directory: ./zones
    default_ttl: 600
  route53:
    class: octodns_route53.Route53Provider
    access_key_id: env/AWS_ACCESS_KEY_ID
zones:
  example.com.:
    sources:
      - config
    targets:
      - route53
"""

EXAMPLE_COM = r"""---
'':
  - type: MX
    values:
      - exchange: inbound-smtp.us-east-1.amazonaws.com.
        preference: 10
  - type: TXT
    value: v=spf1 include:amazonses.com -all
_dmarc:
  type: TXT
  ttl: 300
  value: v=DMARC1\; p=reject\; rua=mailto:dmarc@example.com
abcdef._domainkey:
  type: CNAME
  value: abcdef.dkim.amazonses.com.
mail:
  - type: MX
    value:
      priority: 10
      value: feedback-smtp.us-east-1.amazonses.com.
  - type: txt
    values:
      - v=spf1 include:amazonses.com ~all
      - "quoted\\; in YAML"
www:
  type: A
  values:
    - 192.0.2.1
    - 192.0.2.2
"""


def write(root, files: dict) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def load(root, config: str = "octodns.yaml", cwd=None) -> tuple:
    model = Model()
    path = root / config
    old = os.getcwd()
    os.chdir(cwd or root)
    try:
        read = load_octodns_config(str(path), os.path.relpath(path), path.read_text(), model, str(root))
    finally:
        os.chdir(old)
    return model, read


def records(model: Model) -> list:
    return [(r.file, r.name, r.rtype, r.values, r.ttl, r.zone_name, r.loc.line) for r in model.dns_records]


def problems(model: Model) -> list:
    return [(p.file, p.message, p.line) for p in model.problems]


def test_records_of_a_realistic_config(tmp_path):
    write(tmp_path, {"octodns.yaml": CONFIG, "zones/example.com.yaml": EXAMPLE_COM})
    model, read = load(tmp_path)
    assert problems(model) == []
    assert read == [os.path.realpath(tmp_path / "zones/example.com.yaml")]
    zone_file = "zones/example.com.yaml"
    assert records(model) == [
        (zone_file, "example.com.", "MX", ["10 inbound-smtp.us-east-1.amazonaws.com."], 600, "example.com.", 3),
        (zone_file, "example.com.", "TXT", [("v=spf1 include:amazonses.com -all",)], 600, "example.com.", 7),
        (zone_file, "_dmarc.example.com.", "TXT", [("v=DMARC1; p=reject; rua=mailto:dmarc@example.com",)], 300,
         "example.com.", 9),
        (zone_file, "abcdef._domainkey.example.com.", "CNAME", ["abcdef.dkim.amazonses.com."], 600,
         "example.com.", 13),
        (zone_file, "mail.example.com.", "MX", ["10 feedback-smtp.us-east-1.amazonses.com."], 600,
         "example.com.", 17),
        (zone_file, "mail.example.com.", "TXT", [("v=spf1 include:amazonses.com ~all",), ("quoted; in YAML",)],
         600, "example.com.", 21),
        (zone_file, "www.example.com.", "A", ["192.0.2.1", "192.0.2.2"], 600, "example.com.", 25),
    ]


def test_zone_and_record_fields(tmp_path):
    write(tmp_path, {"octodns.yaml": CONFIG, "zones/example.com.yaml": EXAMPLE_COM})
    model, _ = load(tmp_path)
    [zone] = model.dns_zones
    assert (zone.address, zone.type, zone.name, zone.file, zone.loc.file, zone.loc.line) == (
        "octodns.yaml:example.com.", "octodns", "example.com.", "octodns.yaml", "octodns.yaml", 13)
    assert (zone.provider, zone.source_format, zone.private) == ("octodns", "octodns", None)
    dmarc = model.dns_records[2]
    assert (dmarc.address, dmarc.type, dmarc.zone, dmarc.provider, dmarc.source_format, dmarc.private) == (
        "zones/example.com.yaml:_dmarc.example.com. TXT", "octodns", "octodns.yaml:example.com.", "octodns",
        "octodns", None)
    assert (dmarc.where("values").line, dmarc.where("ttl").line) == (12, 11)


@pytest.mark.parametrize("written, strings", [
    (r"v=DMARC1\; p=none", ("v=DMARC1; p=none",)),
    (r"""'"v=DKIM1\; k=rsa\; " "p=MIIB"'""", ("v=DKIM1; k=rsa; p=MIIB",)),
    ('"v=DMARC1\\\\; p=none"', ("v=DMARC1; p=none",)),
    (r"a \"quote\" and a \\ backslash", ('a "quote" and a \\ backslash',)),
    (r"numeric \059 escape", (r"numeric \059 escape",)),
    ("x" * 600, ("x" * 255, "x" * 255, "x" * 90)),
    ("''", ("",)),
])
def test_txt_values_as_octodns_publishes_them(tmp_path, written, strings):
    write(tmp_path, {"octodns.yaml": CONFIG,
                     "zones/example.com.yaml": f"sel._domainkey:\n  type: TXT\n  value: {written}\n"})
    model, _ = load(tmp_path)
    assert problems(model) == []
    assert [r.values for r in model.dns_records] == [[strings]]


def test_caa_and_srv_values_in_presentation_form(tmp_path):
    write(tmp_path, {"octodns.yaml": CONFIG, "zones/example.com.yaml": """\
        '':
          type: CAA
          values:
            - flags: 0
              tag: issue
              value: amazon.com
        _submission._tcp:
          type: SRV
          value: {priority: 10, weight: 20, port: 587, target: email-smtp.us-east-1.amazonaws.com.}
        """})
    model, _ = load(tmp_path)
    assert [(r.rtype, r.values) for r in model.dns_records] == [
        ("CAA", ['0 issue "amazon.com"']), ("SRV", ["10 20 587 email-smtp.us-east-1.amazonaws.com."])]


# ---------------------------------------------------------------------------
# Provider directories
# ---------------------------------------------------------------------------


def test_directory_relative_to_where_octodns_runs(tmp_path):
    """octoDNS's own layout: config/octodns.yaml says ``directory: ./config``
    and is run from the parent of config/."""
    write(tmp_path, {"config/octodns.yaml": CONFIG.replace("./zones", "./config"),
                     "config/example.com.yaml": "www:\n  type: A\n  value: 192.0.2.1\n"})
    model, read = load(tmp_path, "config/octodns.yaml")
    assert problems(model) == []
    assert read == [os.path.realpath(tmp_path / "config/example.com.yaml")]
    assert records(model) == [("config/example.com.yaml", "www.example.com.", "A", ["192.0.2.1"], 600,
                               "example.com.", 1)]


@pytest.mark.parametrize("directory", ["../outside", "{outside}"])
def test_a_directory_outside_the_root_is_refused(tmp_path, directory):
    root, outside = tmp_path / "repo", tmp_path / "outside"
    write(outside, {"example.com.yaml": "www:\n  type: A\n  value: 192.0.2.1\n"})
    write(root, {"octodns.yaml": CONFIG.replace("./zones", directory.format(outside=outside))})
    model, read = load(root)
    written = directory.format(outside=outside)
    assert read == [] and model.dns_records == []
    assert problems(model) == [
        ("octodns.yaml", f"directory {written} is outside the scanned root; its zone files are not read", 7)]


def test_a_zone_file_linking_outside_the_root_is_refused(tmp_path):
    root, outside = tmp_path / "repo", tmp_path / "outside"
    write(outside, {"secret.yaml": "www:\n  type: A\n  value: 192.0.2.1\n"})
    write(root, {"octodns.yaml": CONFIG})
    (root / "zones").mkdir()
    (root / "zones/example.com.yaml").symlink_to(outside / "secret.yaml")
    model, read = load(root)
    assert read == [] and model.dns_records == []
    assert problems(model) == [("zones/example.com.yaml", "the zone file links outside the scanned root; "
                                                          "example.com. is not analyzed from it", 1)]


def test_a_missing_directory_and_a_missing_zone_file_are_reported(tmp_path):
    write(tmp_path, {"octodns.yaml": CONFIG})
    model, read = load(tmp_path)
    assert read == [] and model.dns_records == []
    assert problems(model) == [("octodns.yaml", "directory ./zones not found (looked in zones)", 7)]

    (tmp_path / "zones").mkdir()
    model, read = load(tmp_path)
    assert problems(model) == [("octodns.yaml", "no zone file for example.com. in zones "
                                                "(octoDNS reads zones/example.com.yaml)", 13)]
    assert [z.name for z in model.dns_zones] == ["example.com."]


# ---------------------------------------------------------------------------
# Dynamic, alias and split zones
# ---------------------------------------------------------------------------


def test_dynamic_zones_take_the_zone_files_left(tmp_path):
    write(tmp_path, {
        "octodns.yaml": CONFIG + """\
  '*internal':
    glob: '*.internal.'
    sources: [config]
  '*':
    sources: [config]
  '*unused':
    regex: '^.*$'
    sources: [config]
  '*bad':
    sources: [config, nothere]
""",
        "zones/example.com.yaml": "www:\n  type: A\n  value: 192.0.2.1\n",
        "zones/example.org.yaml": "www:\n  type: A\n  value: 192.0.2.2\n",
        "zones/corp.internal.yaml": "www:\n  type: A\n  value: 10.0.0.1\n",
        "zones/notes.yaml": "not: a zone\n",
    })
    model, read = load(tmp_path)
    assert [(z.name, z.loc.line) for z in model.dns_zones] == [
        ("example.com.", 13), ("corp.internal.", 18), ("example.org.", 21)]
    assert [(r.name, r.values) for r in model.dns_records] == [
        ("www.example.com.", ["192.0.2.1"]), ("www.corp.internal.", ["10.0.0.1"]),
        ("www.example.org.", ["192.0.2.2"])]
    assert len(read) == 3
    assert problems(model) == [
        ("octodns.yaml", "a dynamic zone's regex is not evaluated; the zones it would take are not analyzed", 24),
        ("octodns.yaml", "source nothere is not a provider of the config", 27)]


def test_an_alias_zone_has_the_records_of_its_zone(tmp_path):
    write(tmp_path, {"octodns.yaml": CONFIG + "  example.net.:\n    alias: example.com.\n",
                     "zones/example.com.yaml": "_dmarc:\n  type: TXT\n  value: v=DMARC1\\; p=none\n"})
    model, read = load(tmp_path)
    assert problems(model) == []
    assert [(r.name, r.zone, r.loc.line) for r in model.dns_records] == [
        ("_dmarc.example.com.", "octodns.yaml:example.com.", 1),
        ("_dmarc.example.net.", "octodns.yaml:example.net.", 1)]
    assert read == [os.path.realpath(tmp_path / "zones/example.com.yaml")]


def test_split_zones_and_a_shared_file(tmp_path):
    config = CONFIG.replace("    default_ttl: 600\n",
                            "    split_extension: .\n    disable_zonefile: true\n    shared_filename: shared.yaml\n")
    write(tmp_path, {"octodns.yaml": config,
                     "zones/example.com./$example.com.yaml": "'':\n  type: TXT\n  value: v=spf1 -all\n",
                     "zones/example.com./_dmarc.yaml": "_dmarc:\n  type: TXT\n  value: v=DMARC1\\; p=none\n",
                     "zones/example.com.yaml": "ignored:\n  type: A\n  value: 192.0.2.9\n",
                     "zones/shared.yaml": "_mta-sts:\n  type: TXT\n  value: v=STSv1\\; id=1\n"})
    model, read = load(tmp_path)
    assert problems(model) == []
    assert [(r.file, r.name, r.values, r.ttl) for r in model.dns_records] == [
        ("zones/example.com./$example.com.yaml", "example.com.", [("v=spf1 -all",)], 3600),
        ("zones/example.com./_dmarc.yaml", "_dmarc.example.com.", [("v=DMARC1; p=none",)], 3600),
        ("zones/shared.yaml", "_mta-sts.example.com.", [("v=STSv1; id=1",)], 3600)]
    assert len(read) == 3


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------


def test_malformed_records_are_reported_and_skipped(tmp_path):
    write(tmp_path, {"octodns.yaml": CONFIG, "zones/example.com.yaml": """\
        notype:
          value: 192.0.2.1
        novalue:
          type: A
        listed:
          - 192.0.2.1
        www:
          type: A
          value: 192.0.2.1
        """})
    model, _ = load(tmp_path)
    assert [r.name for r in model.dns_records] == ["www.example.com."]
    file = "zones/example.com.yaml"
    assert problems(model) == [(file, "record 'notype' is not a mapping with a type", 1),
                               (file, "A record 'novalue' has no value", 3),
                               (file, "record 'listed' is not a mapping with a type", 6)]


def test_yaml_errors_are_reported_with_their_line(tmp_path):
    write(tmp_path, {"octodns.yaml": CONFIG, "zones/example.com.yaml": "www:\n  type: A\n  value: [1\n"})
    model, read = load(tmp_path)
    assert read == [os.path.realpath(tmp_path / "zones/example.com.yaml")]
    [(file, message, line)] = problems(model)
    assert (file, line) == ("zones/example.com.yaml", 4)
    assert message.startswith("cannot parse octoDNS zone file: YAML syntax error")

    write(tmp_path, {"octodns.yaml": "providers: {}\nzones: [\n"})
    model, read = load(tmp_path)
    assert read == [] and problems(model)[0][0] == "octodns.yaml"
    assert problems(model)[0][1].startswith("cannot parse octoDNS config: YAML syntax error")


def test_an_unknown_source_and_a_zone_without_dot_are_reported(tmp_path):
    write(tmp_path, {"octodns.yaml": CONFIG.replace("      - config\n", "      - config\n      - cfg\n")
                     + "  example.org:\n    sources: [config]\n",
                     "zones/example.com.yaml": "www:\n  type: A\n  value: 192.0.2.1\n"})
    model, _ = load(tmp_path)
    assert [r.name for r in model.dns_records] == ["www.example.com."]
    assert problems(model) == [
        ("octodns.yaml", "source cfg is not a provider of the config", 16),
        ("octodns.yaml", "zone example.org does not end with a dot, as octoDNS requires; not analyzed", 19)]


def test_an_alias_of_no_zone_and_a_config_of_another_shape_are_reported(tmp_path):
    write(tmp_path, {"octodns.yaml": CONFIG + "  example.net.:\n    alias: example.org.\n",
                     "zones/example.com.yaml": "www:\n  type: A\n  value: 192.0.2.1\n"})
    model, _ = load(tmp_path)
    assert [z.name for z in model.dns_zones] == ["example.com."]
    assert problems(model) == [
        ("octodns.yaml", "zone example.net. is an alias of example.org., which is not a zone of the config", 18)]

    write(tmp_path, {"octodns.yaml": "providers:\n  c:\n    class: octodns.provider.yaml.YamlProvider\n"
                                     "zones:\n  - example.com.\n"})
    model, read = load(tmp_path)
    assert read == [] and model.dns_zones == []
    assert problems(model) == [("octodns.yaml", "not an octoDNS config: it needs a providers and a zones mapping", 1)]


def test_an_empty_zone_file_has_no_records(tmp_path):
    write(tmp_path, {"octodns.yaml": CONFIG, "zones/example.com.yaml": "---\n"})
    model, read = load(tmp_path)
    assert problems(model) == [] and model.dns_records == [] and len(read) == 1


# ---------------------------------------------------------------------------
# Recognition
# ---------------------------------------------------------------------------


def test_recognised_by_content():
    assert looks_like_octodns_config(CONFIG)
    assert looks_like_octodns_config("zones:\n  '*': {sources: [c]}\nproviders:\n  c:\n"
                                     "    class: 'octodns_bind.ZoneFileProvider'\n")


@pytest.mark.parametrize("text", [
    "services:\n  web:\n    image: nginx\n",
    "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Zone:\n    Type: AWS::Route53::HostedZone\n",
    "providers:\n  aws:\n    class: terraform\nzones:\n  - example.com\n",
    "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n",
    "config:\n  providers:\n    x:\n      class: octodns.provider.yaml.YamlProvider\n  zones: {}\n",
    "# providers:\n# zones:\n#   class: octodns.provider.yaml.YamlProvider\n",
])
def test_other_yaml_is_not_claimed(text):
    assert not looks_like_octodns_config(text)
