"""The one safe XML parser: no DTDs, no entities, no network."""

from __future__ import annotations

import pytest

from tandem.formats import xml as xmlsafe
from tandem.errors import InputError


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
    b'<!DOCTYPE a SYSTEM "http://example.com/a.dtd"><a/>',
    b'<!doctype a><a/>',
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'
    .encode("utf-16"),
])
def test_doctype_and_entity_declarations_are_refused(data):
    with pytest.raises(InputError, match="DOCTYPE"):
        xmlsafe.parse(data, "f.xml")


def test_malformed_xml_reports_the_line():
    with pytest.raises(InputError) as info:
        xmlsafe.parse(b"<a>\n<b>\n</a>", "f.xml")
    assert info.value.line == 3 and str(info.value).startswith("f.xml:3: not well-formed XML")


def test_undeclared_entities_are_not_expanded():
    with pytest.raises(InputError):
        xmlsafe.parse(b"<a>&nbsp;</a>", "f.xml")


def test_names_and_namespaces():
    root = xmlsafe.parse(b'<x:a xmlns:x="urn:x"><!-- c --><b/></x:a>', "f.xml")
    assert (xmlsafe.local_name(root), xmlsafe.namespace(root)) == ("a", "urn:x")
    assert [xmlsafe.local_name(c) for c in root] == ["", "b"]
    assert xmlsafe.namespace(root[1]) == ""
