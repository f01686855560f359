// Issue 14, "work survives": a warning before the idle limit with one button to stay signed in, and
// the author's signed name added to every form sent, so that a form sent after the session ended is
// kept for her alone (accounts/kept.py). No text here: the page holds it, translated.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="twiza-author"]');
  var author = meta ? meta.content : "";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!author || form.method.toLowerCase() !== "post" || form.elements._twiza_author) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "_twiza_author";
    input.value = author;
    form.appendChild(input);
  }, true);
  document.addEventListener("htmx:configRequest", function (event) {
    if (author && event.detail.verb === "post") event.detail.parameters._twiza_author = author;
  });

  var box = document.getElementById("session-warning");
  if (!box) return;
  var idle = Number(box.dataset.idleSeconds) * 1000;
  var warn = Number(box.dataset.warnSeconds) * 1000;
  var soon = document.getElementById("session-warning-soon");
  var ended = document.getElementById("session-warning-ended");
  var form = box.querySelector("form");
  var lastActivity = Date.now();  // the server renewed the session when it served this page
  var dismissed = false;
  var returnFocus = null;

  function typing() {
    var el = document.activeElement;
    return el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
      (el.tagName === "INPUT" && el.type !== "submit" && el.type !== "button"));
  }

  function show(expired) {
    soon.hidden = expired;
    ended.hidden = !expired;
    document.getElementById("session-warning-title-soon").hidden = expired;
    document.getElementById("session-warning-title-ended").hidden = !expired;
    form.hidden = expired;
    box.setAttribute("aria-describedby", expired ? ended.id : soon.id);
    if (!box.hidden) return;
    box.hidden = false;
    // Focus goes to the button, unless she is typing: her phone's keyboard stays open.
    if (!expired && !typing()) {
      returnFocus = document.activeElement;
      form.querySelector("button").focus();
    }
  }

  function hide() {
    box.hidden = true;
    if (returnFocus && returnFocus.focus) returnFocus.focus();
    returnFocus = null;
  }

  function check() {
    var left = idle - (Date.now() - lastActivity);
    if (left <= 0) {
      dismissed = false;
      show(true);
    } else if (left <= warn && !dismissed) {
      show(false);
    }
  }

  function renewed() {
    lastActivity = Date.now();
    dismissed = false;
    hide();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 204) renewed(); else { lastActivity = 0; check(); }
      })
      .catch(function () { /* offline: the warning stays, she may tap again */ });
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { dismissed = true; hide(); }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) renewed();
  });
  document.addEventListener("visibilitychange", check);
  setInterval(check, 5000);  // wall-clock time: a phone asleep catches up when it wakes
  check();
})();
