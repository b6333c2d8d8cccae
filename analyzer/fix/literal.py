"""Fixes that are a literal edit: a value replaced where it is written,
or a missing attribute added to its resource.

SES301 TLS policy Optional → Require; SES304 reputation metrics on;
SES213 next DKIM key RSA_2048_BIT; SES231 ``p=none``/``sp=none`` →
``quarantine``; SES233 ``rua=`` added (only with a configured address).
The value is looked for in the finding's span first, then at each step of
its trace, the origin first; when it is in none of them (it comes from an
expression, or from another repository), the fix is refused.
"""

from __future__ import annotations

import re

from analyzer.fix import Edit, Fix, lines_of, refuse


def _places(finding):
    """``(file, first line, last line, at the origin)`` where the value may be
    written: the finding's span, then its trace from the origin."""
    loc = finding.location
    if loc and loc.file and loc.line > 0:
        yield loc.file, loc.line, max(loc.end_line, loc.line), False
    for step in finding.trace:
        yield step.file, step.line, step.line, True


def _replace(finding, settings, pattern: re.Pattern, replacement, description: str, why_not: str,
             origin: re.Pattern = None) -> Fix:
    """Replace the first match of ``pattern`` (its group ``value``) in the
    places of the finding with ``replacement(match)``; along the trace,
    where the value stands without its attribute, ``origin`` is matched."""
    for file, first, last, traced in _places(finding):
        lines = lines_of(settings, file)
        if lines is None:
            continue
        for number in range(first, min(last, len(lines)) + 1):
            match = ((origin or pattern) if traced else pattern).search(lines[number - 1])
            if match:
                start, end = match.span("value")
                return Fix(description, (Edit(file, number, start + 1, number, end + 1, replacement(match)),))
    return refuse(description, why_not)


def _same_case(written: str, word: str) -> str:
    if written.isupper():
        return word.upper()
    if written[:1].isupper():
        return word.capitalize()
    return word.lower()


def _resource_block(lines: list, loc):
    """``(indentation of the body, line number of the closing brace)`` of the
    HCL block that starts at ``loc``, when it ends on a line of its own."""
    end = loc.end_line
    if not (0 < loc.line <= end <= len(lines)) or lines[end - 1].strip() != "}":
        return None
    body = [l for l in lines[loc.line:end - 1] if l.strip()]
    indent = re.match(r"[ \t]*", body[0]).group(0) if body else "  "
    return indent, end


def _insert_hcl(finding, settings, description: str, block: str, attribute: str, inner: str) -> Fix:
    """Add ``inner`` (an attribute line) to the block ``block`` of the HCL
    resource, or the whole block when the resource has none."""
    loc = finding.location
    lines = lines_of(settings, loc.file) if loc else None
    if lines is None:
        return refuse(description, "the file cannot be read now")
    found = _resource_block(lines, loc)
    if found is None:
        return refuse(description, "the resource block does not end on a line of its own")
    indent, end = found
    if block:
        for number in range(loc.line + 1, end):
            if re.match(rf"\s*{block}\s*\{{\s*(#.*)?$", lines[number - 1]):
                if re.search(rf"\b{attribute}\b", "".join(lines[number:end - 1])):
                    return refuse(description, f"its {block} block sets {attribute} from an expression")
                inner_indent = re.match(r"[ \t]*", lines[number - 1]).group(0) + indent
                return Fix(description, (Edit(loc.file, number + 1, 1, number + 1, 1, f"{inner_indent}{inner}\n"),))
        added = f"{indent}{block} {{\n{indent}{indent}{inner}\n{indent}}}\n"
    else:
        added = f"{indent}{inner}\n"
    return Fix(description, (Edit(loc.file, end, 1, end, 1, added),))


def _insert_yaml(finding, settings, description: str, block: str, attribute: str, value: str) -> Fix:
    """Add ``block: {attribute: value}`` under the Properties of a
    CloudFormation YAML resource starting at the finding's line."""
    loc = finding.location
    lines = lines_of(settings, loc.file) if loc else None
    if lines is None or not loc.file.endswith((".yaml", ".yml", ".template")):
        return refuse(description, "only CloudFormation YAML templates are edited for this rule")
    base = len(lines[loc.line - 1]) - len(lines[loc.line - 1].lstrip())
    for number in range(loc.line + 1, len(lines) + 1):
        line = lines[number - 1]
        indent = len(line) - len(line.lstrip())
        if line.strip() and indent <= base:
            break
        if line.strip() == "Properties:":
            children = next((l for l in lines[number:] if l.strip()), "")
            child = " " * (len(children) - len(children.lstrip()))
            if len(child) <= indent:
                break
            step = " " * (len(child) - indent)
            for later in range(number + 1, len(lines) + 1):
                nested = lines[later - 1]
                if nested.strip() and len(nested) - len(nested.lstrip()) < len(child):
                    break
                if nested.rstrip() == f"{child}{block}:":
                    return Fix(description, (Edit(loc.file, later + 1, 1, later + 1, 1,
                                                  f"{child}{step}{attribute}: {value}\n"),))
            return Fix(description, (Edit(loc.file, number + 1, 1, number + 1, 1,
                                          f"{child}{block}:\n{child}{step}{attribute}: {value}\n"),))
    return refuse(description, "the resource has no Properties block to add to")


