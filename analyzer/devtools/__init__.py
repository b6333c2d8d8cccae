"""Tools for sesguard's own development (generated documentation); not used by a scan."""
