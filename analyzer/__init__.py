"""sesguard: finds exposed and misconfigured Amazon SES identities in infrastructure code."""

__version__ = "0.2.0"
