"""How verify reads stored payloads: each distinct text written once as compact JSON, the memo
emptied at its limit, every answer that of parsing the text afresh."""

from __future__ import annotations

import json

from workflow.chain import compact_json
from workflow.services.verify_reading import memo_payload_json


def test_each_stored_payload_is_written_as_parsing_it_afresh_would() -> None:
    payload_json = memo_payload_json(limit=2)
    texts = ['{"b": 1, "a": "\\u6574\\u6539"}', "{}", '{"to_body": {"id": 7}}', None,
             '{"b": 1, "a": "\\u6574\\u6539"}', "{}", ' {"x": [1, 2.5, null]}']
    for stored in texts * 2:  # the memo fills, empties and fills again
        expected = "null" if stored is None else compact_json(json.loads(stored))
        assert payload_json(stored) == expected
    assert payload_json('{"b": 1, "a": "\\u6574\\u6539"}') == '{"a":"整改","b":1}'
