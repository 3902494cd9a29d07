"""The contract toolchain: one compiler for every tool, the settings forge uses, NatSpec, accepted findings.

contracts/solc.mjs is the pinned solc-js as a standard-JSON `solc`; contracts/build.mjs, forge
(foundry.toml) and slither (through forge) all compile with it, and `make contracts` runs forge's
tests, which check forge's bytecode against the committed artifacts (contracts/test/Bytecode.t.sol).
These tests check the wrapper's contract with its callers, that foundry.toml repeats the build's
settings, that every external function, event and error of SwapDistributor has its NatSpec, that every
slither finding silenced in the source is listed in docs/contract.md, and the coverage gate's parser.
"""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
WRAPPER = REPO / "contracts" / "solc.mjs"
SOURCE = REPO / "contracts" / "SwapDistributor.sol"
ARTIFACTS = REPO / "swap" / "chain" / "artifacts"

sys.path.insert(0, str(REPO / "scripts"))
from forge_coverage import coverage_of, verdicts  # noqa: E402


def solc(*args, stdin=""):
    return subprocess.run(
        ["node", str(WRAPPER), *args], input=stdin, capture_output=True, text=True, timeout=300, cwd=REPO
    )


def standard_json(sources, selection):
    return json.dumps(
        {
            "language": "Solidity",
            "sources": sources,
            "settings": {"outputSelection": {"*": {"*": selection}}},
        }
    )


def test_the_wrapper_names_the_pinned_compiler_and_prints_nothing_else():
    done = solc("--version")
    pinned = json.loads((REPO / "node_modules" / "solc" / "package.json").read_text())["version"]
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "solc, the solidity compiler commandline interface",
        f"Version: {pinned}+commit.7893614a.Emscripten.clang",
    ]


def test_the_wrapper_reads_imports_from_the_include_path_and_prints_only_json():
    source = 'pragma solidity 0.8.28; import "@openzeppelin/contracts/utils/Pausable.sol"; contract A is Pausable {}'
    done = solc(
        "--standard-json", "--base-path", str(REPO), "--include-path", str(REPO / "node_modules"),
        stdin=standard_json({"a.sol": {"content": source}}, ["abi"]),
    )
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)  # the whole of stdout is one JSON document
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"]
    assert {item["name"] for item in output["contracts"]["a.sol"]["A"]["abi"]} >= {"paused", "Paused"}
    assert "@openzeppelin/contracts/utils/Pausable.sol" in output["sources"]


def test_a_compile_error_is_reported_in_the_json_like_solc_does():
    done = solc("--standard-json", stdin=standard_json({"b.sol": {"content": "contract B { x }"}}, ["abi"]))
    assert done.returncode == 0
    errors = json.loads(done.stdout)["errors"]
    assert errors[0]["severity"] == "error" and errors[0]["type"] == "ParserError"


def test_an_import_outside_the_allowed_paths_is_refused(tmp_path):
    (tmp_path / "Secret.sol").write_text("pragma solidity 0.8.28; contract Secret {}")
    source = f'pragma solidity 0.8.28; import "{tmp_path / "Secret.sol"}"; contract C {{}}'
    done = solc("--standard-json", "--base-path", str(REPO), stdin=standard_json({"c.sol": {"content": source}}, []))
    errors = json.loads(done.stdout)["errors"]
    assert any("outside the base, include and allowed paths" in e["message"] for e in errors)


def test_an_unknown_argument_is_refused_in_one_line_and_nothing_on_stdout():
    done = solc("--combined-json", "abi")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines()[0] == 'contracts/solc.mjs: unsupported argument "--combined-json"'


def test_foundry_toml_names_the_wrapper_and_the_builds_exact_settings():
    config = tomllib.loads((REPO / "foundry.toml").read_text())["profile"]["default"]
    settings = json.loads((ARTIFACTS / "SwapDistributor.json").read_text())["compiler"]["settings"]
    assert (REPO / config["solc"]).resolve() == WRAPPER
    assert config["offline"] is True and config["auto_detect_solc"] is False
    assert config["evm_version"] == settings["evmVersion"]
    assert config["optimizer"] is settings["optimizer"]["enabled"]
    assert config["optimizer_runs"] == settings["optimizer"]["runs"]
    assert config["bytecode_hash"] == settings["metadata"]["bytecodeHash"]
    ci = tomllib.loads((REPO / "foundry.toml").read_text())["profile"]["ci"]
    assert ci["fuzz"]["runs"] >= 5000  # issue 23: every fuzz test at least 5,000 times in CI


def declared(kind, text):
    """Names of the functions, events or errors SwapDistributor.sol itself declares."""
    return set(re.findall(rf"^\s*{kind}\s+(\w+)\s*\(", text, re.MULTILINE))


