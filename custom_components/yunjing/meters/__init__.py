"""Device library: meter models, the shared bus, reading validation, load analysis and the simulator.

Imports no homeassistant (DESIGN.md section 1).
"""
