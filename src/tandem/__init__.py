"""Tandem: offline translation and multilingual publishing pipeline."""

__version__ = "0.1.0"
