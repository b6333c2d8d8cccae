"""Terraform loading: parse HCL, evaluate modules, fill the model."""
