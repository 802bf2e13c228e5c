#!/usr/bin/env python3
"""The CBOR fixtures of tests/dots, checked with an independent encoder.

Each example is written twice by hand from RFC 9132: as the RFC's JSON, and
as the integer-keyed CBOR data model (the key table of RFC 9132 section 6).
Debian's cbor2 encodes the latter (canonical: shortest forms, keys sorted,
decimal fractions as tag 4); the committed fixtures/NAME.cbor.hex must be
exactly those bytes, and fixtures/NAME.json the RFC's JSON as libyang reads
a dots-signal structure (the message-type wrapper taken off, README of
shared/yang). Where the RFC prints the hex itself, it is compared too.

Usage: cbor_fixtures.py FIXTURE_DIR [--write]
"""
import json
import pathlib
import sys
from decimal import Decimal

import cbor2

SC = "ietf-dots-signal-channel"

# RFC 9132 section 4.4.1: the mitigation request, and its CBOR as the RFC
# prints it (the figure after the JSON one).
RFC_MITIGATION_REQUEST_HEX = (
    "a1 01 a1 02 81 a4 06 82 74 323030313a6462383a363430313a3a312f313238"
    " 74 323030313a6462383a363430313a3a322f313238 07 83 a1 08 18 50"
    " a1 08 19 01bb a1 08 19 1f90 0a 81 06 0e 19 0e10")

PREFIXES = ["2001:db8:6401::1/128", "2001:db8:6401::2/128"]


def config(hb_current):
    """A mitigating-config or idle-config with the RFC's ranges (4.5.1)."""
    return (
        {
            "heartbeat-interval": {"max-value": 240, "min-value": 15, "current-value": hb_current},
            "missing-hb-allowed": {"max-value": 20, "min-value": 3, "current-value": 15},
            "probing-rate": {"max-value": 20, "min-value": 5, "current-value": 5},
            "max-retransmit": {"max-value": 15, "min-value": 2, "current-value": 3},
            "ack-timeout": {"max-value-decimal": "30.00", "min-value-decimal": "1.00",
                            "current-value-decimal": "2.00"},
            "ack-random-factor": {"max-value-decimal": "4.00", "min-value-decimal": "1.10",
                                  "current-value-decimal": "1.50"},
        },
        {
            33: {35: 240, 34: 15, 36: hb_current},
            37: {35: 20, 34: 3, 36: 15},
            50: {35: 20, 34: 5, 36: 5},
            38: {35: 15, 34: 2, 36: 3},
            39: {42: Decimal("30.00"), 41: Decimal("1.00"), 43: Decimal("2.00")},
            40: {42: Decimal("4.00"), 41: Decimal("1.10"), 43: Decimal("1.50")},
        },
    )


def current_only():
    """A configuration carrying current values only (4.5.2's PUT)."""
    return (
        {
            "heartbeat-interval": {"current-value": 30},
            "missing-hb-allowed": {"current-value": 15},
            "max-retransmit": {"current-value": 3},
            "ack-timeout": {"current-value-decimal": "2.00"},
            "ack-random-factor": {"current-value-decimal": "1.50"},
        },
        {33: {36: 30}, 37: {36: 15}, 38: {36: 3}, 39: {43: Decimal("2.00")}, 40: {43: Decimal("1.50")}},
    )


mit_json, mit_cbor = config(30)
idle_json, idle_cbor = config(30)
cur_json, cur_cbor = current_only()

