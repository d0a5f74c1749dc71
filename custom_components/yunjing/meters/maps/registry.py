"""The register map of each model id in models.MODELS."""

from __future__ import annotations

from . import MeterMap
from .chint import DDSU666, DTSU666
from .eastron import SDM120, SDM630
from .fineco import EM115_DO
from .hiking import DDS238_2

MAPS: dict[str, MeterMap] = {
    "sdm120": SDM120,
    "sdm630": SDM630,
    "ddsu666": DDSU666,
    "dtsu666": DTSU666,
    "dds238_2": DDS238_2,
    "em115_do": EM115_DO,
}
