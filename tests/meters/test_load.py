"""Load-analysis primitives with the issue's appliances."""

from __future__ import annotations

import pytest

from custom_components.yunjing.meters.load import (
    AllowedLoad,
    PowerPoint,
    PowerSample,
    increment,
    is_overloaded,
    is_resistive_increment,
    is_whitelisted,
    overload_seconds,
)

# A room at rest: 300 W at PF 0.6 (fridge and standby): Q = 400 var.
AT_REST = PowerPoint(power_w=300, reactive_power_var=400)


def test_kettle_is_a_resistive_increment() -> None:
    kettle_on = PowerPoint(power_w=2_100, reactive_power_var=400)
    step = increment(AT_REST, kettle_on)
    assert step.delta_power_w == 1_800
    assert step.power_factor == 1.0
    assert is_resistive_increment(step, min_power_w=1_000, min_power_factor=0.95)


def test_air_conditioner_is_not_a_resistive_increment() -> None:
    # 1,200 W at PF 0.8 adds 900 var
    air_conditioner_on = PowerPoint(power_w=1_500, reactive_power_var=1_300)
    step = increment(AT_REST, air_conditioner_on)
    assert step.delta_power_w == 1_200
    assert step.power_factor == pytest.approx(0.8)
    assert not is_resistive_increment(step, min_power_w=1_000, min_power_factor=0.95)


def test_reactive_power_is_derived_from_power_factor_without_a_register() -> None:
    # EM115 DO has no reactive register: 300 W at PF 0.6 -> 400 var
    before = PowerPoint(power_w=300, power_factor=0.6)
    assert before.reactive_var == pytest.approx(400)
    # kettle on: 2,100 W, Q still 400 var -> PF 2100 / hypot(2100, 400) = 0.98234
    after = PowerPoint(power_w=2_100, power_factor=0.982339)
    step = increment(before, after)
    assert step.delta_power_w == 1_800
    assert step.power_factor == pytest.approx(1.0, abs=1e-3)
    assert is_resistive_increment(step, min_power_w=1_000, min_power_factor=0.95)
    # air conditioner on: 1,500 W with 1,300 var -> PF 1500 / hypot(1500, 1300) = 0.75568
    air_conditioner = increment(
        before, PowerPoint(power_w=1_500, power_factor=0.755689)
    )
    assert air_conditioner.power_factor == pytest.approx(0.8, abs=1e-3)
    assert not is_resistive_increment(
        air_conditioner, min_power_w=1_000, min_power_factor=0.95
    )


def test_small_resistive_step_is_below_the_minimum() -> None:
    step = increment(AT_REST, PowerPoint(power_w=900, reactive_power_var=400))
    assert step.power_factor == 1.0
    assert not is_resistive_increment(step, min_power_w=1_000, min_power_factor=0.95)


@pytest.mark.parametrize(
    ("delta_power_w", "allowed"),
    [(550, True), (495, True), (605, True), (494, False), (606, False), (1_800, False)],
)
def test_whitelist_550_w_plus_minus_10_percent(
    delta_power_w: float, allowed: bool
) -> None:
    rice_cooker = AllowedLoad(power_w=550, tolerance=0.10)
    assert is_whitelisted(delta_power_w, [rice_cooker]) is allowed


def _samples(*points: tuple[float, float]) -> list[PowerSample]:
    return [PowerSample(at=at, power_w=power) for at, power in points]


def test_overload_needs_the_full_duration() -> None:
    samples = _samples((0, 1_000), (10, 3_000), (20, 3_200), (40, 3_100))
    assert overload_seconds(samples, limit_w=2_500) == 30
    assert not is_overloaded(samples, limit_w=2_500, min_seconds=31)
    assert is_overloaded(samples, limit_w=2_500, min_seconds=30)


def test_a_dip_below_the_limit_restarts_the_overload() -> None:
    samples = _samples((0, 3_000), (30, 3_000), (40, 2_000), (50, 3_000), (60, 3_000))
    assert overload_seconds(samples, limit_w=2_500) == 10
    assert not is_overloaded(samples, limit_w=2_500, min_seconds=20)


def test_power_at_the_limit_is_not_above_it() -> None:
    samples = _samples((0, 2_500), (60, 2_500))
    assert overload_seconds(samples, limit_w=2_500) == 0
    assert not is_overloaded(samples, limit_w=2_500, min_seconds=0)
    assert not is_overloaded([], limit_w=2_500, min_seconds=0)
