"""Content hashes: a stable sha256 of JSON-able data."""

import hashlib
import json
from typing import Any


def digest(data: Any) -> str:
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()
