#!/usr/bin/env python3
"""Writes the Espresso fixtures of rollup-espresso's tests from tx lines (txs.ndjson).

The answers follow the published JSON shapes of Espresso's availability API (see
docs/formats.md, "Espresso"); the values are this project's own. Each payload is the toolkit's
canonical tx encoding (signed message || signature), built here independently of libcore so the
fixtures also check the C++ encoder. Commitments, signatures and the Merkle proof are opaque
placeholders: rollup-espresso does not verify them.

    python3 tests/data/espresso/generate.py tests/data/espresso/txs.ndjson tests/data/espresso
"""
import base64
import hashlib
import json
import os
import struct
import sys

OUR_NS = 1
OTHER_NS = 777


def tx_payload(tx):
    kind = {"transfer": 1, "withdraw": 2}[tx["type"]]
    to = bytes.fromhex(tx["to"][2:]) if kind == 1 else bytes(32)
    return (b"rollup-tools:tx:v2" + struct.pack("<QIB", tx["chain_id"], tx["namespace"], kind)
            + bytes.fromhex(tx["from"][2:]) + to + struct.pack("<QQQ", tx["amount"], tx["fee"], tx["nonce"])
            + bytes.fromhex(tx["sig"][2:]))


def ns_payload(payloads):
    """A namespace's bytes: u32 count, u32 end offset of each tx, then the txs."""
    out, end = struct.pack("<I", len(payloads)), 0
    for p in payloads:
        end += len(p)
        out += struct.pack("<I", end)
    return out + b"".join(payloads)


def ns_table(entries):
    return struct.pack("<I", len(entries)) + b"".join(struct.pack("<II", i, e) for i, e in entries)


def b64(data):
    return base64.b64encode(data).decode()


def tagged(tag, seed):
    """An opaque tagged-base64 placeholder (TAG~url-safe base64), derived from `seed`."""
    return tag + "~" + base64.urlsafe_b64encode(hashlib.blake2b(seed.encode(), digest_size=32).digest()).decode().rstrip("=")


def header_fields(height, timestamp, table):
    return {
        "chain_config": {"chain_config": {"Left": {
            "chain_id": "4242", "max_block_size": "1000000", "base_fee": "0",
            "fee_contract": "0x" + "00" * 20, "fee_recipient": "0x" + "00" * 20,
            "stake_table_contract": "0x" + "00" * 20}}},
        "height": height,
        "timestamp": timestamp,
        "l1_head": 7000 + height,
        "l1_finalized": {"number": 6990 + height, "timestamp": hex(timestamp - 60),
                         "hash": "0x" + hashlib.blake2b(b"l1-%d" % height, digest_size=32).hexdigest()},
        "payload_commitment": tagged("AvidMCommit", "payload-%d" % height),
        "builder_commitment": tagged("BUILDER_COMMITMENT", "builder-%d" % height),
        "ns_table": {"bytes": b64(table)},
        "block_merkle_tree_root": tagged("MERKLE_COMM", "blocks-%d" % height),
        "fee_merkle_tree_root": tagged("MERKLE_COMM", "fees-%d" % height),
        "fee_info": {"account": "0x" + "11" * 20, "amount": "0"},
        "builder_signature": None,
        "reward_merkle_tree_root": tagged("MERKLE_COMM", "rewards-%d" % height),
    }


def write(root, path, obj):
    file = os.path.join(root, path)
    os.makedirs(os.path.dirname(file), exist_ok=True)
    with open(file, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def main(txs_file, root):
    txs = [json.loads(line) for line in open(txs_file) if line.strip()]
    ours = [tx_payload(tx) for tx in txs]
    other = [b"another rollup's bytes, opaque to this one", b"\x00\x01\x02"]
    # 4201: another namespace, then ours with 2 txs (versioned header layout, version 0.3).
    # 4202: only the other namespace; ours is absent, so its answer is empty.
    # 4203: ours alone with 3 txs, in the first version's flat header layout.
    blocks = [(4201, 1764088000, [(OTHER_NS, other), (OUR_NS, ours[0:2])], True),
              (4202, 1764088002, [(OTHER_NS, other[:1])], True),
              (4203, 1764088005, [(OUR_NS, ours[2:5])], False)]
    for height, timestamp, namespaces, versioned in blocks:
        entries, end, ns_bytes = [], 0, {}
        for ns, payloads in namespaces:
            ns_bytes[ns] = ns_payload(payloads)
            end += len(ns_bytes[ns])
            entries.append((ns, end))
        fields = header_fields(height, timestamp, ns_table(entries))
        header = {"version": {"Version": {"major": 0, "minor": 3}}, "fields": fields} if versioned else fields
        write(root, "availability/header/%d" % height, header)
        index = [i for i, (ns, _) in enumerate(namespaces) if ns == OUR_NS]
        if index:
            payloads = dict(namespaces)[OUR_NS]
            answer = {"proof": {"V1": {"ns_index": index[0], "ns_payload": b64(ns_bytes[OUR_NS]),
                                       "ns_proof": tagged("MERKLE_PROOF", "ns-%d" % height)}},
                      "transactions": [{"namespace": OUR_NS, "payload": b64(p)} for p in payloads]}
        else:
            answer = {"proof": None, "transactions": []}
        write(root, "availability/block/%d/namespace/%d" % (height, OUR_NS), answer)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
