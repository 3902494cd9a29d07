/* Every portal page (templates/base.html): copy buttons, and focus on the error summary.
   A static file (the CSP admits no inline script); without JavaScript the pages still work:
   addresses are written in full for screen readers and selectable, errors are at the top. */
(function () {
  "use strict";

  function copied(button, text) {
    var label = button.textContent;
    button.textContent = text;
    window.setTimeout(function () { button.textContent = label; }, 1800);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (!button) { return; }
    var value = button.getAttribute("data-copy");
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(value).then(function () {
        copied(button, button.getAttribute("data-copied") || "Copied");
      }, function () { copied(button, button.getAttribute("data-copy-failed") || "Select and copy"); });
    } else {
      copied(button, button.getAttribute("data-copy-failed") || "Select and copy");
    }
  });

  /* GOV.UK pattern: after a failed submit, focus moves to the summary so it is read out first. */
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
