"""Domain library: money, tariffs, billing periods, the ledger, protection policy and reports.

Imports no homeassistant; the clock is injected (DESIGN.md section 1).
"""