EXAMPLES = {
    # 4.4.1: a mitigation request (PUT).
    "mitigation_request": (
        {f"{SC}:mitigation-scope": {"scope": [{
            "target-prefix": PREFIXES,
            "target-port-range": [{"lower-port": 80}, {"lower-port": 443}, {"lower-port": 8080}],
            "target-protocol": [6],
            "lifetime": 3600}]}},
        {1: {2: [{6: PREFIXES, 7: [{8: 80}, {8: 443}, {8: 8080}], 10: [6], 14: 3600}]}},
    ),
    # 4.4.1: lifetime -1 asks for an indefinite mitigation (a negative integer).
    "mitigation_request_indefinite": (
        {f"{SC}:mitigation-scope": {"scope": [{
            "target-prefix": ["2001:db8:6401::1/128"],
            "target-port-range": [{"lower-port": 1000, "upper-port": 2000}],
            "target-protocol": [17],
            "lifetime": -1,
            "trigger-mitigation": False}]}},
        {1: {2: [{6: ["2001:db8:6401::1/128"], 7: [{8: 1000, 9: 2000}], 10: [17], 14: -1, 45: False}]}},
    ),
    # 4.4.2: the status of a mitigation (the response to a GET).
    "mitigation_status": (
        {f"{SC}:mitigation-scope": {"scope": [{
            "mid": 12332,
            "mitigation-start": "1507818434",
            "target-prefix": PREFIXES,
            "target-protocol": [17],
            "lifetime": 1756,
            "status": "attack-successfully-mitigated",
            "bytes-dropped": "134334555",
            "bps-dropped": "43344",
            "pkts-dropped": "333334444",
            "pps-dropped": "432432"}]}},
        {1: {2: [{5: 12332, 15: 1507818434, 6: PREFIXES, 10: [17], 14: 1756, 16: 2,
                  25: 134334555, 26: 43344, 27: 333334444, 28: 432432}]}},
    ),
    # 4.4.1: a conflict answered with conflict-information.
    "mitigation_conflict": (
        {f"{SC}:mitigation-scope": {"scope": [{
            "mid": 123,
            "lifetime": 3600,
            "conflict-information": {
                "conflict-status": "request-inactive-other-active",
                "conflict-cause": "overlapping-targets",
                "retry-timer": 30,
                "conflict-scope": {"target-prefix": ["2001:db8:6401::1/128"], "mid": 12}}}]}},
        {1: {2: [{5: 123, 14: 3600, 17: {18: 1, 19: 1, 20: 30, 21: {6: ["2001:db8:6401::1/128"], 5: 12}}}]}},
    ),
    # Not the RFC's: scrubd's answer for a mitigation whose targets are
    # attacked through the client's accept-list (docs/dots.md "Accept-list
    # conflicts"): conflict-status request-active (2), conflict-cause
    # conflict-with-acceptlist (2), the ACLs in conflict-scope's acl-list.
    "mitigation_acceptlist_conflict": (
        {f"{SC}:mitigation-scope": {"scope": [{
            "mid": 123,
            "lifetime": 3600,
            "target-prefix": ["2001:db8:6401::/64"],
            "status": "attack-successfully-mitigated",
            "conflict-information": {
                "conflict-status": "request-active",
                "conflict-cause": "conflict-with-acceptlist",
                "conflict-scope": {"acl-list": [{"acl-name": "partners", "acl-type": "ipv6-acl-type"}]}}}]}},
        {1: {2: [{5: 123, 14: 3600, 6: ["2001:db8:6401::/64"], 16: 2,
                  17: {18: 2, 19: 2, 21: {22: [{23: "partners", 24: "ipv6-acl-type"}]}}}]}},
    ),
    # 4.4.3: an efficacy update.
    "efficacy_update": (
        {f"{SC}:mitigation-scope": {"scope": [{
            "alias-name": ["https1", "https2"],
            "lifetime": 600,
            "attack-status": "under-attack"}]}},
        {1: {2: [{13: ["https1", "https2"], 14: 600, 29: 1}]}},
    ),
    # Not the RFC's: RFC 9133's acl-list (the fact sheet's J1, go-dots'
    # sample; the RFC's own example could not be read from here) in a
    # mitigation request.
    "filter_control": (
        {f"{SC}:mitigation-scope": {"scope": [{
            "target-prefix": PREFIXES,
            "lifetime": 3600,
            "ietf-dots-signal-control:acl-list": [{"acl-name": "sample-ipv4-acl", "activation-type": "deactivate"}]}]}},
        {1: {2: [{6: PREFIXES, 14: 3600, 53: [{23: "sample-ipv4-acl", 52: 3}]}]}},
    ),
    # 4.5.1: the session configuration a GET of /config returns.
    "session_config_get": (
        {f"{SC}:signal-config": {"mitigating-config": mit_json, "idle-config": idle_json}},
        {30: {32: mit_cbor, 44: idle_cbor}},
    ),
    # 4.5.2: a session configuration request (PUT).
    "session_config_put": (
        {f"{SC}:signal-config": {"mitigating-config": cur_json, "idle-config": cur_json}},
        {30: {32: cur_cbor, 44: cur_cbor}},
    ),
    # 4.7: a heartbeat.
    "heartbeat": (
        {f"{SC}:heartbeat": {"peer-hb-status": True}},
        {49: {51: True}},
    ),
}


def libyang_json(rfc_json):
    """The RFC's JSON without the message-type wrapper: its members are the
    top level of the dots-signal structure, so they carry the module."""
    (wrapper, inner), = rfc_json.items()
    module = wrapper.split(":")[0]
    return {f"{module}:{name}": value for name, value in inner.items()}


def main():
    folder = pathlib.Path(sys.argv[1])
    write = "--write" in sys.argv[2:]
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        passed += ok
        failed += not ok
        print(("ok: " if ok else "FAIL: ") + what)

    for name, (rfc_json, model) in EXAMPLES.items():
        data = cbor2.dumps(model, canonical=True)
        text = json.dumps(libyang_json(rfc_json), indent=2) + "\n"
        hex_path, json_path = folder / f"{name}.cbor.hex", folder / f"{name}.json"
        if write:
            hex_path.write_text(data.hex() + "\n")
            json_path.write_text(text)
        committed = bytes.fromhex(hex_path.read_text())
        check(committed == data, f"{name}: the fixture is cbor2's encoding of the RFC example")
        check(cbor2.loads(committed) == model, f"{name}: cbor2 decodes the fixture to the RFC example")
        check(json.loads(json_path.read_text()) == libyang_json(rfc_json), f"{name}: the JSON is the RFC's")
    rfc = bytes.fromhex(RFC_MITIGATION_REQUEST_HEX.replace(" ", ""))
    check(rfc == bytes.fromhex((folder / "mitigation_request.cbor.hex").read_text()),
          "mitigation_request: the fixture is the hex RFC 9132 prints")
    print(f"cbor_fixtures: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
