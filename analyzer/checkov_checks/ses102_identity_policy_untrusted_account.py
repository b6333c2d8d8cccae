"""SES102 (checks/ses102_identity_policy_untrusted_account.py) for checkov, on Terraform and CloudFormation."""

from analyzer.checkov_checks._convert import CloudFormationCheck, TerraformCheck

terraform_check = TerraformCheck(__file__)
cloudformation_check = CloudFormationCheck(__file__)
