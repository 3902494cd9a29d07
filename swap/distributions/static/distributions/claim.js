// The "Claim" button of templates/distributions/claim.html: sends
// claim(account, cumulativeAmount, proof) through the visitor's browser wallet
// (EIP-1193, window.ethereum). The call data comes from the page (encoded by the server from the
// frozen round); the wallet only signs and sends it. Anyone may send a claim: the contract always
// pays the account itself, the difference between its entitlement and what it was already paid.
(function () {
  "use strict";

  function formatSesh(atomic) {
    // 9 decimals, without floating point.
    var digits = atomic.padStart(10, "0");
    return digits.slice(0, -9) + "." + digits.slice(-9) + " SESH";
  }

  function bind(section) {
    var button = section.querySelector(".sesh-claim-button");
    var data = section.querySelector("script[type='application/json']");
    var status = section.querySelector(".sesh-claim-status");
    section.querySelectorAll(".sesh-amount[data-atomic]").forEach(function (el) {
      el.title = formatSesh(el.dataset.atomic);
    });
    if (!button || !data || button.dataset.bound) {
      return;
    }
    button.dataset.bound = "1";
    var claim = JSON.parse(data.textContent);
    function say(text) {
      status.textContent = text;
    }
    button.addEventListener("click", async function () {
      var wallet = window.ethereum;
      if (!wallet || typeof wallet.request !== "function") {
        say("No browser wallet found. Install one (EIP-1193), or send the claim from any wallet with the proof above.");
        return;
      }
      button.disabled = true;
      try {
        var accounts = await wallet.request({ method: "eth_requestAccounts" });
        var chainHex = "0x" + claim.chain_id.toString(16);
        var current = await wallet.request({ method: "eth_chainId" });
        if (parseInt(current, 16) !== claim.chain_id) {
          await wallet.request({ method: "wallet_switchEthereumChain", params: [{ chainId: chainHex }] });
        }
        var hash = await wallet.request({
          method: "eth_sendTransaction",
          params: [{ from: accounts[0], to: claim.distributor, data: claim.claim_calldata }],
        });
        say("Claim sent: transaction " + hash + ". " + formatSesh(claim.claimable_atomic) + " go to " +
            claim.eth_address + " once it is mined.");
      } catch (error) {
        say("The claim was not sent: " + (error && error.message ? error.message : error));
        button.disabled = false;
      }
    });
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
