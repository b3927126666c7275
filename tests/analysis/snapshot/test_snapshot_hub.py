"""The whole Hub's tallies: how a Space's hardware is classed."""

from __future__ import annotations

import pytest

from analysis.snapshot.hub import hardware_class


@pytest.mark.parametrize(
    ("hardware", "kind"),
    [
        ("cpu-basic", "CPU"),
        ("cpu-upgrade", "CPU"),
        ("zero-a10g", "ZeroGPU"),
        ("t4-small", "T4"),
        ("t4-medium", "T4"),
        ("a10g-large", "A10G"),
        ("a100-large", "A100"),
        ("l4x1", "L4"),
        ("l40sx4", "L40S"),
        ("h100x8", "H100"),
        ("<b>x</b>", "<B>"),
    ],
)
def test_hardware_is_cpu_or_its_gpu_kind(hardware: str, kind: str) -> None:
    assert hardware_class(hardware) == kind
