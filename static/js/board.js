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
    utterance.lang = "zh-CN";
    utterance.rate = 0.9;
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

  // Browsers speak only after a first user gesture on the page, unless started for kiosks with
  // --autoplay-policy=no-user-gesture-required. One tap on this button is that gesture.
  if (voiceButton && "speechSynthesis" in window) {
    voiceButton.hidden = false;
    voiceButton.addEventListener("click", function () {
      speak(voiceButton.dataset.say);
      voiceButton.hidden = true;
    });
  }
})();
