"""Oxen Coin Claims: the rate from the supply snapshot, every credit from its deposit, the pool never exceeded."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from sesh_verify.bundle import Bundle
from sesh_verify.entries import Entry
from sesh_verify.errors import Broken, amount
from sesh_verify.registrations import Registration, _time
from swap.core import bundle_format as fmt
from swap.core.claims_allocation import (
    RateError,
    Step,
    Supply,
    capped,
    checked_schedule,
    claims_rate,
    credit_atomic,
    multiplier_at,
    parse_fraction,
)

CHECK = "claims"


def _rate(params: dict[str, Any]) -> Fraction | None:
    snapshot = params["supply_snapshot"]
    if snapshot is None:
        return None
    record = f"supply snapshot at height {snapshot['height']}"
    supply = Supply(amount(snapshot["emission_atomic"], "emission", CHECK, record),
                    amount(snapshot["burned_atomic"], "burned", CHECK, record),
                    tuple(amount(item["amount_atomic"], "excluded", CHECK, record) for item in snapshot["excluded"]))
    if supply.circulating_atomic != amount(snapshot["circulating_atomic"], "circulating", CHECK, record):
        raise Broken(CHECK, record, f"circulating {snapshot['circulating_atomic']} ≠ emission − burned − excluded "
                                    f"= {supply.circulating_atomic}")
    try:
        rate = claims_rate(amount(snapshot["pool_atomic"], "pool", CHECK, record), supply)
    except RateError as error:
        raise Broken(CHECK, record, str(error)) from None
    if (rate.numerator, rate.denominator) != (int(snapshot["rate_num"]), int(snapshot["rate_den"])):
        raise Broken(CHECK, record, f"rate {snapshot['rate_num']}/{snapshot['rate_den']} ≠ pool / circulating = {rate}")
    return rate


def check_claims(bundle: Bundle, registrations: dict[int, Registration], entries: list[Entry]) -> list[str]:
    params = bundle.manifest["parameters"]["claims"]
    rate = _rate(params)
    schedule = checked_schedule(Step(_time(step["start"], CHECK, "multiplier schedule"),
                                     parse_fraction(step["multiplier"])) for step in params["multiplier_schedule"])
    pool = amount(params["supply_snapshot"]["pool_atomic"] if params["supply_snapshot"] else params["pool_atomic"],
                  "pool", CHECK, "manifest")
    minimum = amount(params["min_deposit_atomic"], "minimum", CHECK, "manifest")
    claims: dict[str, dict[str, Any]] = {}
    credited_keys: dict[tuple[str, int, int], str] = {}
    oxen_per_claim: dict[str, int] = defaultdict(int)
    sesh_per_eth: dict[str, int] = defaultdict(int)
    refused: dict[str, int] = defaultdict(int)
    running, credits, last_time = 0, 0, None
    for number, line in enumerate(bundle.files[fmt.CLAIMS].splitlines(), start=1):
        where = f"{fmt.CLAIMS} line {number}"
        try:
            record = json.loads(line)
            kind = record["kind"]
        except (ValueError, KeyError, TypeError):
            raise Broken(CHECK, where, "not a claims record") from None
        if kind == "claim":
            _check_claim(record, registrations, params, claims, where)
        elif kind == "credit":
            key = (record["txid"], record["account_index"], record["address_index"])
            name = f"credit of deposit {key[0][:16]}… ({key[1]}, {key[2]})"
            if key in credited_keys:
                raise Broken(CHECK, name, f"the same deposit is credited twice ({credited_keys[key]} and {where})")
            credited_keys[key] = where
            created = _time(record["created_at"], CHECK, name)
            if last_time is not None and created < last_time:
                raise Broken(CHECK, name, "credits are listed out of their order")
            last_time = created
            if rate is None:
                raise Broken(CHECK, name, "a credit, but no supply snapshot fixed a rate")
            sesh = _check_credit(record, name, claims, rate, schedule, params, pool - running)
            running += sesh
            credits += 1
            oxen_per_claim[record["claim_id"]] += int(record["amount_oxen_atomic"])
            sesh_per_eth[record["eth_address"]] += sesh
        elif kind == "deposit":
            key = (record["txid"], record["account_index"], record["address_index"])
            if key in credited_keys:
                raise Broken(CHECK, f"deposit {key[0][:16]}… ({key[1]}, {key[2]})",
                             "listed as not credited, yet credited")
            refused[record["state"] + (f" ({record['hold_reason']})" if record["hold_reason"] else "")] += 1
        else:
            raise Broken(CHECK, where, f"unknown record kind {kind!r:.20}")
    if running > pool:
        raise Broken(CHECK, "the claims pool", f"{running} atomic SESH credited, above the pool of {pool}")
    for claim_id, oxen in oxen_per_claim.items():
        if oxen < minimum:
            raise Broken(CHECK, f"claim {claim_id}", f"{oxen} atomic OXEN credited, below the minimum {minimum}")
    published = {entry.eth_address: entry.claims for entry in entries if entry.claims}
    computed = {eth: sesh for eth, sesh in sesh_per_eth.items() if sesh}
    for eth in sorted(set(published) | set(computed)):
        if published.get(eth, 0) != computed.get(eth, 0):
            raise Broken("claims column", eth, f"claims {published.get(eth, 0)} in the round, the credits sum to "
                                               f"{computed.get(eth, 0)}")
    not_credited = ", ".join(f"{count} {state}" for state, count in sorted(refused.items())) or "none"
    return [f"rate {rate} atomic SESH per atomic OXEN from the supply snapshot" if rate is not None
            else "no supply snapshot: no rate, no credit",
            f"{credits} credits recomputed (floor(amount × rate × multiplier), budget guard): {running} of {pool} "
            f"atomic SESH; {len(claims)} claims; not credited: {not_credited}"]


def _check_claim(record: dict[str, Any], registrations: dict[int, Registration], params: dict[str, Any],
                 claims: dict[str, dict[str, Any]], where: str) -> None:
    name = f"claim {record.get('claim_id')}"
    if record["claim_id"] in claims:
        raise Broken(CHECK, name, "listed twice")
    registration = registrations.get(record["registration_id"])
    if registration is None or (registration.oxen_address, registration.eth_address) != (
            record["oxen_address"], record["eth_address"]):
        raise Broken(CHECK, name, f"its registration {record['registration_id']} is not a published registration "
                                  f"of {record['oxen_address'][:6]}… → {record['eth_address']}")
    if record["account_index"] != params["account_index"]:
        raise Broken(CHECK, name, f"subaddress in account {record['account_index']}, not the claims account "
                                  f"{params['account_index']}")
    claims[record["claim_id"]] = record


def _check_credit(record: dict[str, Any], name: str, claims: dict[str, dict[str, Any]], rate: Fraction,
                  schedule: tuple[Step, ...], params: dict[str, Any], remaining: int) -> int:
    claim = claims.get(record["claim_id"])
    if claim is None:
        raise Broken(CHECK, name, f"credits claim {record['claim_id']}, not opened by the cut-off")
    if record["eth_address"] != claim["eth_address"]:
        raise Broken(CHECK, name, f"credited to {record['eth_address']}, but the claim pays {claim['eth_address']}")
    if (record["account_index"], record["address_index"]) != (claim["account_index"], claim["address_index"]):
        raise Broken(CHECK, name, "not sent to its claim's subaddress")
    if (int(record["rate_num"]), int(record["rate_den"])) != (rate.numerator, rate.denominator):
        raise Broken(CHECK, name, f"rate {record['rate_num']}/{record['rate_den']}, not the locked rate {rate}")
    when = datetime.fromtimestamp(record["block_timestamp"], UTC)
    multiplier = multiplier_at(schedule, when)
    if Fraction(int(record["multiplier_num"]), int(record["multiplier_den"])) != multiplier:
        raise Broken(CHECK, name, f"multiplier {record['multiplier_num']}/{record['multiplier_den']}, the schedule "
                                  f"gives {multiplier} at {when.isoformat()}")
    oxen = amount(record["amount_oxen_atomic"], "amount", CHECK, name)
    wanted = credit_atomic(oxen, rate, multiplier)
    if amount(record["wanted_sesh_atomic"], "wanted", CHECK, name) != wanted:
        raise Broken(CHECK, name, f"wanted {record['wanted_sesh_atomic']} atomic SESH, but floor({oxen} × {rate} × "
                                  f"{multiplier}) = {wanted}")
    sesh, was_capped = capped(wanted, remaining)
    if (amount(record["sesh_atomic"], "sesh", CHECK, name), record["capped"]) != (sesh, was_capped):
        raise Broken(CHECK, name, f"credited {record['sesh_atomic']} (capped {record['capped']}); with "
                                  f"{remaining} left in the pool it is {sesh} (capped {was_capped})")
    if record["credited_height"] - record["block_height"] < params["confirmations"]:
        raise Broken(CHECK, name, f"credited at height {record['credited_height']}, fewer than "
                                  f"{params['confirmations']} confirmations after block {record['block_height']}")
    return sesh
