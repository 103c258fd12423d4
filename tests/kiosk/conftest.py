"""The domain tests' community, in memory (tests/memory_store.py), with a clock the tests
move by hand: no file, no fsync, no key derivation (tests/community.py)."""
from __future__ import annotations

import pytest

from tests.community import START, Community, in_memory, local, resident_world

__all__ = ["START", "local"]


@pytest.fixture
def world() -> Community:
    return resident_world(in_memory())
