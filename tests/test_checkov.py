"""sesguard's rules inside checkov: analyzer/checkov_checks, run by a real checkov.

checkov cannot share an environment with python-hcl2, so it has its own:
``SESGUARD_CHECKOV`` names its executable, in an environment where sesguard
is installed without its dependencies (``pip install --no-deps .``). Without
it these tests are skipped, except under ``CI=true``, where they fail.

The checks run from this checkout (``PYTHONPATH``), so the code under review
is what is tested; ``test_installed_checks_dir`` checks that the installed
package ships the same checks where ``sesguard checkov-checks-dir`` says.

The expected results are, per fixture and resource, the results of SES101,
SES102 and SES103. checkov leaves UNKNOWN results out of its report, so a
policy checkov cannot render has no entry at all.
"""

import json
import os
import pathlib
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import FIXTURES, REPO

CHECKS_DIR = REPO / "analyzer" / "checkov_checks"
RULES = ("SES101", "SES102", "SES103")
F, P, S = "FAILED", "PASSED", "SKIPPED"
U = "UNKNOWN"  # absent from checkov's report

TERRAFORM = {
    # checkov renders the policy: the rules decide
    "SES101/jsonencode": {"aws_ses_identity_policy.open": (F, P, P)},
    "SES101/heredoc": {"aws_ses_identity_policy.open": (F, P, P)},
    "SES101/sesv2": {"aws_sesv2_email_identity_policy.p": (F, P, P)},
    "SES101/locals": {"aws_ses_identity_policy.p[0]": (F, P, P), "aws_ses_identity_policy.p[1]": (F, P, P)},
    "SES101/for_each": {'aws_ses_identity_policy.p["a.example.com"]': (P, F, P),
                        'aws_ses_identity_policy.p["b.example.com"]': (F, P, P)},
    "SES101/network_condition": {"aws_ses_identity_policy.p": (F, P, P)},
    "SES102/account": {"aws_ses_identity_policy.p": (P, F, P)},
    "SES103/service_no_source": {"aws_sesv2_email_identity_policy.p": (P, P, F)},
    "SES103/service_spanning_source": {"aws_ses_identity_policy.p": (F, P, P)},
    # data.aws_caller_identity, left unresolved by checkov, is the owner account
    "SES101/negative_owner": {"aws_ses_identity_policy.p": (P, P, P)},
    "SES101/negative_org_condition": {"aws_ses_identity_policy.p": (P, P, P)},
    "SES101/negative_deny_outside_org": {"aws_ses_identity_policy.p": (P, P, P)},
    # checkov's own suppression comment works with sesguard's ids
    "SES004/checkov_and_valid": {"aws_ses_identity_policy.partner": (P, S, P),
                                 "aws_ses_identity_policy.sandbox": (F, P, P)},
    # checkov does not render data.aws_iam_policy_document: UNKNOWN
    "SES101/policy_document": {},
    "SES101/module_call": {},
    "SES102/org_condition": {},
    # nor file(), templatefile(), a jsonencode() around interpolations
    "SES101/file_json": {},
    "SES101/templatefile": {},
    "SES103/service_with_source": {},
    # a principal known only after apply: UNKNOWN
    "SES003/after_apply_principal": {},
    # count = 0: checkov's own UNKNOWN
    "SES101/inactive": {},
}

CLOUDFORMATION = {
    "SES101/jsonencode_cfn_yaml": {"Custom::AWS.IdentityPolicy": (F, P, P)},
    "SES101/sesv2_cfn_json": {"Custom::AWS.IdentityPolicy": (F, P, P)},
    "SES101/heredoc_cfn_json": {"Custom::IdentityPolicy.Open": (F, P, P)},
    "SES101/policy_document_cfn_yaml": {"Custom::IdentityPolicy.ExamplePolicy": (F, P, P)},
    "SES101/module_call_cfn_json": {"Custom::IdentityPolicy.MailPolicy": (F, P, P),
                                    "Custom::IdentityPolicy.MailSafePolicy": (P, P, P)},
    "SES102/account_cfn_yaml": {"Custom::IdentityPolicy.Policy": (P, F, P)},
    "SES103/service_no_source_cfn_yaml": {"Custom::IdentityPolicy.Policy": (P, P, F)},
    "SES103/service_with_source_cfn_json": {"Custom::IdentityPolicy.Policy": (P, P, P)},
    "SES101/negative_owner_cfn_yaml": {"Custom::AWS.IdentityPolicy": (P, P, P)},
    "SES101/negative_org_condition_cfn_json": {"Custom::IdentityPolicy.Policy": (P, P, P)},
    # Fn::GetAtt of a role: known only after apply
    "SES003/after_apply_principal_cfn_json": {},
    # a Condition that is false with the parameters' defaults
    "SES101/inactive_cfn_yaml": {},
}

