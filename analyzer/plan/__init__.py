"""Terraform plan loading: ``terraform show -json`` output into the model."""
