/* The hall's display board. htmx swaps #board-live every two seconds; after each swap every call not yet
   announced is read aloud once, oldest first ("请 A001 号到 5 号窗口办理"). A call is one event on the
   server (a recall is a new call), so its id is the key: the last announced id is kept in sessionStorage,
   and what is on the board when it opens is not announced again. */
(function () {
  "use strict";

  var root = document.getElementById("board-live");
  if (!root) return;
  var storageKey = "board-last-call:" + root.dataset.hall;
  var voiceButton = document.getElementById("voice-toggle");

  function calls() {
    return Array.prototype.map
      .call(root.querySelectorAll("[data-call-id]"), function (el) {
        return { id: parseInt(el.dataset.callId, 10), say: el.dataset.say, el: el };
      })
      .sort(function (a, b) { return a.id - b.id; });
  }

  function remember(id) {
    try { sessionStorage.setItem(storageKey, String(id)); } catch (e) { /* private mode: memory only */ }
  }

  var stored = NaN;
  try { stored = parseInt(sessionStorage.getItem(storageKey) || "", 10); } catch (e) { /* ignore */ }
  var last = isNaN(stored)
    ? calls().reduce(function (max, call) { return Math.max(max, call.id); }, 0)
    : stored;
  remember(last);

  function speak(text) {
    if (!("speechSynthesis" in window) || !text) return;
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang === "en" ? "en-US" : "zh-CN";
    utterance.rate = 0.9;
    // Refused for want of a gesture after all: offer the button.
    utterance.onerror = function (event) {
      if (event.error === "not-allowed" && voiceButton) voiceButton.hidden = false;
    };
    window.speechSynthesis.speak(utterance);
  }

  function announceNew() {
    calls().forEach(function (call) {
      if (call.id <= last) return;
      last = call.id;
      call.el.classList.add("fresh");
      speak(call.say);
    });
    remember(last);
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target === root) announceNew();
  });

  // Browsers speak only after a first user gesture on the page, unless the board's browser was started for
  // kiosks with --autoplay-policy=no-user-gesture-required (README, "The hall's display board"): then the board
  // speaks by itself and no button shows. Otherwise one tap on the button is that gesture. The policy is read
  // as the browser applies it to sound: a new AudioContext starts "running" only where sound may start alone.
  function mayStartSound() {
    if (navigator.userActivation && navigator.userActivation.hasBeenActive) return true;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return true;
    try {
      var context = new Context();
      var running = context.state === "running";
      context.close();
      return running;
    } catch (e) {
      return true;
    }
  }

  if (voiceButton && "speechSynthesis" in window) {
    voiceButton.hidden = mayStartSound();
    voiceButton.addEventListener("click", function () {
      speak(voiceButton.dataset.say);
      voiceButton.hidden = true;
    });
  }
})();