def _ses301(finding, resources, model, context, settings) -> Fix:
    description = "require TLS for delivery"
    resource = resources[0] if resources else None
    if resource is not None and resource.tls_policy is None:
        if resource.source_format == "terraform":
            word = "Require" if resource.type == "aws_ses_configuration_set" else "REQUIRE"
            return _insert_hcl(finding, settings, description, "delivery_options", "tls_policy",
                               f'tls_policy = "{word}"')
        if resource.source_format == "cloudformation":
            return _insert_yaml(finding, settings, description, "DeliveryOptions", "TlsPolicy", "REQUIRE")
        return refuse(description, "a plan is generated: fix the Terraform it came from")
    pattern = re.compile(r"""(?i)\b(tls_policy|TlsPolicy)["']?\s*[=:]\s*["']?(?P<value>optional)\b""")
    return _replace(finding, settings, pattern, lambda m: _same_case(m.group("value"), "require"), description,
                    "the TLS policy is not written as a literal here or where its value comes from",
                    re.compile(r"""(?i)["'](?P<value>optional)["']"""))


def _ses304(finding, resources, model, context, settings) -> Fix:
    description = "enable reputation metrics"
    resource = resources[0] if resources else None
    if resource is not None and resource.reputation_metrics is None:
        if resource.source_format == "terraform":
            if resource.type == "aws_ses_configuration_set":
                return _insert_hcl(finding, settings, description, "", "reputation_metrics_enabled",
                                   "reputation_metrics_enabled = true")
            return _insert_hcl(finding, settings, description, "reputation_options", "reputation_metrics_enabled",
                               "reputation_metrics_enabled = true")
        if resource.source_format == "cloudformation":
            return _insert_yaml(finding, settings, description, "ReputationOptions", "ReputationMetricsEnabled",
                                "true")
        return refuse(description, "a plan is generated: fix the Terraform it came from")
    pattern = re.compile(r"""(?i)\b(reputation_metrics_enabled|ReputationMetricsEnabled)["']?\s*[=:]\s*"""
                         r"""(?P<value>["']?false["']?)""")
    return _replace(finding, settings, pattern, lambda m: m.group("value").replace("false", "true").replace(
        "False", "True").replace("FALSE", "TRUE"), description,
        "reputation metrics are not switched off by a literal here or where the value comes from",
        re.compile(r"(?i)(?<![\w.])(?P<value>false)\b"))


def _ses213(finding, resources, model, context, settings) -> Fix:
    description = "make the next DKIM signing key 2048-bit"
    if finding.logical_path != "dkim_key_length":
        return refuse("replace the BYODKIM key", "a new 2048-bit key pair has to be generated and its private "
                      "key kept secret: sesguard does not write keys")
    pattern = re.compile(r"(?P<value>RSA_1024_BIT)")
    return _replace(finding, settings, pattern, lambda m: "RSA_2048_BIT", description,
                    "the key length is not written as a literal here or where its value comes from")


def _ses231(finding, resources, model, context, settings) -> Fix:
    code = finding.logical_path.rpartition("/")[2]
    tag = {"p-none": "p", "sp-none": "sp", "np-none": "np"}.get(code)
    if tag is None:
        return refuse("enforce DMARC", f"the record is not enforced for another reason ({code}): "
                      "edit it by hand")
    description = f"set {tag}=quarantine"
    pattern = re.compile(rf"(?i)(?<![a-z]){tag}\s*=\s*(?P<value>none)\b")
    return _replace(finding, settings, pattern, lambda m: "quarantine", description,
                    f"{tag}=none is not written as a literal here or where the record comes from")


def _ses233(finding, resources, model, context, settings) -> Fix:
    description = "add a rua tag"
    if not settings.dmarc_rua:
        return refuse(description, "which mailbox receives the aggregate reports is yours to choose: "
                      "give it with `sesguard fix --dmarc-rua mailto:ADDRESS`")
    pattern = re.compile(r"""(?i)v\s*=\s*DMARC1[^"'\n]*?(?P<value>)\s*;?\s*(?=\\?["'])""")
    return _replace(finding, settings, pattern, lambda m: f"; rua={settings.dmarc_rua}", description,
                    "the DMARC record is not written as a literal here or where it comes from")


FIXERS = {"SES301": _ses301, "SES304": _ses304, "SES213": _ses213, "SES231": _ses231, "SES233": _ses233}