TRUSTED = "SES102/account"  # scanned once more with SESGUARD_TRUSTED_ACCOUNTS=444455556666


@pytest.fixture(scope="module")
def checkov():
    path = os.environ.get("SESGUARD_CHECKOV")
    if not path:
        if os.environ.get("CI") == "true":
            pytest.fail("SESGUARD_CHECKOV is not set: CI must create the checkov environment")
        pytest.skip("SESGUARD_CHECKOV (a checkov executable whose environment has sesguard) is not set")
    return path


def _scan(checkov, root, framework, trusted=""):
    """``{fixture: {resource: (SES101, SES102, SES103 results)}}`` of one checkov run on ``root``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESGUARD_TRUSTED_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if trusted:
        env["SESGUARD_TRUSTED_ACCOUNTS"] = trusted
    run = subprocess.run(
        [checkov, "-d", str(root), "--external-checks-dir", str(CHECKS_DIR), "--framework", framework,
         "--check", ",".join(RULES), "--output", "json", "--skip-download"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 1), f"checkov exited {run.returncode}:\n{run.stderr[-3000:]}"
    assert "Cannot load external check" not in run.stderr, run.stderr[-3000:]
    output = json.loads(run.stdout)
    results = {}
    for report in output if isinstance(output, list) else [output]:
        for kind in ("failed", "passed", "skipped"):
            for record in report.get("results", {}).get(f"{kind}_checks", []):
                fixture = "/".join(pathlib.Path(record["file_abs_path"]).relative_to(root).parts[:2])
                found = results.setdefault(fixture, {}).setdefault(record["resource"], {})
                found[record["check_id"]] = kind.upper()
    return {fixture: {resource: tuple(found.get(rule, U) for rule in RULES) for resource, found in resources.items()}
            for fixture, resources in results.items()}


def _copy(fixtures, root):
    """A tree of only ``fixtures``: checkov scans it in one run (it takes seconds to start;
    several ``-d`` in one run repeat results, and a fixture that crashes checkov's own
    parser would stop the run)."""
    for fixture in fixtures:
        shutil.copytree(FIXTURES / fixture, root / fixture)
    return root


@pytest.fixture(scope="module")
def scans(checkov, tmp_path_factory):
    runs = {
        "terraform": (_copy(TERRAFORM, tmp_path_factory.mktemp("terraform")), "terraform", ""),
        "cloudformation": (_copy(CLOUDFORMATION, tmp_path_factory.mktemp("cloudformation")), "cloudformation", ""),
        "trusted": (_copy([TRUSTED], tmp_path_factory.mktemp("trusted")), "terraform", "444455556666"),
    }
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        return dict(zip(runs, pool.map(lambda run: _scan(checkov, *run), runs.values())))


@pytest.mark.parametrize("fixture", TERRAFORM)
def test_terraform(scans, fixture):
    assert scans["terraform"].get(fixture, {}) == TERRAFORM[fixture]


@pytest.mark.parametrize("fixture", CLOUDFORMATION)
def test_cloudformation(scans, fixture):
    assert scans["cloudformation"].get(fixture, {}) == CLOUDFORMATION[fixture]


def test_trusted_accounts_from_the_environment(scans):
    assert scans["trusted"] == {TRUSTED: {"aws_ses_identity_policy.p": (P, P, P)}}


def test_installed_checks_dir(checkov):
    """``sesguard checkov-checks-dir`` in checkov's environment names the installed checks."""
    sesguard = os.path.join(os.path.dirname(os.path.realpath(checkov)), "sesguard")
    run = subprocess.run([sesguard, "checkov-checks-dir"], capture_output=True, text=True, check=True)
    installed = run.stdout.strip()
    assert sorted(p for p in os.listdir(installed) if p.endswith(".py")) == \
        sorted(p.name for p in CHECKS_DIR.glob("*.py"))
