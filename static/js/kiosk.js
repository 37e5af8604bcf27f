/* Kiosk pages: on-screen keypads, the matter filter, reading the page aloud, and printing the ticket. No framework. */
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

  // Narrow the matter tiles as the citizen types part of a name.
  var filter = document.getElementById("matter-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var words = filter.value.trim();
      document.querySelectorAll("[data-matter-name]").forEach(function (tile) {
        tile.hidden = words !== "" && tile.dataset.matterName.indexOf(words) === -1;
      });
    });
  }

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

  // The ticket prints itself once (kiosk browsers print silently with --kiosk-printing); the button reprints.
  var ticket = document.querySelector("[data-autoprint]");
  if (ticket) {
    window.addEventListener("load", function () { window.print(); }, { once: true });
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
