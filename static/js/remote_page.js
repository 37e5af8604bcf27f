/* The remote window's session page, for both sides (data-role="hall" at the hall's front, "central" at central):
 * the call (remote_call.js), chat over the data channel, the shared form (typed fields cross the data channel at
 * once and are saved through each side's own site, which keeps central's copy), central's pointer, the
 * materials checklist with scans, and, at central, the identity check and the outcome; at the hall, the outcome
 * with its case, query password and documents. No inline script: settings come from the #remote-page JSON. */
(function () {
  "use strict";

  var root = document.getElementById("remote-session");
  var settingsNode = document.getElementById("remote-page");
  if (!root || !settingsNode || !window.RemoteCall) return;
  var page = JSON.parse(settingsNode.textContent);
  var http = window.remoteHttp;
  var role = page.role;
  var $ = function (id) { return document.getElementById(id); };
  var labels = $("call-labels") ? $("call-labels").dataset : {};
  var text = function (id) { var node = $(id); return node ? node.textContent : ""; };

  function setState(message) { var node = $("call-state"); if (node) node.textContent = message; }
  function showError(error) {
    setState((error && error.message) || labels.offline || "");
    // A refusal that names fields of the application form (remote acceptance with answers missing or wrong):
    // each one is marked where it is, and pointed at.
    var errors = (error && error.errors) || {};
    document.querySelectorAll("[data-field-error]").forEach(function (node) {
      var message = errors[node.dataset.fieldError];
      node.hidden = !message;
      node.textContent = message || "";
      node.closest("[data-field-row]").classList.toggle("has-error", !!message);
    });
  }

  // --- Chat -------------------------------------------------------------------------------------------

  function chatLine(who, message) {
    var item = document.createElement("li");
    var name = document.createElement("strong");
    name.textContent = who + "：";
    item.appendChild(name);
    item.appendChild(document.createTextNode(message));
    $("chat-log").appendChild(item);
    item.scrollIntoView({ block: "nearest" });
  }

  // --- The shared form ------------------------------------------------------------------------------

  var fields = Array.prototype.slice.call(document.querySelectorAll("[data-field]"));
  var edited = {}; // field -> time of the last local keystroke
  var saveTimers = {};

  function saveField(name, value) {
    clearTimeout(saveTimers[name]);
    saveTimers[name] = setTimeout(function () {
      var data = {};
      data[name] = value;
      http.postJSON(page.urls.form, { fields: data }).catch(showError);
    }, 400);
  }

  fields.forEach(function (input) {
    input.addEventListener("input", function () {
      var name = input.dataset.field;
      edited[name] = Date.now();
      call.send({ t: "form", field: name, value: input.value });
      saveField(name, input.value);
      var row = input.closest("[data-field-row]");
      if (row) row.classList.remove("pointed");
    });
  });

  function applyField(name, value) {
    var input = document.querySelector('[data-field="' + name + '"]');
    if (!input || typeof value !== "string") return;
    // What is being typed here wins over an older copy.
    if (document.activeElement === input && Date.now() - (edited[name] || 0) < 3000) return;
    if (input.value !== value) input.value = value;
  }

  // --- Pointer (central points the hall at a field or a material) -------------------------------------

  var shownPointer = "";
  function showPointer(pointer) {
    if (!pointer || !pointer.target) return;
    var key = pointer.target + "|" + (pointer.seq || "");
    document.querySelectorAll(".pointed").forEach(function (node) { node.classList.remove("pointed"); });
    var parts = pointer.target.split(":");
    var node = parts[0] === "field"
      ? document.querySelector('[data-field-row="' + parts[1] + '"]')
      : document.querySelector('[data-material="' + parts.slice(1).join(":") + '"]');
    if (node) { node.classList.add("pointed"); node.scrollIntoView({ block: "nearest" }); }
    var banner = $("pointer");
    if (banner && role === "hall") {
      banner.hidden = false;
      banner.textContent = text("label-pointed") + (pointer.label || "") + (pointer.note ? "（" + pointer.note + "）" : "");
    }
    shownPointer = key;
  }

  document.querySelectorAll("[data-point]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = button.dataset.point;
      http.postJSON(page.urls.point, { target: target }).then(function () {
        var label = button.closest("li, [data-field-row]");
        var name = label ? label.dataset.label || (label.querySelector("label, .name") || label).textContent.trim() : "";
        call.send({ t: "point", target: target, label: name });
        call.nudge();
        showPointer({ target: target });
      }).catch(showError);
    });
  });

  // --- Materials and scans ---------------------------------------------------------------------------

  function showScans(scans) {
    var byMaterial = {};
    (scans || []).forEach(function (scan) {
      var seen = byMaterial[scan.material];
      if (!seen || scan.uploaded || !seen.uploaded) byMaterial[scan.material] = scan;
    });
    document.querySelectorAll("[data-material]").forEach(function (item) {
      var scan = byMaterial[item.dataset.material];
      var state = item.querySelector("[data-scan-state]");
      if (!state) return;
      item.classList.toggle("requested", !!(scan && scan.requested && !scan.uploaded));
      item.classList.toggle("uploaded", !!(scan && scan.uploaded));
      state.textContent = "";
      if (!scan) return;
      if (scan.uploaded && scan.url) {
        var link = document.createElement("a");
        link.href = scan.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.dataset.scanLink = item.dataset.material;
        link.textContent = text("label-view");
        state.appendChild(link);
      } else {
        state.textContent = scan.uploaded ? text("label-uploaded") : text("label-requested");
      }
      if (role === "hall" && scan.requested && !scan.uploaded && $("scan-material") && !$("scan-material").dataset.chosen) {
        $("scan-material").value = item.dataset.material;
      }
    });
  }

  function uploadScan(blob, name) {
    var form = new FormData();
    form.append("material", $("scan-material").value);
    form.append("file", blob, name);
    $("scan-result").textContent = "…";
    return http.postForm(page.urls.scan, form).then(function () {
      var option = $("scan-material").selectedOptions[0];
      $("scan-result").textContent = text("label-scan-sent") + (option ? option.textContent : "");
      call.nudge();
    }).catch(function (error) { $("scan-result").textContent = error.message; });
  }

  if (role === "hall" && $("scan-panel")) {
    $("scan-material").addEventListener("change", function () { $("scan-material").dataset.chosen = "1"; });
    $("scan-capture").addEventListener("click", function () {
      // The document camera's picture (here: the hall's camera), a frame as JPEG.
      var video = $("local-video");
      if (!video || !video.videoWidth) { $("scan-result").textContent = labels.nomedia || ""; return; }
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      canvas.toBlob(function (blob) { if (blob) uploadScan(blob, "scan.jpg"); }, "image/jpeg", 0.9);
    });
    $("scan-upload").addEventListener("click", function () {
      var file = $("scan-file").files[0];
      if (file) uploadScan(file, file.name);
    });
  }

  document.querySelectorAll("[data-scan-request]").forEach(function (button) {
    button.addEventListener("click", function () {
      http.postJSON(page.urls.scan_request, { material: button.dataset.scanRequest }).then(function () { call.nudge(); }).catch(showError);
    });
  });

  // --- Outcome --------------------------------------------------------------------------------------

  var outcomeShown = false;
  var passwordShown = false;
  var printed = {}; // the documents this page printed by itself

  // The document (a PDF at this site) printed from a frame of this page: the browser's print of the PDF itself,
  // not of the page; if the frame cannot print, the PDF opens for the browser's own print.
  function printDocument(url) {
    document.querySelectorAll("iframe.print-frame").forEach(function (old) { if (old.dataset.url === url) old.remove(); });
    var frame = document.createElement("iframe");
    frame.dataset.url = url;
    frame.className = "print-frame";
    frame.title = text("label-print");
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    frame.addEventListener("load", function () {
      try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (e) { window.open(url, "_blank", "noopener"); }
    }, { once: true });
    frame.src = url;
    document.body.appendChild(frame);
  }
  function showOutcome(state) {
    var box = $("outcome");
    if (!box) return;
    box.hidden = false;
    $("outcome-note").textContent = state.end_note || labels.ended || "";
    if (state.case) {
      $("case-box").hidden = false;
      $("case-pending").hidden = true;
      $("case-number").textContent = state.case.number;
      $("case-status").textContent = state.case.status;
      if (state.case.password && !passwordShown) {
        passwordShown = true;
        $("query-password").textContent = state.case.password;
        $("password-box").hidden = false;
        $("password-hint").hidden = false;
      }
      var list = $("documents");
      list.textContent = "";
      state.case.documents.forEach(function (doc) {
        var url = page.urls.document.replace("CODE", doc.code);
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = doc.kind + "（PDF）";
        item.appendChild(link);
        var again = document.createElement("button");
        again.type = "button";
        again.dataset.printDocument = doc.code;
        again.textContent = text("label-print");
        again.addEventListener("click", function () { printDocument(url); });
        item.appendChild(document.createTextNode(" "));
        item.appendChild(again);
        list.appendChild(item);
        // A kiosk prints the voucher itself, once, as it prints a queue ticket (kiosk browsers print silently
        // with --kiosk-printing); at a window the clerk prints it with the button.
        if (page.autoprint && !printed[doc.code]) { printed[doc.code] = true; printDocument(url); }
      });
    } else if (state.callback) {
      $("callback-box").hidden = false;
      $("callback-code").textContent = state.callback.code;
    } else if (["accepted", "one_time_notice", "refused", "unanswered"].indexOf(state.outcome) >= 0) {
      $("case-pending").hidden = false;
    }
    return !!(state.case || state.callback) || ["hung_up", "cancelled"].indexOf(state.outcome) >= 0;
  }

  // A kiosk left alone after the end goes back to its start (the outcome shows a query password); a call in
  // progress is never interrupted, however long nobody touches the screen.
  function idleAfterEnd() {
    if (!(page.idle_seconds > 0)) return;
    var timer = 0;
    var arm = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { window.location.replace(page.urls.done); }, page.idle_seconds * 1000);
    };
    ["pointerdown", "keydown", "wheel"].forEach(function (type) { document.addEventListener(type, arm, { capture: true, passive: true }); });
    arm();
  }

  function followOutcome(state) {
    // The case (or the call-back ticket) comes with central's message a moment after the end.
    if (showOutcome(state)) return;
    var tries = 0;
    (function again() {
      if (++tries > 120) return;
      setTimeout(function () {
        http.getJSON(page.urls.poll, {}).then(function (next) { if (!showOutcome(next)) again(); }).catch(again);
      }, 1500);
    })();
  }

  // --- Microphone and camera ----------------------------------------------------------------------------

  // What the other side muted or turned off (told across the data channel when it changes and on each
  // connection).
  function showTheirMedia(message) {
    var node = $("remote-media");
    if (!node) return;
    var said = [];
    if (message.audio === false) said.push(node.dataset.muted);
    if (message.video === false) said.push(node.dataset.cameraOff);
    node.textContent = said.join(" · ");
    node.hidden = !said.length;
    root.dataset.remoteAudio = message.audio === false ? "off" : "on";
    root.dataset.remoteVideo = message.video === false ? "off" : "on";
  }

  // --- The call ---------------------------------------------------------------------------------------

  var call = new window.RemoteCall({
    role: role,
    urls: page.urls,
    iceServers: page.ice_servers,
    iceTransportPolicy: page.ice_transport_policy,
    recordUrl: role === "central" && page.recording ? page.urls.recording : "",
    recordMaxBytes: page.recording_max_bytes,
    pollMs: page.poll_ms,
    pollConnectedMs: page.poll_connected_ms,
    status: page.status,
    localVideo: $("local-video"),
    remoteVideo: $("remote-video"),
    remoteAudio: $("remote-audio"),
    handlers: {
      state: function (state) {
        if (state.form) Object.keys(state.form).forEach(function (name) { applyField(name, state.form[name]); });
        if (state.pointer && state.pointer.target) showPointer(state.pointer);
        showScans(state.scans);
        if (role === "central" && $("identity-state") && state.identity_confirmed) $("identity-state").hidden = false;
        if (state.status === "ringing") {
          setState(labels.waiting);
          var ring = $("ring-left");
          if (ring) { ring.hidden = false; ring.textContent = ring.dataset.template.replace("{s}", state.ring_left); }
        } else if (state.status === "active") {
          if ($("ring-left")) $("ring-left").hidden = true;
          if (!call.connected) setState(labels.connecting + (state.staff ? " · " + state.staff : ""));
          else setState(labels.connected + (state.staff ? " · " + state.staff : ""));
        }
      },
      ended: function (state) {
        setState(labels.ended);
        root.classList.add("ended");
        document.querySelectorAll("#remote-session button:not(#done)").forEach(function (b) { b.disabled = true; });
        if (role === "hall" && !outcomeShown) { outcomeShown = true; followOutcome(state); idleAfterEnd(); }
      },
      connection: function (status) {
        if (status === "connected") setState(labels.connected);
        else if (status === "reconnecting") setState(labels.reconnecting);
        else if (status === "connecting") setState(labels.connecting);
        root.dataset.connection = status;
      },
      channel: function (open) {
        $("chat-input").disabled = !open;
        $("chat-send").disabled = !open;
        root.dataset.channel = open ? "open" : "closed";
        if (open) {
          // Whatever was typed before the channel opened goes across now.
          fields.forEach(function (input) { if (input.value) call.send({ t: "form", field: input.dataset.field, value: input.value }); });
        }
      },
      message: function (message) {
        if (message.t === "chat" && typeof message.text === "string") chatLine(text("label-them"), message.text);
        else if (message.t === "form" && typeof message.field === "string") applyField(message.field, message.value);
        else if (message.t === "point" && role === "hall") showPointer({ target: message.target, label: message.label });
        else if (message.t === "media") showTheirMedia(message);
      },
      nomedia: function () { setState(labels.nomedia); },
      recording: function (state, error) {
        var node = $("recording-state");
        if (!node || !node.dataset[state]) return;
        node.hidden = false;
        node.dataset.state = state;
        // A refusal says why in the server's words (the session's parts are full: recording stopped).
        var why = error instanceof http.RemoteError && error.code ? error.message : "";
        node.textContent = node.dataset[state] + (why ? " · " + why : "");
      },
      "sound-blocked": function () { if ($("sound")) $("sound").hidden = false; },
      offline: function () { setState(labels.offline); },
      lost: function (error) { showError(error); },
    },
  });

  $("chat-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("chat-input");
    var message = input.value.trim();
    if (!message || !call.send({ t: "chat", text: message })) return;
    chatLine(text("label-me"), message);
    input.value = "";
  });

  $("mute").addEventListener("click", function () {
    var on = call.toggle("audio");
    if (on === null) return;
    this.setAttribute("aria-pressed", on ? "false" : "true");
    this.textContent = on ? this.dataset.off : this.dataset.on;
  });
  $("camera").addEventListener("click", function () {
    var on = call.toggle("video");
    if (on === null) return;
    this.setAttribute("aria-pressed", on ? "false" : "true");
    this.textContent = on ? this.dataset.off : this.dataset.on;
  });
  $("sound").addEventListener("click", function () {
    var audio = $("remote-audio");
    if (audio) audio.play().then(function () { $("sound").hidden = true; }).catch(function () {});
  });
  $("hangup").addEventListener("click", function () {
    http.postJSON(page.urls.hangup, {}).then(function () { call.send({ t: "bye" }); call.pollNow(); }).catch(showError);
  });

  // --- Central's own actions -----------------------------------------------------------------------------

  if (role === "central") {
    $("identity-confirm").addEventListener("click", function () {
      http.postJSON(page.urls.identity, { reason: $("identity-reason").value }).then(function () {
        $("identity-state").hidden = false;
        call.nudge();
      }).catch(showError);
    });
    $("note-save").addEventListener("click", function () {
      http.postJSON(page.urls.note, { text: $("internal-note").value }).catch(showError);
    });
    $("conclude").addEventListener("click", function () {
      var chosen = document.querySelector('input[name="outcome"]:checked');
      http.postJSON(page.urls.conclude, {
        outcome: chosen ? chosen.value : "",
        items: $("outcome-items").value,
        reason: $("outcome-reason").value,
        refer_to: $("outcome-refer").value,
      }).then(function () { call.send({ t: "bye" }); call.pollNow(); }).catch(showError);
    });
  }

  // Reachable from the page (the browser test drops the connection through it); it holds nothing secret.
  window.remoteCall = call;
  call.start();
})();
