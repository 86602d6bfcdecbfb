"""Gettext catalogs of the page chrome (en, ru, ja), managed with Babel.

This folder sits at the top of the repository and is shipped inside the
installed package as ``tandem.locales`` (see ``package-dir`` in pyproject.toml).
"""
