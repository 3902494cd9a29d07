// The claim section of templates/distributions/claim.html: claim SESH with any EIP-1193 wallet,
// or ask the service to deliver them.
//
// Wallets are discovered with EIP-6963 (a pick list when several answer), else window.ethereum.
// Connect (eth_requestAccounts); on another chain, wallet_switchEthereumChain, and when the wallet
// does not know the chain (4902), wallet_addEthereumChain (EIP-3085) with the parameters the
// server derived from settings, then switch. The proof and call data come fresh from the proof
// API; the claim is simulated first (eth_estimateGas) so a refused claim costs nothing, then sent
// with that gas; the page waits for the receipt and the configured confirmations. A reverted
// receipt is a failure: the call is replayed (eth_call at its block) to read the contract's named
// error, whose selector the server computed from the ABI artifact. The amount shown as claimed is
// the Claimed event's, i.e. cumulative minus what was already paid. Amounts are BigInt, never
// floats. Every text comes translated from the server (`messages` in the config).
(function () {
  "use strict";
  if (window.seshClaimWidget) {
    return; // the partial may be included more than once on a page; one script is enough
  }
  window.seshClaimWidget = true;

  var STATES = ["idle", "connecting", "switching", "sending", "pending", "confirmed", "failed"];
  var USER_REJECTED = 4001;
  var UNKNOWN_CHAIN = 4902;
  var EXECUTION_REVERTED = 3; // EIP-1474
  var announced = []; // EIP-6963 announcements: {info: {uuid, name, icon, rdns}, provider}

  window.addEventListener("eip6963:announceProvider", function (event) {
    var detail = event.detail;
    if (!detail || !detail.info || !detail.provider || typeof detail.provider.request !== "function") {
      return;
    }
    if (!announced.some(function (known) { return known.info.uuid === detail.info.uuid; })) {
      announced.push(detail);
    }
  });
  window.dispatchEvent(new Event("eip6963:requestProvider"));

  function Failure(reason, text, tx) {
    this.reason = reason;
    this.text = text;
    this.tx = tx || "";
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  // As swap.core.amounts.format_amount writes it on the server: "34,328.254472717 SESH", "42 SESH".
  function formatSesh(atomic) {
    var digits = BigInt(atomic).toString().padStart(10, "0");
    var whole = digits.slice(0, -9).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var fraction = digits.slice(-9).replace(/0+$/, "");
    return whole + (fraction ? "." + fraction : "") + " SESH";
  }

  function formatDate(iso) {
    var moment = new Date(iso);
    function two(n) { return String(n).padStart(2, "0"); }
    return moment.getUTCFullYear() + "-" + two(moment.getUTCMonth() + 1) + "-" + two(moment.getUTCDate()) + " " +
      two(moment.getUTCHours()) + ":" + two(moment.getUTCMinutes()) + " UTC";
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // Whether the error carries `code` at any of the places wallets put it (MetaMask mobile wraps the
  // wallet's 4001 or 4902 in data.originalError under its own -32603).
  function hasCode(error, code) {
    var seen = [error, error && error.data, error && error.data && error.data.originalError, error && error.cause];
    return seen.some(function (item) { return item && item.code === code; });
  }

  function Widget(section) {
    var scripts = section.querySelectorAll("script[type='application/json']");
    this.section = section;
    this.claim = JSON.parse(scripts[0].textContent);
    this.config = JSON.parse(scripts[1].textContent);
    this.text = this.config.messages;
    this.status = section.querySelector(".sesh-claim-status");
    this.button = section.querySelector(".sesh-claim-button");
    this.watch = section.querySelector(".sesh-watch-asset");
    this.pick = section.querySelector(".sesh-wallet-pick");
    this.wallet = null;
    this.busy = false;
  }

  Widget.prototype.show = function (state, reason, parts, tx) {
    if (STATES.indexOf(state) < 0) {
      throw new Error("unknown claim state " + state);
    }
    this.section.dataset.claimState = state;
    if (reason) {
      this.section.dataset.claimReason = reason;
    } else {
      delete this.section.dataset.claimReason;
    }
    var nodes = [];
    var said = parts.filter(Boolean).join(" ");
    if (said) {
      var paragraph = document.createElement("p");
      paragraph.textContent = said;
      nodes.push(paragraph);
    }
    if (tx) {
      var line = document.createElement("p");
      var where = this.config.explorer_tx ? fill(this.config.explorer_tx, { tx: tx }) : "";
      if (where) {
        var link = document.createElement("a");
        link.href = where;
        link.rel = "noopener";
        link.textContent = this.text.view_tx;
        line.appendChild(link);
        line.appendChild(document.createTextNode(" "));
      }
      var hash = document.createElement("span");
      hash.className = "mono address sesh-tx";
      hash.textContent = fill(this.text.tx, { tx: tx });
      line.appendChild(hash);
      nodes.push(line);
    }
    this.status.replaceChildren.apply(this.status, nodes);
    this.status.className = "sesh-claim-status" + (state === "confirmed" ? " ok" : state === "failed" ? " warning" : "");
  };

  Widget.prototype.chooseWallet = async function () {
    window.dispatchEvent(new Event("eip6963:requestProvider"));
    await sleep(30); // wallets answer the request synchronously or on their next task
    if (announced.length === 1) {
      return announced[0].provider;
    }
    if (announced.length > 1) {
      return this.pickFrom(announced);
    }
    var injected = window.ethereum;
    return injected && typeof injected.request === "function" ? injected : null;
  };

  Widget.prototype.pickFrom = function (choices) {
    var widget = this;
    var list = this.pick.querySelector("ul");
    this.show("connecting", "", []); // the list says it, and takes the focus
    return new Promise(function (resolve) {
      list.replaceChildren();
      choices.forEach(function (choice) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sesh-wallet-choice";
        if (choice.info.icon && /^data:image\//.test(choice.info.icon)) {
          var icon = document.createElement("img");
          icon.src = choice.info.icon;
          icon.alt = "";
          icon.width = 24;
          icon.height = 24;
          button.appendChild(icon);
        }
        button.appendChild(document.createTextNode(choice.info.name));
        button.addEventListener("click", function () {
          widget.pick.hidden = true;
          resolve(choice.provider);
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      widget.pick.hidden = false;
      list.querySelector("button").focus();
    });
  };

  Widget.prototype.connect = async function (wallet) {
    this.show("connecting", "", [this.text.connecting]);
    var accounts;
    try {
      accounts = await wallet.request({ method: "eth_requestAccounts" });
    } catch (error) {
      if (hasCode(error, USER_REJECTED)) {
        throw new Failure("connect_rejected", [this.text.connect_rejected, this.text.not_sent]);
      }
      throw error;
    }
    if (!accounts || !accounts.length) {
      throw new Failure("no_account", [this.text.no_account, this.text.not_sent]);
    }
    this.wallet = wallet;
    if (this.watch && this.config.token.address) {
      this.watch.hidden = false;
    }
    return accounts[0];
  };

  Widget.prototype.ensureChain = async function (wallet) {
    var chain = this.config.chain;
    var names = { chain: chain.chainName, chain_id: this.config.chain_id };
    var current = await wallet.request({ method: "eth_chainId" });
    if (parseInt(current, 16) === this.config.chain_id) {
      return;
    }
    this.show("switching", "", [fill(this.text.switching, names)]);
    try {
      await wallet.request({ method: "wallet_switchEthereumChain", params: [{ chainId: chain.chainId }] });
    } catch (error) {
      if (hasCode(error, USER_REJECTED)) {
        throw new Failure("switch_rejected", [fill(this.text.switch_rejected, names), this.text.not_sent]);
      }
      if (!hasCode(error, UNKNOWN_CHAIN)) {
        throw error;
      }
      if (!chain.rpcUrls.length) {
        throw new Failure("add_unavailable", [fill(this.text.add_unavailable, names), this.text.not_sent]);
      }
      this.show("switching", "", [fill(this.text.adding, names)]);
      try {
        await wallet.request({ method: "wallet_addEthereumChain", params: [chain] });
        await wallet.request({ method: "wallet_switchEthereumChain", params: [{ chainId: chain.chainId }] });
      } catch (added) {
        if (hasCode(added, USER_REJECTED)) {
          throw new Failure("add_rejected", [fill(this.text.add_rejected, names), this.text.not_sent]);
        }
        throw added;
      }
    }
    current = await wallet.request({ method: "eth_chainId" });
    if (parseInt(current, 16) !== this.config.chain_id) {
      names.current = parseInt(current, 16);
      throw new Failure("wrong_chain", [fill(this.text.wrong_chain, names), this.text.not_sent]);
    }
  };

  Widget.prototype.fetchProof = async function () {
    var url = this.config.proof_url.replace(/0x0{40}/, this.claim.eth_address);
    var response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!response.ok) {
      throw new Failure("proof_error", [fill(this.text.proof_error, { status: response.status }), this.text.not_sent]);
    }
    return response.json();
  };

  // Every string in a wallet's error object: wallets nest the node's answer differently
  // (MetaMask: data.data or data.originalError.data; others: the message text itself).
  function textsOf(error) {
    var texts = [];
    var queue = [error];
    while (queue.length && texts.length < 20) {
      var item = queue.shift();
      if (typeof item === "string") {
        texts.push(item);
      } else if (item && typeof item === "object") {
        [item.data, item.error, item.originalError, item.cause, item.message].forEach(function (next) {
          if (next !== undefined && next !== null) {
            queue.push(next);
          }
        });
      }
    }
    return texts;
  }

  function reverted(error) {
    return hasCode(error, EXECUTION_REVERTED) || textsOf(error).some(function (text) { return /revert/i.test(text); });
  }

  // The named error in a wallet's error object or message, as {name, reason}, or null.
  Widget.prototype.decode = function (error) {
    var candidates = textsOf(error);
    for (var i = 0; i < candidates.length; i++) {
      var found = candidates[i].match(/0x[0-9a-fA-F]{8,}/g) || [];
      for (var j = 0; j < found.length; j++) {
        var known = this.config.errors[found[j].slice(0, 10).toLowerCase()];
        if (known) {
          return known;
        }
      }
    }
    return null;
  };

  // A Failure for the contract's refusal, `tx` set when it reverted on chain.
  Widget.prototype.refusal = async function (known, tx) {
    var text = this.text;
    var lead = tx ? text.reverted_prefix : "";
    var tail = tx ? "" : text.not_sent;
    if (!known) {
      return new Failure("reverted", [lead, text.unknown_revert, tail], tx);
    }
    if (known.reason === "root_changed") {
      var fresh = await this.fetchProof().catch(function () { return null; });
      if (fresh && fresh.root !== this.claim.root && fresh.claimable) {
        this.claim = fresh;
        this.refreshFigures(BigInt(fresh.claimed_atomic), false);
        this.offerRetry();
        return new Failure("root_changed", [lead, text.root_changed, tail], tx);
      }
      this.offerRetry();
      return new Failure("root_changed", [lead, text.root_changed_unknown, tail], tx);
    }
    if (known.reason === "nothing_to_claim" && this.wallet) {
      try {
        this.refreshFigures(await this.readClaimed(this.wallet), true); // what the chain says was paid
      } catch (ignored) {
        // the figures stay as served; the message says what happened
      }
    }
    var values = { account: this.claim.eth_address, error: known.name };
    var message = text[known.reason] || text.reverted;
    if (known.reason === "paused") {
      this.offerRetry();
    }
    return new Failure(known.reason, [lead, fill(message, values), tail], tx);
  };

  Widget.prototype.offerRetry = function () {
    this.retry = true;
  };

  Widget.prototype.waitForReceipt = async function (wallet, hash) {
    for (;;) {
      var receipt = await wallet.request({ method: "eth_getTransactionReceipt", params: [hash] });
      if (receipt && receipt.blockNumber) {
        return receipt;
      }
      await sleep(this.config.poll_ms);
    }
  };

  // Waits until the receipt's block is `confirmations` deep and still holds the transaction.
  Widget.prototype.waitForConfirmations = async function (wallet, hash, receipt) {
    var need = this.config.confirmations;
    for (;;) {
      var head = parseInt(await wallet.request({ method: "eth_blockNumber" }), 16);
      var have = Math.max(0, head - parseInt(receipt.blockNumber, 16) + 1);
      this.show("pending", "", [fill(this.text.confirming, {
        block: parseInt(receipt.blockNumber, 16), have: Math.min(have, need), need: need })], hash);
      if (have >= need) {
        var again = await wallet.request({ method: "eth_getTransactionReceipt", params: [hash] });
        if (again && again.blockHash === receipt.blockHash) {
          return again;
        }
        receipt = await this.waitForReceipt(wallet, hash); // reorganised: mined again elsewhere
        continue;
      }
      await sleep(this.config.poll_ms);
    }
  };

  Widget.prototype.paidAmount = function (receipt) {
    var account = this.claim.eth_address.slice(2).toLowerCase();
    var distributor = this.claim.distributor.toLowerCase();
    var topic = this.config.claimed_topic;
    var log = (receipt.logs || []).find(function (entry) {
      return entry.address.toLowerCase() === distributor && entry.topics[0] === topic &&
        entry.topics[1].toLowerCase().endsWith(account);
    });
    return log ? BigInt("0x" + log.data.slice(2, 66)) : null;
  };

  Widget.prototype.refreshFigures = function (claimed, onChain) {
    var cumulative = BigInt(this.claim.cumulative_atomic);
    var left = cumulative > claimed ? cumulative - claimed : BigInt(0);
    var figures = { claimed: claimed, claimable: left, cumulative: cumulative };
    var section = this.section;
    Object.keys(figures).forEach(function (name) {
      var element = section.querySelector("[data-claim-figure='" + name + "']");
      if (element) {
        element.textContent = formatSesh(figures[name]);
      }
    });
    // The status page's dashboard (templates/swap/dashboard.html) shows the same two figures.
    var board = document.getElementById("dashboard-" + this.claim.eth_address);
    [["claimed", claimed], ["claimable", left]].forEach(function (pair) {
      var element = board && board.querySelector("[data-figure='" + pair[0] + "']");
      if (element) {
        element.textContent = formatSesh(pair[1]);
      }
    });
    // Everything claimed: the timeline's last steps are done too (the page was rendered before the claim).
    if (board && claimed > BigInt(0) && left === BigInt(0)) {
      var done = this.text.step_done;
      board.querySelectorAll(".timeline li").forEach(function (item) {
        item.className = "done";
        item.removeAttribute("aria-current");
        var state = item.querySelector(".visually-hidden");
        if (state) {
          state.textContent = "(" + done + ")";
        }
      });
    }
    var round = section.querySelector("[data-claim-figure='round']");
    if (round) {
      round.textContent = String(this.claim.round);
    }
    var asOf = section.querySelector("[data-claim-figure='as-of']");
    if (asOf && onChain) {
      asOf.textContent = "";
    }
    if (this.button) {
      this.button.hidden = left === BigInt(0);
    }
  };

  Widget.prototype.readClaimed = async function (wallet) {
    var call = { to: this.claim.distributor,
                 data: this.config.claimed_selector + this.claim.eth_address.slice(2).toLowerCase().padStart(64, "0") };
    return BigInt(await wallet.request({ method: "eth_call", params: [call, "latest"] }));
  };

  Widget.prototype.run = async function () {
    var wallet = await this.chooseWallet();
    if (!wallet) {
      var manual = this.section.querySelector(".sesh-claim-manual");
      if (manual) {
        manual.open = true;
      }
      throw new Failure("no_wallet", [this.text.no_wallet]);
    }
    var from = await this.connect(wallet);
    await this.ensureChain(wallet);
    this.show("sending", "", [this.text.preparing]);
    this.claim = await this.fetchProof();
    var tx = { from: from, to: this.claim.distributor, data: this.claim.claim_calldata };
    var gas;
    try {
      gas = await wallet.request({ method: "eth_estimateGas", params: [tx] });
    } catch (error) {
      var refused = this.decode(error);
      if (refused || reverted(error)) {
        throw await this.refusal(refused, "");
      }
      throw error; // not the contract's answer (no gas money, node down): the wallet's own words
    }
    tx.gas = "0x" + (BigInt(gas) * BigInt(6) / BigInt(5)).toString(16); // 20 % over the estimate
    var owed = BigInt(this.claim.cumulative_atomic) - BigInt(this.claim.claimed_atomic);
    this.show("sending", "", [fill(this.text.sending, { amount: formatSesh(owed > 0 ? owed : 0) })]);
    var hash;
    try {
      hash = await wallet.request({ method: "eth_sendTransaction", params: [tx] });
    } catch (error) {
      if (hasCode(error, USER_REJECTED)) {
        throw new Failure("send_rejected", [this.text.send_rejected, this.text.not_sent]);
      }
      var known = this.decode(error);
      if (known) {
        throw await this.refusal(known, "");
      }
      throw error;
    }
    this.show("pending", "", [this.text.pending], hash);
    var receipt = await this.waitForReceipt(wallet, hash);
    if (receipt.status !== "0x1") {
      throw await this.refusal(await this.replay(wallet, tx, receipt), hash);
    }
    receipt = await this.waitForConfirmations(wallet, hash, receipt);
    if (receipt.status !== "0x1") {
      throw await this.refusal(await this.replay(wallet, tx, receipt), hash);
    }
    var paid = this.paidAmount(receipt);
    var claimed = await this.readClaimed(wallet);
    this.refreshFigures(claimed, true);
    this.show("confirmed", "", [
      fill(this.text.confirmed, { amount: formatSesh(paid === null ? BigInt(0) : paid) }) + ".",
      fill(this.text.confirmed_to, { account: this.claim.eth_address })], hash);
  };

  // The reverted call again, at the block it was mined in, to read the contract's error.
  Widget.prototype.replay = async function (wallet, tx, receipt) {
    try {
      await wallet.request({ method: "eth_call", params: [{ from: tx.from, to: tx.to, data: tx.data, gas: tx.gas },
                                                          receipt.blockNumber] });
    } catch (error) {
      return this.decode(error);
    }
    return null;
  };

  Widget.prototype.claimClicked = async function () {
    if (this.busy) {
      return;
    }
    this.busy = true;
    this.retry = false;
    this.button.disabled = true;
    try {
      await this.run();
    } catch (error) {
      if (error instanceof Failure) {
        this.show("failed", error.reason, error.text, error.tx);
      } else {
        var message = error && error.message ? error.message : String(error);
        this.show("failed", "wallet_error", [fill(this.text.wallet_error, { message: message })]);
      }
      if (this.retry) {
        this.button.textContent = this.text.retry;
      }
      if (error instanceof Failure && error.reason === "nothing_to_claim") {
        this.button.hidden = true;
      }
    } finally {
      this.busy = false;
      this.button.disabled = false;
    }
  };

  Widget.prototype.watchAsset = async function () {
    var token = this.config.token;
    var said = this.text.watch_declined;
    try {
      var added = await this.wallet.request({ method: "wallet_watchAsset", params: {
        type: "ERC20", options: { address: token.address, symbol: token.symbol, decimals: token.decimals } } });
      if (added) {
        said = this.text.watch_added;
      }
    } catch (error) {
      if (!hasCode(error, USER_REJECTED)) {
        said = fill(this.text.wallet_error, { message: error && error.message ? error.message : String(error) });
      }
    }
    var note = document.createElement("p");
    note.textContent = said;
    this.status.appendChild(note);
  };

  Widget.prototype.deliver = async function (button) {
    var place = this.section.querySelector(".sesh-deliver-status");
    var text = this.text;
    button.disabled = true;
    try {
      var response = await fetch(this.config.payout_url, {
        method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ eth_address: this.section.dataset.ethAddress }),
      });
      var body = await response.json();
      if (!response.ok) {
        place.textContent = fill(text.deliver_error, { message: body.detail || response.status });
        return;
      }
      body.date = formatDate(body.requested_at);
      place.textContent = fill(text["delivery_" + body.state], body);
    } catch (error) {
      place.textContent = fill(text.deliver_error, { message: error && error.message ? error.message : error });
    } finally {
      button.disabled = false;
    }
  };

  function bind(section) {
    if (section.dataset.bound) {
      return;
    }
    section.dataset.bound = "1";
    var widget = new Widget(section);
    if (widget.button) {
      widget.button.addEventListener("click", function () { widget.claimClicked(); });
    }
    if (widget.watch) {
      widget.watch.addEventListener("click", function () { widget.watchAsset(); });
    }
    var deliver = section.querySelector(".sesh-deliver-button");
    if (deliver) {
      deliver.addEventListener("click", function () { widget.deliver(deliver); });
    }
  }

  function bindAll() {
    document.querySelectorAll("section.sesh-claim").forEach(bind);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindAll);
  } else {
    bindAll();
  }
})();
