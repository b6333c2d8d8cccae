"""Pulumi YAML programs (Pulumi.yaml and its stack files) into the model."""
