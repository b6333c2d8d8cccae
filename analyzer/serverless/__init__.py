"""Serverless Framework services (serverless.yml) into the model."""
