"""SES103 (checks/ses103_identity_policy_service_without_source.py) for checkov, on Terraform and CloudFormation."""

from analyzer.checkov_checks._convert import CloudFormationCheck, TerraformCheck

terraform_check = TerraformCheck(__file__)
cloudformation_check = CloudFormationCheck(__file__)
