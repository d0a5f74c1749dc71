"""Device library: meter models, the shared bus, reading validation, load analysis and the simulator.

Imports no homeassistant (DESIGN.md section 1).

- ``models``: ``Quantity``, ``MeterModel``, ``MODELS`` (stable model ids).
- ``maps``: each model's register map as code, shared by driver and simulator.
- ``reading``: ``Reading``, one decoded poll of a meter.
- ``bus``: ``BusSettings`` and ``Bus``, all meters of one gateway on one paced link.
- ``energy``: ``EnergyCounter``, cumulative readings to accepted integer-Wh deltas.
- ``load``: overload, resistive-increment and whitelist primitives.
- ``simulator``: a YAML-described building served over Modbus TCP and RTU over TCP.
"""
