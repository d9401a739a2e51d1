import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from genls.server.convert import offset_at, position_at

UTF16 = types.PositionEncodingKind.Utf16
UTF8 = types.PositionEncodingKind.Utf8


def pos(line, character):
    return types.Position(line=line, character=character)


def test_utf16_units_for_astral_characters():
    text = 'x="😋"\nnext'
    assert offset_at(text, pos(0, 5), UTF16) == 4  # after the emoji: 2 UTF-16 units
    assert offset_at(text, pos(0, 7), UTF8) == 4  # 4 UTF-8 bytes
    assert position_at(text, 4, UTF16) == pos(0, 5)


def test_character_past_line_end_means_line_end():
    text = "abc\r\ndef"
    assert offset_at(text, pos(0, 99), UTF16) == 3
    assert offset_at(text, pos(1, 99), UTF16) == len(text)


def test_line_past_end_is_an_error():
    with pytest.raises(JsonRpcInvalidParams, match="past the end"):
        offset_at("one line", pos(5, 0), UTF16)
