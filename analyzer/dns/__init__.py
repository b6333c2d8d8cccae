"""DNS records and email authentication: SPF, DMARC, DKIM, zone files, live resolution."""
