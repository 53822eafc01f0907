/* The console at the keyboard alone: digits pick options (10 and above: type both digits),
   Enter goes on, ? is "don't know", ! is "refused", Backspace goes back one question.
   The pages work without this file; it only saves the mouse. No inline script anywhere
   (the Content-Security-Policy forbids it). */
(function () {
  "use strict";
  var buffer = "";
  var timer = null;
  var lastToggled = null;
  var TYPING = ["text", "password", "search", "number", "email", "tel", "date", "time"];

  function typing(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable ||
      (tag === "INPUT" && TYPING.indexOf(element.type) >= 0);
  }

  function keyForm() {
    return document.querySelector("form[data-keys]");
  }

  function pick(digit) {
    var form = keyForm();
    if (!form) { return false; }
    clearTimeout(timer);
    timer = setTimeout(function () { buffer = ""; lastToggled = null; }, 800);
    var wanted = buffer + digit;
    var input = form.querySelector('[data-key="' + wanted + '"]');
    if (input && buffer && lastToggled && lastToggled.type === "checkbox") {
      lastToggled.checked = !lastToggled.checked;   /* "1" then "0" meant 10, not 1 */
    }
    if (!input) {
      wanted = digit;
      input = form.querySelector('[data-key="' + digit + '"]');
    }
    buffer = wanted;
    if (!input) { return false; }
    if (input.type === "checkbox") { input.checked = !input.checked; } else { input.checked = true; }
    lastToggled = input;
    input.focus();
    return true;
  }

  function primaryForm() {
    return keyForm() || document.querySelector("form .primary") &&
      document.querySelector("form .primary").form;
  }

  function press(selector) {
    var button = document.querySelector(selector);
    if (button) { button.click(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    var target = event.target;
    if (typing(target)) { return; }
    if (/^[0-9]$/.test(event.key)) {
      if (pick(event.key)) { event.preventDefault(); }
      return;
    }
    if (event.key === "?" && press('[data-special="dont_know"]')) { event.preventDefault(); return; }
    if (event.key === "!" && press('[data-special="refused"]')) { event.preventDefault(); return; }
    if (event.key === "Backspace") {
      var back = document.querySelector("form[data-back]");
      if (back) { event.preventDefault(); back.requestSubmit(); }
      return;
    }
    if (event.key === "Enter") {
      if (target && (target.tagName === "BUTTON" || target.tagName === "A" ||
          (target.tagName === "INPUT" && (target.type === "submit" || target.type === "button")))) {
        return;   /* the focused button or link does what it says */
      }
      var form = primaryForm();
      if (form) {
        event.preventDefault();
        var submit = form.querySelector(".primary") || form.querySelector("[type=submit]");
        form.requestSubmit(submit || undefined);
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (document.activeElement && document.activeElement !== document.body) { return; }
    var first = document.querySelector("[autofocus]") ||
      document.querySelector("form[data-keys] input:not([type=hidden])") ||
      document.querySelector("form .primary");
    if (first) { first.focus(); }
  });
}());
