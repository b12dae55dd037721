"""Servers and helpers the tests share."""
