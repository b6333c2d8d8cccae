"""Where ``terraform init`` put the downloaded modules: ``.terraform/modules/modules.json``."""

from __future__ import annotations

import json
import os

from analyzer.files import MAX_FILE_SIZE, open_regular


def read_modules_json(root_dir: str) -> dict:
    """``.terraform/modules/modules.json``: module key -> directory (relative to
    the root). A file that is missing, not a regular file, malformed or nested
    past what ``json`` decodes is no module directory (its modules are then
    reported as not downloaded); a directory holding a NUL byte names none."""
    path = os.path.join(root_dir, ".terraform", "modules", "modules.json")
    try:
        with open_regular(path) as f:
            data = json.loads(f.read(MAX_FILE_SIZE + 1).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    result = {}
    for module in data.get("Modules", []) if isinstance(data, dict) and isinstance(data.get("Modules"), list) else []:
        if isinstance(module, dict) and isinstance(module.get("Key"), str) and module["Key"] \
                and isinstance(module.get("Dir"), str) and "\x00" not in module["Dir"]:
            result[module["Key"]] = module["Dir"]
    return result
