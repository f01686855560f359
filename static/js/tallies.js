// The tally table (templates/activities/_tallies.html): − and + change a number here, on the phone,
// without a request; "Enregistrer les comptages" saves every row at once. Without this script the
// numbers are typed and the form posts as usual.
(function () {
  "use strict";

  function reveal(root) {
    root.querySelectorAll(".tally-table .step[hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function mark(row) {
    var input = row.querySelector("input[type=number]");
    var was = row.querySelector("input[type=hidden][name^='was-']");
    row.classList.toggle("unsaved", Boolean(was) && input.value !== was.value);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".tally-table [data-step]");
    if (!button) return;
    var row = button.closest(".tally");
    var input = row.querySelector("input[type=number]");
    var next = (parseInt(input.value, 10) || 0) + Number(button.dataset.step);
    input.value = String(Math.max(0, Math.min(next, Number(input.max) || next)));
    mark(row);
  });

  document.addEventListener("input", function (event) {
    var row = event.target.closest(".tally-table .tally");
    if (row) mark(row);
  });

  // A lost answer is said, never silent: the numbers stay typed, and saving again counts once.
  function lost(event) {
    var form = event.target.closest(".tally-table");
    if (form) form.querySelector(".lost").hidden = false;
  }
  document.addEventListener("htmx:sendError", lost);
  document.addEventListener("htmx:responseError", lost);
  document.addEventListener("htmx:timeout", lost);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest(".tally-table");
    if (form) form.querySelector(".lost").hidden = true;
  });

  document.addEventListener("htmx:load", function (event) {
    reveal(event.target);
  });
  reveal(document);
})();
