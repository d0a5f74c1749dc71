"""Golden decoding vectors: fixed words in, hand-computed values out."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st
from modbus_connection.model import RegisterField, float32, uint32
import pytest

from custom_components.yunjing.meters.maps.fineco import RELAY, relay_key
from custom_components.yunjing.meters.maps.registry import MAPS
from custom_components.yunjing.meters.reading import Reading


def test_uint32_low_word_first() -> None:
    field = uint32(0, word_order="little")
    assert field.decode([0x4ACE, 0x0000]) == 19_150


def test_uint32_high_word_first_is_not_low_word_first() -> None:
    field = uint32(0)
    assert field.decode([0x4ACE, 0x0000]) == 1_255_014_400


def test_float32_low_word_first() -> None:
    assert float32(0, word_order="little").decode([0x0000, 0x3F80]) == 1.0


def test_float32_high_word_first() -> None:
    assert float32(0).decode([0x3F80, 0x0000]) == 1.0


def _decode(model_id: str, words: dict[int, list[int]]) -> Reading:
    """Decode a model's fields from words keyed by register address."""
    registers = MAPS[model_id].registers
    values = {
        name: field.decode(words[field.address])
        for name, field in registers.declared_fields.items()
    }
    return MAPS[model_id].decode(values)


# 230.0 V = 0x4366_0000, 10.0 A = 0x4120_0000, 1840.0 = 0x44E6_0000,
# 1380.0 = 0x44AC_8000, 0.8 = 0x3F4C_CCCD, 50.0 = 0x4248_0000,
# 12345.6 kWh = 0x4640_E666, 1.5 kWh = 0x3FC0_0000.
SINGLE_PHASE_FLOATS = {
    "voltage": [0x4366, 0x0000],
    "current": [0x4120, 0x0000],
    "power": [0x44E6, 0x0000],
    "reactive_power": [0x44AC, 0x8000],
    "power_factor": [0x3F4C, 0xCCCD],
    "frequency": [0x4248, 0x0000],
    "import_energy": [0x4640, 0xE666],
    "export_energy": [0x3FC0, 0x0000],
}


@pytest.mark.parametrize(
    ("model_id", "addresses"),
    [
        (
            "sdm120",
            {
                "voltage": 0x00,
                "current": 0x06,
                "power": 0x0C,
                "reactive_power": 0x18,
                "power_factor": 0x1E,
                "frequency": 0x46,
                "import_energy": 0x48,
                "export_energy": 0x4A,
            },
        ),
    ],
)
def test_sdm120_golden(model_id: str, addresses: dict[str, int]) -> None:
    words = {addresses[name]: value for name, value in SINGLE_PHASE_FLOATS.items()}
    assert _decode(model_id, words) == Reading(
        voltage_v=230.0,
        current_a=10.0,
        power_w=1840.0,
        reactive_power_var=1380.0,
        power_factor=0.8,
        frequency_hz=50.0,
        import_wh=12_345_600,
        export_wh=1_500,
    )


def test_ddsu666_power_is_in_kilowatts() -> None:
    # 1.84 kW = 0x3FEB_851F, 1.38 kvar = 0x3FB0_A3D7, 0.145 kW = 0x3E14_7AE1
    words = {
        0x2000: [0x4366, 0x0000],
        0x2002: [0x4120, 0x0000],
        0x2004: [0x3E14, 0x7AE1],
        0x2006: [0x3FB0, 0xA3D7],
        0x200A: [0x3F4C, 0xCCCD],
        0x200E: [0x4248, 0x0000],
        0x4000: [0x4640, 0xE666],
        0x400A: [0x0000, 0x0000],
    }
    reading = _decode("ddsu666", words)
    assert reading.power_w == 145.0
    assert reading.reactive_power_var == 1380.0
    assert reading.import_wh == 12_345_600


