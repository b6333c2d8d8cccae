"""CloudFormation loading: templates (YAML/JSON, CDK output) into the model."""
