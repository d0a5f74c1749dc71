"""meters/ brings its facts into code: nothing reads the shared reference data.

(That it never imports Home Assistant is enforced by tests/test_layering.py.)
"""

from __future__ import annotations

from pathlib import Path

import custom_components.yunjing.meters as meters_package

METERS = Path(meters_package.__file__).parent


def test_meters_never_read_the_shared_reference_data() -> None:
    sources = sorted(METERS.rglob("*.py")) + sorted(METERS.rglob("*.yaml"))
    assert len(sources) > 10
    assert [path for path in sources if "/work/shared" in path.read_text("utf-8")] == []
