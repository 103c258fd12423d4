"""Gatepost domain: cards, households, gate rules, verdicts, the checkpoint service. Pure Python."""
