import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()


@pytest.fixture
def corpus():
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared corpus is missing at {CORPUS}")
        pytest.skip("the shared corpus is not next to this checkout")
    return CORPUS
