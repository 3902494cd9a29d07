/* The claim page (templates/claims/detail.html); its words come translated in data-text-* attributes: "send N OXEN → about M SESH" as you type, and the
   deposits refreshed from the claim's API (/api/v1/claims/<id>/) without a reload.
   The estimate is the server's rule, floor(amount × rate × multiplier), in BigInt (never a float). */
(function () {
  "use strict";
  var ATOMIC = 1000000000n;

  function formatCoins(atomic, unit) {
    var whole = (atomic / ATOMIC).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var rest = atomic % ATOMIC;
    var decimals = rest ? "." + rest.toString().padStart(9, "0").replace(/0+$/, "") : "";
    return whole + decimals + " " + unit;
  }

  function parseOxen(text) {
    var match = /^\s*(\d{1,12})(?:[.,](\d{0,9}))?\s*$/.exec(text);
    if (!match) { return null; }
    return BigInt(match[1]) * ATOMIC + BigInt((match[2] || "").padEnd(9, "0"));
  }

  var estimator = document.getElementById("estimator");
  if (estimator) {
    var input = document.getElementById("send-oxen");
    var output = document.getElementById("estimate");
    var num = BigInt(estimator.dataset.rateNum) * BigInt(estimator.dataset.multiplierNum);
    var den = BigInt(estimator.dataset.rateDen) * BigInt(estimator.dataset.multiplierDen);
    input.addEventListener("input", function () {
      var atomic = parseOxen(input.value);
      if (atomic === null) {
        output.dataset.seshAtomic = "";
        output.textContent = input.value.trim() ? output.dataset.textBadAmount : "";
        return;
      }
      var sesh = atomic * num / den;
      output.dataset.seshAtomic = sesh.toString();
      output.textContent = output.dataset.textEstimate
        .replace("{oxen}", formatCoins(atomic, "OXEN")).replace("{sesh}", formatCoins(sesh, "SESH"));
    });
  }

  var card = document.getElementById("deposits-card");
  if (!card || !window.fetch) { return; }
  var list = document.getElementById("deposits");
  var credited = document.getElementById("credited-sesh");
  var needed = card.dataset.confirmations;

  function stateText(deposit) {
    if (deposit.state === "credited") { return card.dataset.textCredited; }
    if (deposit.height === null) { return card.dataset.textUnmined; }
    return card.dataset.textConfirmations
      .replace("{n}", String(Math.min(deposit.confirmations, Number(needed)))).replace("{m}", needed);
  }

  function render(claim) {
    if (!claim.deposits.length) { return; }
    var items = claim.deposits.map(function (deposit) {
      var item = document.createElement("li");
      item.dataset.txid = deposit.txid;
      var amount = document.createElement("span");
      amount.className = "amount";
      amount.textContent = formatCoins(BigInt(deposit.amount_atomic), "OXEN");
      var state = document.createElement("span");
      state.className = "state" + (deposit.state === "credited" ? " credited" : "");
      state.textContent = stateText(deposit);
      item.append(amount, " ", state);
      if (deposit.credited_sesh_atomic) {
        var sesh = document.createElement("span");
        sesh.className = "amount";
        sesh.textContent = " → " + formatCoins(BigInt(deposit.credited_sesh_atomic), "SESH");
        item.append(sesh);
      }
      var txid = document.createElement("small");
      txid.className = "mono";
      txid.title = deposit.txid;
      txid.textContent = " " + deposit.txid.slice(0, 6) + "…" + deposit.txid.slice(-6);
      item.append(txid);
      return item;
    });
    list.replaceChildren.apply(list, items);
    credited.textContent = formatCoins(BigInt(claim.credited_sesh_atomic), "SESH");
  }

  function poll() {
    fetch(card.dataset.api, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (claim) { if (claim) { render(claim); } })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .finally(function () { window.setTimeout(poll, 15000); });
  }
  window.setTimeout(poll, 15000);
})();
