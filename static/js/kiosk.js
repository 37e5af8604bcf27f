/* Kiosk pages: on-screen keypads, going back to the start when idle, the chosen matter by the 取号 button,
   reading the page aloud, and printing the ticket. No framework. */
(function () {
  "use strict";

  // An on-screen keypad types into the input named by data-keypad-for (card and QR readers type as keyboards).
  document.querySelectorAll("[data-keypad-for]").forEach(function (pad) {
    var input = document.getElementById(pad.dataset.keypadFor);
    if (!input) return;
    pad.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-key]");
      if (!button) return;
      var key = button.dataset.key;
      if (key === "back") {
        input.value = input.value.slice(0, -1);
      } else if (key === "clear") {
        input.value = "";
      } else if (!input.maxLength || input.maxLength < 0 || input.value.length < input.maxLength) {
        input.value += key;
      }
      input.focus();
    });
  });

  // 朗读本页: the page's main content read aloud in the page's language; a second tap stops it.
  var readButton = document.getElementById("read-aloud");
  if (readButton && "speechSynthesis" in window) {
    var label = readButton.textContent;
    readButton.hidden = false;
    var stop = function () {
      window.speechSynthesis.cancel();
      readButton.textContent = label;
      delete readButton.dataset.speaking;
    };
    readButton.addEventListener("click", function () {
      if (readButton.dataset.speaking) { stop(); return; }
      var main = document.getElementById("main");
      var utterance = new SpeechSynthesisUtterance(main ? main.innerText : "");
      utterance.lang = document.documentElement.lang === "en" ? "en-US" : "zh-CN";
      utterance.rate = 0.9;
      utterance.onend = stop;
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(utterance);
      readButton.textContent = readButton.dataset.stop;
      readButton.dataset.speaking = "1";
    });
  }

  // Idle: after data-idle-seconds without a touch the screen goes back to its start (data-idle-url), first
  // clearing every field, so nothing typed (an ID number, an appointment code) stays on screen or in the page
  // the browser might keep for "back" (location.replace leaves no history entry). The start screen at rest
  // (nothing typed, Chinese, the standard mode) stays as it is.
  var idleSeconds = parseInt(document.body.dataset.idleSeconds || "", 10);
  var idleUrl = document.body.dataset.idleUrl;
  var fields = function () {
    return document.querySelectorAll("input:not([type=hidden]):not([type=radio]):not([type=checkbox]), textarea");
  };
  if (idleSeconds > 0 && idleUrl) {
    var timer = 0;
    var atRest = function () {
      var typed = Array.prototype.some.call(fields(), function (field) { return field.value !== ""; });
      var html = document.documentElement;
      return document.body.dataset.kioskStart !== undefined && !typed && !html.classList.contains("care") && html.lang.indexOf("zh") === 0;
    };
    var arm = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(goHome, idleSeconds * 1000);
    };
    var goHome = function () {
      if (atRest()) { arm(); return; }
      Array.prototype.forEach.call(fields(), function (field) { field.value = ""; });
      document.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (box) { box.checked = false; });
      window.location.replace(idleUrl);
    };
    ["pointerdown", "keydown", "input", "wheel"].forEach(function (type) {
      document.addEventListener(type, arm, { capture: true, passive: true });
    });
    arm();
  }

  // The walk-in's chosen matter, shown by the 取号 button (the radio's label).
  var chosen = document.getElementById("chosen-matter");
  if (chosen) {
    document.addEventListener("change", function (event) {
      var input = event.target;
      if (input.name !== "matter" || !input.checked) return;
      var label = input.closest("label");
      chosen.textContent = label ? label.textContent.trim() : input.value;
    });
  }

  // The ticket prints itself once (kiosk browsers print silently with --kiosk-printing); the button reprints.
  var ticket = document.querySelector("[data-autoprint]");
  if (ticket) {
    window.addEventListener("load", function () { window.print(); }, { once: true });
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
