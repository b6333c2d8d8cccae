"""Terragrunt: ``terragrunt.hcl`` units as deployments of the modules they name (``loader``), each
configuration evaluated with the Terraform evaluator and the Terragrunt functions (``config``)."""