@pytest.fixture(scope="module")
def natspec():
    source = SOURCE.read_text()
    done = solc(
        "--standard-json", "--base-path", str(REPO), "--include-path", str(REPO / "node_modules"),
        stdin=standard_json({"contracts/SwapDistributor.sol": {"content": source}}, ["abi", "userdoc", "devdoc"]),
    )
    output = json.loads(done.stdout)["contracts"]["contracts/SwapDistributor.sol"]["SwapDistributor"]
    return source, output


def signature(item):
    return f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"


def test_every_external_function_event_and_error_has_its_natspec(natspec):
    source, output = natspec
    abi, userdoc, devdoc = output["abi"], output["userdoc"], output["devdoc"]
    getters = set(re.findall(r"\bpublic\s+(?:constant\s+|immutable\s+)?(\w+)\s*[;=]", source))
    ours = {
        "function": declared("function", source) | getters,
        "event": declared("event", source),
        "error": declared("error", source),
    }
    missing = []
    for item in abi:
        kind = item["type"]
        if kind == "constructor":
            documented = devdoc["methods"]["constructor"].get("params", {})
            missing += [f"constructor @param {i['name']}" for i in item["inputs"] if i["name"] not in documented]
            continue
        if kind not in ours or item["name"] not in ours[kind]:
            continue  # inherited from OpenZeppelin, documented there
        sig = signature(item)
        section = {"function": "methods", "event": "events", "error": "errors"}[kind]
        notes = userdoc.get(section, {}).get(sig)
        dev = devdoc.get(section, {}).get(sig)
        if kind == "error":
            notes, dev = (notes or [None])[0], (dev or [None])[0]
        if not notes or not notes.get("notice"):
            missing.append(f"{kind} {sig}: @notice")
        if item["name"] in getters:
            continue  # a public variable's getter: NatSpec allows no @param there, the key's name says it
        params = (dev or {}).get("params", {})
        missing += [f"{kind} {sig}: @param {i['name']}" for i in item["inputs"] if i["name"] not in params]
    assert missing == []
    # The check sees what it should: every name the contract declares is in the ABI it read.
    assert {"claim", "claimMany", "proposeRoot", "activateRoot", "vetoRoot", "withdrawRemainder"} <= ours["function"]
    assert len(ours["error"]) == 21 and len(ours["event"]) == 6


def test_every_slither_finding_silenced_in_the_source_is_listed_in_the_contract_document():
    lines = SOURCE.read_text().splitlines()
    document = (REPO / "docs" / "contract.md").read_text()
    accepted = document.split("## Accepted findings", 1)[1].split("\n## ", 1)[0]
    silenced = []
    for number, line in enumerate(lines):
        match = re.match(r"\s*//\s*slither-disable-next-line\s+([\w,-]+)", line)
        if not match:
            continue
        function = next(
            re.search(r"function\s+(\w+)", lines[k])[1] for k in range(number, -1, -1) if "function " in lines[k]
        )
        assert lines[number - 1].strip().startswith("//") and "slither" not in lines[number - 1], (
            f"line {number + 1}: say why above the slither-disable comment"
        )
        for detector in match[1].split(","):
            silenced.append((detector, function))
    assert silenced, "no silenced finding found: the check reads nothing"
    for detector, function in silenced:
        assert f"`{detector}`" in accepted and f"`{function}`" in accepted, (detector, function)


FORGE_SUMMARY = """\
╭-------------------------------+-------------------+-------------------+-----------------+-----------------╮
| File                          | % Lines           | % Statements      | % Branches      | % Funcs         |
+===========================================================================================================+
| contracts/SwapDistributor.sol | 96.72% (118/122)  | 97.33% (146/150)  | 87.10% (27/31)  | 100.00% (18/18) |
|-------------------------------+-------------------+-------------------+-----------------+-----------------|
| Total                         | 96.72% (118/122)  | 97.33% (146/150)  | 87.10% (27/31)  | 100.00% (18/18) |
╰-------------------------------+-------------------+-------------------+-----------------+-----------------╯
"""


def test_the_coverage_gate_reads_forges_summary_and_fails_below_a_threshold():
    counts = coverage_of(FORGE_SUMMARY)
    assert counts["lines"] == (118, 122) and counts["branches"] == (27, 31)
    lines = verdicts(counts, {"lines": 95, "branches": 90})
    assert lines[0].startswith("ok: lines 96.72%")
    assert lines[1].startswith("FAIL: branches 87.10%")
    with pytest.raises(ValueError, match="no row for contracts/Other.sol"):
        coverage_of(FORGE_SUMMARY, "contracts/Other.sol")
