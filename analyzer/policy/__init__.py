"""IAM policy documents for SES identities: parsing, wildcard matching and
the who-can-send verdict."""