def test_dtsu666_raw_units() -> None:
    # 2301.0 (0.1 V) = 0x450F_D000, 12500.0 mA = 0x4643_5000,
    # 69000.0 (0.1 W) = 0x4786_C400, 51750.0 (0.1 var) = 0x474A_2600,
    # 800.0 (PF x1000) = 0x4448_0000, 4999.0 (0.01 Hz) = 0x459C_3800
    words = {
        0x2006: [0x450F, 0xD000],
        0x2008: [0x450F, 0xD000],
        0x200A: [0x450F, 0xD000],
        0x200C: [0x4643, 0x5000],
        0x200E: [0x0000, 0x0000],
        0x2010: [0x0000, 0x0000],
        0x2012: [0x4786, 0xC400],
        0x201A: [0x474A, 0x2600],
        0x202A: [0x4448, 0x0000],
        0x2044: [0x459C, 0x3800],
        0x101E: [0x4640, 0xE666],
        0x1028: [0x0000, 0x0000],
    }
    assert _decode("dtsu666", words) == Reading(
        voltage_v=230.1,
        current_a=12.5,
        power_w=6900.0,
        reactive_power_var=5175.0,
        power_factor=0.8,
        frequency_hz=49.99,
        import_wh=12_345_600,
        export_wh=0,
    )


def test_dds238_integer_registers() -> None:
    # 0.01 kWh counters, 0.1 V, 0.01 A, W, var, PF x1000, 0.01 Hz, relay 1 = on
    words = {
        0x08: [0x0000, 0x0096],  # 150 -> 1.50 kWh
        0x0A: [0x0001, 0x2345],  # 74,565 -> 745.65 kWh
        0x0C: [2301],
        0x0D: [1000],
        0x0E: [0xFF9C],  # -100 W: exporting
        0x0F: [1380],
        0x10: [800],
        0x11: [4999],
        0x1A: [1],
    }
    assert _decode("dds238_2", words) == Reading(
        voltage_v=230.1,
        current_a=10.0,
        power_w=-100.0,
        reactive_power_var=1380.0,
        power_factor=0.8,
        frequency_hz=49.99,
        import_wh=745_650,
        export_wh=1_500,
        relay_closed=True,
    )


def test_em115_relay_patterns_and_key() -> None:
    assert RELAY.decode(0x5555) is True
    assert RELAY.decode(0xAAAA) is False
    assert RELAY.decode(0x8888) is None
    # serial 0x12345678: (0x12 + 0x123456) & 0x1234 = 0x123468 & 0x1234 = 0x1020
    assert relay_key(0x12345678) == 0x1020
    assert RELAY.command(False, 0x12345678) == [0x1020, 0xAAAA]


@settings(max_examples=100, deadline=None)
@given(
    model_id=st.sampled_from(sorted(MAPS)),
    power_w=st.integers(min_value=0, max_value=9_000),
    import_wh=st.integers(min_value=0, max_value=99_999_990).map(
        lambda wh: wh - wh % 10
    ),
    relay_closed=st.booleans(),
)
def test_simulator_encoding_and_driver_decoding_agree(
    model_id: str, power_w: int, import_wh: int, relay_closed: bool
) -> None:
    """The simulator writes registers with the same map the driver reads."""
    meter_map = MAPS[model_id]
    sent = Reading(
        voltage_v=230.0,
        current_a=power_w / 230.0,
        power_w=float(power_w),
        reactive_power_var=0.0,
        power_factor=1.0,
        frequency_hz=50.0,
        import_wh=import_wh,
        export_wh=0,
        relay_closed=relay_closed,
    )
    values = meter_map.encode(sent)
    fields = {
        name: field
        for name, field in meter_map.registers.declared_fields.items()
        if isinstance(field, RegisterField)
    }
    got = meter_map.decode(
        {
            name: field.decode(field.encode(values[name]))
            for name, field in fields.items()
        }
    )
    assert got.power_w == power_w
    assert got.voltage_v == 230.0
    assert got.frequency_hz == 50.0
    assert got.import_wh is not None
    # float32 keeps 7 significant digits: 99,999.99 kWh is within 8 Wh
    assert abs(got.import_wh - import_wh) <= 8
    assert got.current_a is not None
    assert abs(got.current_a - power_w / 230.0) <= 0.005  # 0.01 A registers round
    assert got.relay_closed == (relay_closed if meter_map.relay else None)
