"""The round, played through the production topology: nginx over HTTPS in front of gunicorn, the two
workers, beat and the watchdog, each started from its unit.

What people do goes through nginx (registrations, a claim, payout requests, the proof); what beat
does on its schedule is left to beat (the tracker, activations, the watchdog's passes, every 2 s
here); the periodic Oxen tasks that beat sends every minute are sent by this process to the
workers' queue, as an operator's admin action would, so the run takes minutes, not hours. The
operator's own steps (`migrate`, `freeze_round`, `publish_round`, `verify_round`) run here, as in a
shell on the server. Anvil's clock moves past the activation delay; its blocks come from a ticker
that the run pauses to keep a payout in flight while it kills the L2 worker.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from prometheus_client.parser import text_string_to_metric_families
from requests.adapters import HTTPAdapter

from bonuses.models import ServiceNodeSnapshot
from bonuses.tasks import capture_snapshot_task
from claims.models import Claim, ClaimCredit, Deposit
from claims.services.supply import active_snapshot
from claims.tasks import fill_supply_snapshot_task, poll_deposits_task
from swap.chain import contracts
from swap.chain.client import get_client, reset_clients
from swap.chain.local import advance_time, deploy_local_contracts, safe_owner_keys
from swap.chain.models import L2Transaction, L2TransactionAttempt
from swap.chain.tasks import TRACK_LOCK_SECONDS
from swap.demo import cast
from swap.demo.environment import ANVIL_SERVICE_KEY, ANVIL_WATCHDOG_KEY
from swap.demo.history import PROGRAM_FINAL_HEIGHT
from swap.demo.wallets import demo_wallet
from swap.distributions.models import ClaimEvent, DistributionRound, PayoutBatch, PayoutItem, RoundStatus
from swap.distributions.tasks import sync_claims_task
from swap.locks import single_flight_key
from swap.overview.reconciliation import reconcile
from swap.prodsmoke import nginx
from swap.prodsmoke.machine import HOST, REGISTRATION_LIMIT, Machine
from swap.prodsmoke.topology import Process, SmokeFailed, Topology, flush_redis, fresh_database, wait_until
from swap.registrations.models import Registration
from swap.watchdog.models import ProposalCheck, Verdict

SESH = 10**9
TOKEN_SUPPLY = 240_000_000 * SESH
DISTRIBUTOR_FUNDING = 60_000_000 * SESH
# Loopback, but outside the nginx site's `allow 127.0.0.1` for /metrics.
OUTSIDER_ADDRESS = "127.0.0.2"
WAIT = 180.0  # seconds for any one thing to happen: two cores shared with other work
# Who takes part: Alice claims herself, Bob and Carol ask for a payout, Carol deposits OXEN.
REGISTERED = (cast.ALICE, cast.BOB, cast.CAROL) + tuple(
    holder for holder in cast.HOLDERS if holder.name in ("holder 3", "holder 4", "holder 20"))
PAID_OUT = (cast.BOB, cast.CAROL)
DEPOSIT = (cast.CAROL, 300, 25_000 * 10**9 + 123_456_789)


class Blocks:
    """Mines an anvil block every second, as a live L2 would, until paused."""

    def __init__(self, machine: Machine) -> None:
        self.machine, self.running, self.stopped = machine, threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self.stopped.wait(1.0):
            if self.running.is_set() and self.machine.anvil is not None:
                try:
                    self.machine.anvil.rpc("anvil_mine", ["0x1"])
                except Exception:  # noqa: BLE001 - anvil stopping at the end of the run
                    return

    def start(self) -> None:
        self.running.set()
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()


class Play:
    """The steps, in order; `figures` becomes the report."""

    def __init__(self, machine: Machine, write: Callable[[str], None]) -> None:
        assert machine.topology is not None
        self.machine, self.write, self.topology = machine, write, machine.topology
        self.figures: dict[str, Any] = {"ports": {"https": machine.https_port, "http": machine.http_port,
                                                  "gunicorn": machine.web_port}}
        self.http = requests.Session()
        # Only the run's own certificate is trusted; REQUESTS_CA_BUNDLE and proxies in the caller's
        # environment would override it (requests reads them when trust_env is on).
        self.http.trust_env = False
        self.http.verify = str(machine.certificate)
        self.http.headers["Host"] = HOST
        self.blocks = Blocks(machine)
        self.processes: dict[str, Process] = {}
        self.live_height = 0
        self.signatures: list[str] = []  # every SigV1 the run submitted: none may reach a log

    # --- helpers -------------------------------------------------------------------------------------

    def step(self, title: str, action: Callable[[], None]) -> None:
        started = time.monotonic()
        self.write(f"-- {title}")
        action()
        self.figures.setdefault("seconds", {})[title] = round(time.monotonic() - started, 1)

    def url(self, path: str) -> str:
        return f"{self.machine.base_url}{path}"

    def post(self, path: str, body: dict[str, Any], *, expect: tuple[int, ...], **headers: str) -> Any:
        reply = self.http.post(self.url(path), json=body, headers=headers, timeout=60)
        if reply.status_code not in expect:
            raise SmokeFailed(f"POST {path} through nginx answered {reply.status_code}, not {expect}: "
                              f"{reply.text[:200]}")
        return reply.json()

    def get_json(self, path: str) -> Any:
        reply = self.http.get(self.url(path), timeout=60)
        if reply.status_code != 200:
            raise SmokeFailed(f"GET {path} through nginx answered {reply.status_code}: {reply.text[:200]}")
        return reply.json()

    def until(self, condition: Callable[[], Any], what: str, nudge: Callable[[], Any] | None = None,
              every: float = 0.5, longer: float = 0.0) -> Any:
        return wait_until(condition, what=what, timeout=WAIT + longer, topology=self.topology, nudge=nudge,
                          every=every)

    # --- the machine --------------------------------------------------------------------------------

    def release(self) -> None:
        """A fresh database and Redis, `migrate`, the contracts, the recorded snapshots, collectstatic."""
        fresh_database(self.machine.values["DATABASE_URL"])
        flush_redis(self.machine.values["CELERY_BROKER_URL"], self.machine.values["REDIS_URL"])
        call_command("migrate", interactive=False, verbosity=0)
        deployment = deploy_local_contracts(supply_atomic=TOKEN_SUPPLY, fund_atomic=DISTRIBUTOR_FUNDING)
        values = {name: str(value) for name, value in deployment.settings().items()}
        self.machine.configure(**values)
        for name, value in deployment.settings().items():
            setattr(settings, name, value)
        reset_clients()
        out = io.StringIO()
        call_command("import_snapshots", str(self.machine.directory / "history" / "snapshots"), stdout=out,
                     stderr=io.StringIO())
        call_command("collectstatic", interactive=False, verbosity=0)
        self.figures["contracts"] = {"distributor": deployment.distributor, "token": deployment.token,
                                     "safe": deployment.safe, "funded_atomic": DISTRIBUTOR_FUNDING}
        self.figures["imported_snapshots"] = len(self.machine.history)

    def start_services(self) -> None:
        """Each unit as systemd would start it (ExecStartPre= `check --deploy` first), then nginx."""
        for name in ("swap-web", "swap-worker", "swap-worker-l2", "swap-beat", "swap-watchdog"):
            self.processes[name] = self.topology.start_unit(name)
        command = nginx.write_config(self.machine.edge())
        self.processes["nginx"] = self.topology.start(
            Process("nginx", command, dict(self.topology.base_environ), self.machine.directory,
                    self.machine.logs / "nginx.log"))
        self.until(self._healthy, "https://…/healthz through nginx")
        self.blocks.start()
        self.figures["processes"] = {name: " ".join(p.command[:1] + p.command[1:6]) for name, p in
                                     self.processes.items()}

    def _healthy(self) -> bool:
        try:
            reply = self.http.get(self.url("/healthz"), timeout=5)
        except requests.RequestException:
            return False
        return reply.status_code == 200 and reply.json() == {"status": "ok"}

    def edge(self) -> None:
        """TLS, one HSTS header, HTTP to HTTPS, static files from nginx, the size limit."""
        home = self.http.get(self.url("/"), timeout=30)
        hsts = home.raw.headers.getlist("Strict-Transport-Security")
        if home.status_code != 200 or len(hsts) != 1 or "max-age=31536000" not in hsts[0]:
            raise SmokeFailed(f"the home page over HTTPS: {home.status_code}, HSTS headers {hsts}")
        if "Content-Security-Policy" not in home.headers:
            raise SmokeFailed("the home page came through nginx without the service's Content-Security-Policy")
        plain = self.http.get(f"http://127.0.0.1:{self.machine.http_port}/register/", allow_redirects=False,
                              timeout=30)
        if plain.status_code != 301 or plain.headers.get("Location") != f"https://{HOST}/register/":
            raise SmokeFailed(f"plain HTTP answered {plain.status_code} {plain.headers.get('Location')}")
        static = self.http.get(self.url("/static/admin/css/base.css"), timeout=30)
        if static.status_code != 200 or static.headers.get("Server") != "nginx":
            raise SmokeFailed(f"a static file answered {static.status_code} from {static.headers.get('Server')}")
        big = self.http.post(self.url("/api/v1/registrations/"), data=b"x" * 70_000,
                             headers={"Content-Type": "application/json"}, timeout=30)
        if big.status_code != 413:
            raise SmokeFailed(f"a 70 kB body answered {big.status_code}, not nginx's 413")
        self.figures["edge"] = {"hsts": hsts[0], "http": f"{plain.status_code} to {plain.headers['Location']}",
                                "static": f"{static.status_code} from nginx", "70 kB body": big.status_code}

    # --- the Oxen side --------------------------------------------------------------------------------

    def snapshots(self) -> None:
        """The worker's capture task confirms the imported recording against oxend, and stores a live one."""
        assert self.machine.sim is not None
        last_imported = max(int(path.stem) for path in self.machine.history)
        self.machine.sim.control("add_blocks", count=10)  # the simulator's immutable depth

        def confirmed() -> bool:
            final = ServiceNodeSnapshot.objects.filter(provisional=False)
            return (not ServiceNodeSnapshot.objects.filter(provisional=True, height__lte=last_imported).exists()
                    and final.filter(height__lte=last_imported).count() == len(self.machine.history))

        self.until(confirmed, "the imported snapshots confirmed by the worker's capture",
                   nudge=capture_snapshot_task.delay, every=2.0)
        live = self.until(lambda: ServiceNodeSnapshot.objects.filter(height__gt=last_imported).first(),
                          "a live snapshot captured by the worker", nudge=capture_snapshot_task.delay, every=2.0)
        self.live_height = live.height
        self.figures["snapshots"] = {"final": ServiceNodeSnapshot.objects.filter(provisional=False).count(),
                                     "latest_height": ServiceNodeSnapshot.objects.order_by("-height")[0].height}

    def registrations(self) -> None:
        """Each holder's wallets sign their ETH address (SigV1) and register through nginx."""
        for holder in REGISTERED:
            for index in holder.wallets:
                wallet = demo_wallet(index)
                signature = wallet.sign(holder.eth_address)
                self.signatures.append(signature)
                self.post("/api/v1/registrations/", {"oxen_address": wallet.address, "eth_address": holder.eth_address,
                                                     "signature": signature}, expect=(201,))
        self.figures["registrations"] = Registration.objects.filter(is_current=True).count()

    def deposit(self) -> None:
        """The supply snapshot (worker), a claim opened through nginx, OXEN sent, the worker credits it."""
        assert self.machine.sim is not None
        excluded = [{"address": demo_wallet(cast.OPTF_WALLET).address, "amount_atomic": cast.OPTF_HOLDING,
                     "note": "OPTF"}]
        fill_supply_snapshot_task.delay(PROGRAM_FINAL_HEIGHT, excluded, "prod-smoke")
        self.until(active_snapshot, "the supply snapshot filled by the worker")
        holder, wallet_index, amount = DEPOSIT
        opened = self.post("/api/v1/claims/", {"oxen_address": demo_wallet(wallet_index).address}, expect=(201,))
        sub = Claim.objects.select_related("subaddress").get(subaddress__address=opened["subaddress"]).subaddress
        txid = self.machine.sim.control("add_transfer", outputs=[[sub.account_index, sub.address_index, amount]])
        self.machine.sim.control("add_blocks", count=int(settings.CLAIMS_CONFIRMATIONS))
        credit = self.until(lambda: ClaimCredit.objects.filter(txid=txid).first(), "the deposit credited",
                            nudge=poll_deposits_task.delay, every=2.0)
        # Blocks went by: the next capture makes the live snapshot final, and the bonus counts up to it.
        self.until(lambda: ServiceNodeSnapshot.objects.filter(height=self.live_height, provisional=False).exists(),
                   "the live snapshot final", nudge=capture_snapshot_task.delay, every=2.0)
        self.figures["deposit"] = {"holder": holder.name, "oxen_atomic": amount, "txid": txid,
                                   "sesh_atomic": credit.sesh_atomic}

    # --- the L2 side ---------------------------------------------------------------------------------

    def propose(self) -> None:
        """`freeze_round` and `publish_round` from the operator's shell; the L2 worker proposes; the watchdog checks."""
        for holder in PAID_OUT:
            self.post("/api/v1/payout-requests/", {"eth_address": holder.eth_address}, expect=(201,))
        call_command("freeze_round", stdout=io.StringIO())
        round_ = DistributionRound.objects.get(number=1)
        call_command("publish_round", "1", stdout=io.StringIO())
        self.until(lambda: _status(round_) == RoundStatus.PENDING, "round 1 pending (proposal final)")
        check = self.until(lambda: ProposalCheck.objects.filter(round_id=1).exclude(verdict=Verdict.UNCHECKED).first(),
                           "the watchdog's verdict on round 1")
        if check.verdict != Verdict.OK:
            raise SmokeFailed(f"the watchdog judged round 1 {check.verdict}: {check.reasons}")
        round_.refresh_from_db()
        self.figures["round"] = {"number": 1, "root": round_.root, "accounts": round_.count,
                                 "total_atomic": round_.total_atomic, "watchdog": check.verdict}

    def activate_and_pay_with_a_crash(self) -> None:
        """Past the delay beat activates; the payout's batch is in flight when the L2 worker is SIGKILLed;
        after a restart it completes, and nobody is paid twice."""
        round_ = DistributionRound.objects.get(number=1)
        advance_time(int(settings.L2_ACTIVATION_DELAY_SECONDS))
        self.until(lambda: _status(round_) == RoundStatus.ACTIVE, "round 1 active (beat's activation)", every=0.1)
        self.blocks.running.clear()  # no confirmations from here: the batch stays in flight
        batch = self.until(lambda: _sent_batch(round_), "a payout batch signed and sent", every=0.1)
        worker = self.processes["swap-worker-l2"]
        worker.kill()
        batch.refresh_from_db()
        if batch.status == PayoutBatch.Status.CONFIRMED:
            raise SmokeFailed("the payout batch was confirmed before the worker was killed: no crash in flight")
        in_flight = L2Transaction.objects.get(pk=batch.transaction_id)
        killed_while = f"{batch.status}, its claimMany {in_flight.status}"
        # A worker killed inside a tracker pass leaves its single-flight lock in Redis: passes resume
        # once it expires (swap/locks.py), so the wait includes the lock's timeout then.
        lock_held = cache.get(single_flight_key("track_transactions")) is not None
        self.topology.restart(worker)
        self.blocks.running.set()
        self.until(lambda: _confirmed(batch), "the payout batch confirmed after the restart",
                   longer=TRACK_LOCK_SECONDS if lock_held else 0.0)
        client, distributor = get_client(), settings.L2_DISTRIBUTOR_ADDRESS
        paid = {}
        for holder in PAID_OUT:
            entitled = round_.entries.get(eth_address=holder.eth_address).cumulative_atomic
            claimed = contracts.claimed(client, distributor, holder.eth_address)
            balance = contracts.token_balance(client, settings.L2_TOKEN_ADDRESS, holder.eth_address)
            if claimed != entitled or balance != entitled:
                raise SmokeFailed(f"{holder.name}: entitled {entitled}, claimed on chain {claimed}, holds {balance}")
            paid[holder.name] = entitled
        batches = PayoutItem.objects.filter(batch__round=round_, batch__status=PayoutBatch.Status.CONFIRMED).count()
        if batches != len(PAID_OUT):
            raise SmokeFailed(f"{batches} confirmed payout items for {len(PAID_OUT)} accounts")
        sent = L2Transaction.objects.filter(purpose=L2Transaction.Purpose.PAYOUT_BATCH).count()
        self.figures["payout"] = {"killed_while_batch": killed_while, "tracker_lock_left_held": lock_held,
                                  "paid_atomic": paid,
                                  "claimMany_transactions": sent, "confirmed_items": batches}

    def self_claim(self) -> None:
        """Alice fetches her proof through nginx and claims from her own wallet; the claim index sees it."""
        holder = cast.ALICE
        served = self.get_json(f"/api/v1/proofs/{holder.eth_address}/")
        if not served["claimable"]:
            raise SmokeFailed(f"Alice's served proof is not claimable: {served}")
        assert self.machine.anvil is not None
        self.machine.anvil.rpc("eth_sendTransaction", [
            {"from": holder.eth_address, "to": served["distributor"], "data": served["claim_calldata"]}])
        entitled = int(served["cumulative_atomic"])
        accounts = [cast.ALICE.eth_address, *(h.eth_address for h in PAID_OUT)]
        self.until(lambda: ClaimEvent.objects.filter(eth_address__in=accounts).values("eth_address").distinct().count()
                   == len(accounts), "the claim index holding every claim", nudge=sync_claims_task.delay, every=2.0)
        claimed = contracts.claimed(get_client(), settings.L2_DISTRIBUTOR_ADDRESS, holder.eth_address)
        if claimed != entitled:
            raise SmokeFailed(f"Alice claimed {claimed} on chain; her served proof is for {entitled}")
        self.figures["self_claim"] = {"holder": holder.name, "claimed_atomic": claimed}

    def forged_forwarded_for(self) -> None:
        """Bad signatures, each with another forged X-Forwarded-For: nginx overwrites it, the limit holds."""
        wallet = demo_wallet(cast.OTHER_WALLETS[-1])
        eth = cast.ALICE.eth_address
        body = {"oxen_address": wallet.address, "eth_address": eth, "signature": wallet.sign("not the ETH address")}
        answers = []
        for attempt in range(REGISTRATION_LIMIT + 1):
            reply = self.http.post(self.url("/api/v1/registrations/"), json=body, timeout=30,
                                   headers={"X-Forwarded-For": f"203.0.113.{attempt + 1}"})
            answers.append(reply.status_code)
        if answers != [400] * REGISTRATION_LIMIT + [429]:
            raise SmokeFailed(f"forged X-Forwarded-For dodged the limit of {REGISTRATION_LIMIT}: answers {answers}")
        self.figures["forged_x_forwarded_for"] = answers

    def verify(self) -> None:
        """Reconciliation holds, and `verify_round` checks the dump served through nginx against the chain."""
        dump = self.machine.directory / "round-1.dump.json"
        reply = self.http.get(self.url("/api/v1/rounds/1/dump.json"), timeout=60)
        dump.write_bytes(reply.content)
        out = io.StringIO()
        call_command("verify_round", str(dump), "--rpc", settings.L2_RPC_URL, "--distributor",
                     settings.L2_DISTRIBUTOR_ADDRESS, stdout=out)
        report = reconcile()
        if not report.ok:
            raise SmokeFailed("reconciliation: " + "; ".join(check.name for check in report.mismatches))
        self.figures["verify_round"] = out.getvalue().strip().splitlines()[-1]
        self.figures["reconciliation"] = f"{len(report.checks)} checks ok"

    def metrics(self) -> None:
        """/metrics through nginx from the allowed address, its figures against the database; from
        another address 403, a forged X-Forwarded-For naming the allowed one changes nothing."""
        reply = self.http.get(self.url("/metrics"), timeout=60)
        if reply.status_code != 200:
            raise SmokeFailed(f"/metrics from 127.0.0.1 through nginx answered {reply.status_code}")
        samples = {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                   for family in text_string_to_metric_families(reply.text) for sample in family.samples}

        def value(name: str, **labels: str) -> float:
            key = (name, tuple(sorted(labels.items())))
            if key not in samples:
                raise SmokeFailed(f"/metrics has no {name}{labels or ''}")
            return samples[key]

        expected: dict[str, tuple[float, float]] = {
            "registrations": (value("sesh_registrations_total"), Registration.objects.count()),
            "active rounds": (value("sesh_rounds", status="active"), _count(DistributionRound, status="active")),
            "credited deposits": (value("sesh_deposits", state="credited"), _count(Deposit, state="credited")),
            "claimed (atomic)": (value("sesh_claimed_atomic_total"),
                                 float(sum(ClaimEvent.objects.values_list("amount_atomic", flat=True)))),
            "latest snapshot": (value("sesh_snapshot_latest_height"),
                                ServiceNodeSnapshot.objects.order_by("-height")[0].height),
            "vetoes": (value("sesh_watchdog_vetoes_total"), 0),
            "l2 queue length": (value("sesh_celery_queue_length", queue=settings.CELERY_L2_QUEUE), 0),
        }
        for purpose, status in L2Transaction.objects.values_list("purpose", "status").distinct():
            expected[f"outbox {purpose} {status}"] = (
                value("sesh_outbox_transactions", purpose=purpose, status=status),
                _count(L2Transaction, purpose=purpose, status=status))
        wrong = {what: pair for what, pair in expected.items() if float(pair[0]) != float(pair[1])}
        if wrong:
            raise SmokeFailed(f"/metrics against the database (scraped, counted): {wrong}")
        # gunicorn's workers added up (PROMETHEUS_MULTIPROC_DIR): every registration's 201 is counted.
        created = sum(v for (name, labels), v in samples.items()
                      if name == "django_http_responses_total_by_status_total" and dict(labels).get("status") == "201")
        if created < len(REGISTERED) + 1:
            raise SmokeFailed(f"/metrics counts {created} answers 201; the run got {len(REGISTERED) + 1} or more")
        outsider = requests.Session()
        outsider.trust_env = False
        outsider.verify = self.http.verify
        outsider.headers["Host"] = HOST
        outsider.mount("https://", SourceAddressAdapter(OUTSIDER_ADDRESS))
        refused = [outsider.get(self.url("/metrics"), timeout=30, headers=headers).status_code
                   for headers in ({}, {"X-Forwarded-For": "127.0.0.1"})]
        if refused != [403, 403]:
            raise SmokeFailed(f"/metrics from {OUTSIDER_ADDRESS} answered {refused}, not 403")
        self.figures["metrics"] = {"checked": len(expected), "answers_201": int(created),
                                   f"from {OUTSIDER_ADDRESS}": refused}

    def no_secret_in_the_logs(self) -> None:
        """Every log the run wrote (units, nginx, peers, this process) read for what must never be logged."""
        hidden = {"the L2 signer key": ANVIL_SERVICE_KEY, "the watchdog key": ANVIL_WATCHDOG_KEY,
                  "SECRET_KEY": self.machine.values["SECRET_KEY"]}
        hidden.update({f"Safe owner key {n}": key.hex() for n, key in enumerate(safe_owner_keys(), 1)})
        hidden.update({f"the signature {sig[:14]}…": sig for sig in self.signatures})
        needles = {name: value.lower().removeprefix("0x") for name, value in hidden.items()}
        files = [path for folder in (self.machine.logs, self.machine.directory / "nginx")
                 for path in sorted(folder.rglob("*.log")) if path.is_file()]
        read = 0
        for path in files:
            text = path.read_text(errors="replace").lower()
            read += len(text)
            for name, needle in needles.items():
                if needle in text:
                    raise SmokeFailed(f"{name} appears in {path.name}")
        self.figures["logs_checked"] = {"files": len(files), "bytes": read, "secrets": len(needles)}

    def run(self) -> None:
        steps = (
            ("release: fresh database, migrate, contracts, recorded snapshots, collectstatic", self.release),
            ("units started (check --deploy first), nginx in front", self.start_services),
            ("the edge: TLS, HSTS, redirect, static files, body limit", self.edge),
            ("snapshots captured by the worker", self.snapshots),
            ("registrations through nginx (SigV1)", self.registrations),
            ("a deposit credited", self.deposit),
            ("round 1 frozen and proposed; the watchdog agrees", self.propose),
            ("activation, payout, SIGKILL of the L2 worker, restart", self.activate_and_pay_with_a_crash),
            ("a holder's own claim", self.self_claim),
            ("forged X-Forwarded-For against the rate limit", self.forged_forwarded_for),
            ("reconciliation and verify_round", self.verify),
            ("/metrics through nginx against the database", self.metrics),
            ("no key, SECRET_KEY or signature in any log of the run", self.no_secret_in_the_logs),
        )
        for title, action in steps:
            self.step(title, action)

    def stop(self) -> None:
        self.blocks.stop()


class SourceAddressAdapter(HTTPAdapter):
    """Connect from another loopback address: a client outside the networks allowed to scrape."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


def _count(model: Any, **filters: Any) -> int:
    return int(model.objects.filter(**filters).count())


def _status(round_: DistributionRound) -> str:
    round_.refresh_from_db()
    return str(round_.status)


def _sent_batch(round_: DistributionRound) -> PayoutBatch | None:
    """The round's payout batch once its transaction has signed bytes (it may be on the node already)."""
    batch = PayoutBatch.objects.filter(round=round_).exclude(transaction=None).order_by("id").last()
    if batch is None or not L2TransactionAttempt.objects.filter(transaction_id=batch.transaction_id).exists():
        return None
    return batch


def _confirmed(batch: PayoutBatch) -> bool:
    batch.refresh_from_db()
    return batch.status == PayoutBatch.Status.CONFIRMED


def stop_everything(play: Play | None, topology: Topology | None, machine: Machine) -> None:
    if play is not None:
        play.stop()
    if topology is not None:
        topology.stop_all()
    machine.stop_peers()
