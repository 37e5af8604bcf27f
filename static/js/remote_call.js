/* The remote window's call: WebRTC between the hall's browser and central's, signalled through short polls of
 * each side's own site (the hall's front relays to central with the join ticket; media never touch a server).
 *
 * Roles: the hall offers (it owns the data channel), central answers. Each side's page, when it (re)loads,
 * starts reading the mailbox from its end and announces itself: central says "ready", the hall says "hello"
 * (central answers "ready"); on "ready" the hall makes a fresh offer with a new generation id, and everything
 * of an older generation is ignored. A connection that fails asks for the same: the hall re-offers (an ICE
 * restart), central says "ready". So a reload or a dropped network on either side renegotiates within seconds
 * and the session, which lives at central, goes on. ICE trickles: the offer and the answer leave as soon as
 * they are made, and each candidate follows as its own "candidate" message of the same generation, in order
 * (one chain of posts per side), so a slow STUN or TURN server never holds the call up; a candidate that
 * arrives before its description waits for it.
 */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("#csrf-holder input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function RemoteError(status, code, detail, errors) {
    this.status = status;
    this.code = code;
    this.message = detail;
    this.errors = errors || {}; // by form field, when the refusal names them (the application form's answers)
  }

  async function answerOf(response) {
    var body = {};
    try { body = await response.json(); } catch (e) { body = {}; }
    if (!response.ok) throw new RemoteError(response.status, body.code || "", body.detail || response.statusText, body.errors);
    return body;
  }

  async function postJSON(url, data) {
    return answerOf(await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(data || {}),
    }));
  }

  async function postForm(url, formData) {
    return answerOf(await fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() }, body: formData }));
  }

  async function getJSON(url, params) {
    var query = new URLSearchParams(params || {}).toString();
    return answerOf(await fetch(url + (query ? "?" + query : ""), { credentials: "same-origin", headers: { Accept: "application/json" } }));
  }

  function newGeneration() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  }

  function RemoteCall(options) {
    this.role = options.role;
    this.urls = options.urls;
    this.iceServers = options.iceServers || [];
    // "relay": only candidates through a TURN server of iceServers (REMOTE_ICE_TRANSPORT_POLICY).
    this.iceTransportPolicy = options.iceTransportPolicy === "relay" ? "relay" : "all";
    // Record the call's media here and upload each connection's recording when it ends (REMOTE_RECORDING, at
    // central's page only: its URL is given there).
    this.recordUrl = options.recordUrl || "";
    // The server's limit on one part of the recording (REMOTE_RECORDING_MAX_BYTES): a part is cut below it.
    this.recordMaxBytes = options.recordMaxBytes || 0;
    // The server refused a part as it will refuse every later one (the session's parts are full): no more recording.
    this.recordRefused = false;
    this.recordFailed = false; // a part of the connection being recorded was not saved (it was said)
    this.uploads = 0; // parts on their way up
    this.recorder = null;
    this.remoteStream = null;
    this.pollMs = options.pollMs || 800;
    // Once the data channel is open, typing, chat and "look now" nudges cross it directly; the polls only
    // catch what a nudge missed, so they slow down (and speed up again when the connection is lost).
    this.pollConnectedMs = options.pollConnectedMs || this.pollMs;
    this.timer = null;
    this.polling = false;
    this.again = false;
    this.handlers = options.handlers || {};
    this.media = { local: options.localVideo, remote: options.remoteVideo, audio: options.remoteAudio };
    this.cursor = null; // null: the first poll only finds the mailbox's end
    this.formSeq = -1;
    this.pointerSeq = -1;
    this.gen = null;
    this.pc = null;
    this.channel = null;
    this.stream = null;
    this.status = options.status || "";
    this.connected = false;
    this.stopped = false;
    this.lastAsk = 0;
    this.failTimer = null;
    this.wasConnected = false; // the current connection got through: its loss is a real drop
    this.dropped = false; // a connection that was up dropped, and no offer has renegotiated since
    this.sending = Promise.resolve(); // the posts of this side's signals, one after another
    this.early = []; // candidates of the current generation that came before its description
  }

  RemoteCall.prototype.emit = function (name, value, detail) {
    if (this.handlers[name]) this.handlers[name](value, detail);
  };

  RemoteCall.prototype.start = async function () {
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
      if (this.media.local) this.media.local.srcObject = this.stream;
    } catch (e) {
      this.stream = null; // no camera or refused: the call still carries the other side's media and the chat
      this.emit("nomedia", e);
    }
    this.poll();
  };

  // Every signal of this side (hello or ready, a description and then its candidates) is posted in the order it
  // was made, one post after another: a candidate never reaches the other side's mailbox before the offer or
  // answer it belongs to, and no two messages of one side are stored out of order (the other side reads
  // after its cursor, by id, and would skip one).
  RemoteCall.prototype.signalInOrder = function (kind, body) {
    var call = this;
    var sent = this.sending.then(function () { return postJSON(call.urls.signal, { kind: kind, body: body || {} }); });
    this.sending = sent.catch(function () {});
    return sent;
  };

  // Poll now (the other side nudged: something changed), unless a poll is already under way, which then
  // runs once more as soon as it is done.
  RemoteCall.prototype.pollNow = function () {
    if (this.stopped) return;
    if (this.polling) { this.again = true; return; }
    clearTimeout(this.timer);
    this.poll();
  };

  RemoteCall.prototype.poll = async function () {
    if (this.stopped) return;
    this.polling = true;
    this.again = false;
    var open = this.connected && this.channel && this.channel.readyState === "open";
    var wait = open ? this.pollConnectedMs : this.pollMs;
    try {
      var first = this.cursor === null;
      var params = { after: first ? 0 : this.cursor, form_seq: this.formSeq, pointer_seq: this.pointerSeq };
      if (first) params.start = "1";
      var state = await getJSON(this.urls.poll, params);
      this.cursor = state.cursor || this.cursor || 0;
      if (typeof state.form_seq === "number") this.formSeq = state.form_seq;
      if (typeof state.pointer_seq === "number") this.pointerSeq = state.pointer_seq;
      this.status = state.status;
      this.emit("state", state);
      if (state.status === "ended") {
        this.polling = false;
        this.end();
        this.emit("ended", state);
        return;
      }
      if (first) {
        // A (re)loaded page: the mailbox's old messages belong to a page that is gone.
        if (this.role === "central") await this.signalInOrder("ready", {});
        else if (state.status === "active") await this.signalInOrder("hello", {});
      } else {
        for (var i = 0; i < (state.signals || []).length; i++) await this.onSignal(state.signals[i]);
      }
      this.watchdog();
    } catch (error) {
      if (error instanceof RemoteError && (error.status === 404 || error.status === 403)) {
        this.polling = false;
        this.stopped = true;
        this.emit("lost", error);
        return;
      }
      this.emit("offline", error);
      wait = 2000;
    }
    var call = this;
    this.polling = false;
    this.timer = setTimeout(function () { call.poll(); }, this.again ? 0 : wait);
  };

  // Not connected for a while although the session is live: ask the other side again (the hall says hello,
  // marked "again" so that central neither logs a page that re-joined nor drops the connection it is making;
  // central says ready), at most every ten seconds.
  RemoteCall.prototype.watchdog = function () {
    if (this.status !== "active" || this.connected) return;
    var now = Date.now();
    if (this.lastAsk && now - this.lastAsk < 10000) return;
    if (!this.lastAsk) { this.lastAsk = now; return; }
    this.lastAsk = now;
    if (this.role === "central") this.signalInOrder("ready", {}).catch(function () {});
    else this.signalInOrder("hello", { again: true }).catch(function () {});
  };

  RemoteCall.prototype.onSignal = async function (message) {
    var body = message.body || {};
    if (this.role === "hall") {
      if (message.kind === "ready") await this.offer(false);
      else if (message.kind === "answer" && body.gen === this.gen && this.pc) {
        await this.pc.setRemoteDescription({ type: "answer", sdp: body.sdp });
        await this.addEarlyCandidates();
      } else if (message.kind === "candidate") await this.addCandidate(body);
      else if (message.kind === "bye") this.dropPeer();
    } else {
      if (message.kind === "hello") {
        // A reloaded hall page: its old connection is gone. The hall's watchdog asking again: a new offer
        // follows the ready and replaces the connection being made; until then it may still get through.
        if (!body.again) this.dropPeer();
        this.lastAsk = Date.now();
        await this.signalInOrder("ready", {});
      }
      else if (message.kind === "offer" && body.gen) await this.answer(body);
      else if (message.kind === "candidate") await this.addCandidate(body);
      else if (message.kind === "bye") this.dropPeer();
    }
  };

  // The other side's candidate, if it belongs to the connection being made now (an older generation's is
  // dropped); kept until the description it follows is set.
  RemoteCall.prototype.addCandidate = async function (body) {
    if (!this.pc || body.gen !== this.gen || typeof body.candidate !== "string") return;
    var candidate = { candidate: body.candidate, sdpMid: body.sdpMid, sdpMLineIndex: body.sdpMLineIndex };
    if (!this.pc.remoteDescription) { this.early.push(candidate); return; }
    try { await this.pc.addIceCandidate(candidate); } catch (e) { /* a candidate the browser cannot use */ }
  };

  RemoteCall.prototype.addEarlyCandidates = async function () {
    var early = this.early;
    this.early = [];
    for (var i = 0; i < early.length; i++) {
      try { await this.pc.addIceCandidate(early[i]); } catch (e) { /* as above */ }
    }
  };

  RemoteCall.prototype.newPeer = function () {
    this.dropPeer();
    var call = this;
    var pc = new RTCPeerConnection({ iceServers: this.iceServers, iceTransportPolicy: this.iceTransportPolicy });
    this.pc = pc;
    this.wasConnected = false;
    var remote = new MediaStream();
    pc.ontrack = function (event) {
      var stream = event.streams && event.streams[0] ? event.streams[0] : remote;
      if (!event.streams || !event.streams[0]) remote.addTrack(event.track);
      call.remoteStream = stream;
      if (call.media.remote) call.media.remote.srcObject = stream;
      if (call.media.audio && event.track.kind === "audio") {
        call.media.audio.srcObject = stream;
        var playing = call.media.audio.play();
        if (playing && playing.catch) playing.catch(function () { call.emit("sound-blocked"); });
      }
      if (call.media.remote) {
        var video = call.media.remote.play();
        if (video && video.catch) video.catch(function () {});
      }
    };
    pc.onconnectionstatechange = function () {
      if (pc !== call.pc) return;
      var state = pc.connectionState;
      if (state === "connected") {
        call.connected = true;
        call.wasConnected = true;
        call.dropped = false; // healed by itself, or renegotiated
        clearTimeout(call.failTimer);
        call.startRecording();
        call.emit("connection", "connected");
      } else if (state === "failed" || state === "disconnected") {
        call.connected = false;
        if (call.wasConnected) call.dropped = true;
        // The renegotiation below comes first; the watchdog's asking again waits its ten seconds after it.
        call.lastAsk = Date.now();
        call.emit("connection", "reconnecting");
        clearTimeout(call.failTimer);
        // "disconnected" often heals by itself; "failed" does not.
        call.failTimer = setTimeout(function () { call.recover(); }, state === "failed" ? 500 : 4000);
      }
    };
    pc.ondatachannel = function (event) { call.useChannel(event.channel); };
    pc.onicecandidate = function (event) {
      if (pc !== call.pc || !event.candidate || !event.candidate.candidate) return; // the end, or an old peer
      call.signalInOrder("candidate", {
        gen: call.gen,
        candidate: event.candidate.candidate,
        sdpMid: event.candidate.sdpMid,
        sdpMLineIndex: event.candidate.sdpMLineIndex,
      }).catch(function () {}); // lost: the watchdog renegotiates if the connection never comes
    };
    return pc;
  };

  RemoteCall.prototype.recover = function () {
    if (this.stopped || this.status !== "active" || (this.pc && this.pc.connectionState === "connected")) return;
    if (this.role === "hall") this.offer(true);
    else { this.lastAsk = Date.now(); this.signalInOrder("ready", {}).catch(function () {}); }
  };

  RemoteCall.prototype.addLocalTracks = function (pc, offering) {
    var stream = this.stream;
    ["audio", "video"].forEach(function (kind) {
      var track = stream ? stream.getTracks().find(function (t) { return t.kind === kind; }) : null;
      if (track) pc.addTrack(track, stream);
      else if (offering) pc.addTransceiver(kind, { direction: "recvonly" });
    });
  };

  // A new offer: "restart" when it renegotiates a connection that failed. The first offer after a connection that
  // was up dropped (made here or on central's ready) is the drop central's log records; a restart that only
  // retries one that never got through is marked "retry", so that one drop is one line in the log.
  RemoteCall.prototype.offer = async function (restart) {
    var drop = this.dropped;
    this.dropped = false;
    var pc = this.newPeer();
    this.gen = newGeneration();
    this.early = [];
    var gen = this.gen;
    this.useChannel(pc.createDataChannel("work", { ordered: true }));
    this.addLocalTracks(pc, true);
    this.emit("connection", "connecting");
    var offer = await pc.createOffer();
    if (gen !== this.gen) return;
    // Posted before the description is set: the candidates it starts to gather queue behind it.
    var sent = this.signalInOrder("offer", { gen: gen, sdp: offer.sdp, restart: !!restart || drop, retry: !!restart && !drop });
    await pc.setLocalDescription(offer);
    await sent;
  };

  RemoteCall.prototype.answer = async function (offer) {
    var pc = this.newPeer();
    this.gen = offer.gen;
    this.early = [];
    this.emit("connection", "connecting");
    await pc.setRemoteDescription({ type: "offer", sdp: offer.sdp });
    this.addLocalTracks(pc, false); // reuses the transceivers the offer made
    var answer = await pc.createAnswer();
    if (offer.gen !== this.gen) return;
    var sent = this.signalInOrder("answer", { gen: offer.gen, sdp: answer.sdp });
    await pc.setLocalDescription(answer);
    await this.addEarlyCandidates();
    await sent;
  };

  RemoteCall.prototype.useChannel = function (channel) {
    var call = this;
    this.channel = channel;
    channel.onopen = function () {
      if (channel !== call.channel) return;
      var media = call.mediaState(); // what this side has muted or turned off, told again on each connection
      call.send({ t: "media", audio: media.audio, video: media.video });
      call.emit("channel", true);
    };
    channel.onclose = function () { if (channel === call.channel) call.emit("channel", false); };
    channel.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (!message || typeof message.t !== "string") return;
      if (message.t === "sync" || message.t === "bye") call.pollNow();
      call.emit("message", message);
    };
  };

  RemoteCall.prototype.send = function (message) {
    if (!this.channel || this.channel.readyState !== "open") return false;
    this.channel.send(JSON.stringify(message));
    return true;
  };

  // Tell the other side to poll now: something it must see changed at the server (a scan asked for or
  // uploaded, a pointer, the end).
  RemoteCall.prototype.nudge = function () {
    return this.send({ t: "sync" });
  };

  // --- Recording (REMOTE_RECORDING) ---------------------------------------------------------------------
  // Each connection of the call is recorded from the moment it connects until it drops or the call ends: the
  // other side's video and both sides' voices (mixed), as WebM, in parts, each uploaded when it stops. The server
  // refuses a part larger than REMOTE_RECORDING_MAX_BYTES whole, so a part that nears it is stopped and the next
  // one started on the same tracks at once: a new recorder, because only a recorder's output from its start is a
  // WebM file that plays (a later slice of it has no header). The browser so holds the part being recorded and
  // those on their way up, never the whole call.
  var VIDEO_BPS = 400000;
  // What the recorder makes a second, roughly: the video's bitrate and a generous 128 kbps for the voices (Opus).
  var BYTES_PER_SECOND = (VIDEO_BPS + 128000) / 8;
  // Of the server's limit: a part ends before the next slice could take it past this share, and the margin left
  // takes a slice larger than the one before it (a key frame, a bitrate still rising) and what the stopped
  // recorder still hands over.
  var PART_SHARE = 0.9;

  // The recorder hands its data over every second, or more often when a part is short (a small limit): a slice is
  // at most a twentieth of a part, so the margin holds two.
  function sliceMs(maxBytes) {
    if (!maxBytes) return 1000;
    return Math.max(100, Math.min(1000, Math.floor((maxBytes / BYTES_PER_SECOND) * 1000 / 20)));
  }

  // Refusals every later part of this page would get too: the session's parts are full or it was never answered
  // (invalid_state), it records nothing (recording_off), it is not this page's (403, 404).
  function refusesEveryPart(error) {
    if (!(error instanceof RemoteError)) return false; // the network: the next part may well get through
    return error.status === 403 || error.status === 404 || error.code === "invalid_state" || error.code === "recording_off";
  }

  RemoteCall.prototype.startRecording = function () {
    if (!this.recordUrl || this.recordRefused || this.recorder) return;
    if (!window.MediaRecorder || !this.remoteStream) return;
    var tracks = this.remoteStream.getVideoTracks().slice(0, 1);
    var voices = this.remoteStream.getAudioTracks().concat(this.stream ? this.stream.getAudioTracks() : []);
    var Context = window.AudioContext || window.webkitAudioContext;
    if (voices.length && Context) {
      var context = this.audioContext || (this.audioContext = new Context());
      if (context.state === "suspended" && context.resume) context.resume().catch(function () {});
      var mix = context.createMediaStreamDestination();
      voices.forEach(function (track) { context.createMediaStreamSource(new MediaStream([track])).connect(mix); });
      this.mix = mix;
      tracks = tracks.concat(mix.stream.getAudioTracks());
    }
    if (!tracks.length) return;
    this.recordTracks = tracks;
    this.recordFailed = false;
    if (this.recordPart()) this.emit("recording", "on");
  };

  // A new recorder on this connection's tracks: the first part, or the next one when the last neared the limit.
  RemoteCall.prototype.recordPart = function () {
    var call = this;
    var type = ["video/webm;codecs=vp8,opus", "video/webm"].find(function (t) { return MediaRecorder.isTypeSupported(t); }) || "";
    var recorder;
    try {
      var options = type ? { mimeType: type, videoBitsPerSecond: VIDEO_BPS } : {};
      recorder = new MediaRecorder(new MediaStream(this.recordTracks), options);
    } catch (e) { this.emit("recording", "failed"); return false; }
    var chunks = [];
    var size = 0;
    var share = this.recordMaxBytes * PART_SHARE;
    recorder.ondataavailable = function (event) {
      if (!event.data || !event.data.size) return;
      chunks.push(event.data);
      size += event.data.size;
      // Another slice like this one would take the part past its share: it ends here, the next starts at once.
      if (share && call.recorder === recorder && size + event.data.size > share) {
        call.stopRecording();
        call.recordPart();
      }
    };
    recorder.onstop = function () {
      if (call.recorder === recorder) call.recorder = null;
      var blob = chunks.length && !call.recordRefused ? new Blob(chunks, { type: "video/webm" }) : null;
      chunks = [];
      if (blob) call.uploadRecording(blob);
      else call.recordingSettled(); // stopped with nothing new (just after the part before it was cut)
    };
    recorder.start(sliceMs(this.recordMaxBytes));
    this.recorder = recorder;
    return true;
  };

  RemoteCall.prototype.stopRecording = function () {
    var recorder = this.recorder;
    this.recorder = null;
    if (recorder && recorder.state !== "inactive") { try { recorder.stop(); } catch (e) { /* already stopped */ } }
  };

  // A part that fails says so at once. A refusal every later part would get also stops the recording on this page,
  // its current part unsent, and says why (the server's words).
  RemoteCall.prototype.uploadRecording = function (blob) {
    var call = this;
    var form = new FormData();
    form.append("file", blob, "recording.webm");
    this.uploads += 1;
    return postForm(this.recordUrl, form).catch(function (error) {
      if (call.recordRefused) return;
      call.recordFailed = true;
      if (refusesEveryPart(error)) {
        call.recordRefused = true;
        call.stopRecording();
      }
      call.emit("recording", "failed", error);
    }).then(function () {
      call.uploads -= 1;
      call.recordingSettled();
    });
  };

  // "Saved" once the connection's recording has stopped and all its parts are up, none failed (a part saved while
  // the next one records leaves "on" shown).
  RemoteCall.prototype.recordingSettled = function () {
    if (!this.recorder && !this.uploads && !this.recordFailed && !this.recordRefused) this.emit("recording", "saved");
  };

  // The state of this side's microphone and camera (true: on), as the other side is told across the channel.
  RemoteCall.prototype.mediaState = function () {
    var on = function (tracks) { return tracks.length > 0 && tracks.some(function (t) { return t.enabled; }); };
    if (!this.stream) return { audio: false, video: false };
    return { audio: on(this.stream.getAudioTracks()), video: on(this.stream.getVideoTracks()) };
  };

  RemoteCall.prototype.dropPeer = function () {
    this.stopRecording();
    if (this.pc) { try { this.pc.close(); } catch (e) { /* already closed */ } }
    this.pc = null;
    this.channel = null;
    this.connected = false;
    this.emit("channel", false);
  };

  RemoteCall.prototype.toggle = function (kind) {
    if (!this.stream) return null;
    var tracks = kind === "audio" ? this.stream.getAudioTracks() : this.stream.getVideoTracks();
    var enabled = null;
    tracks.forEach(function (track) { track.enabled = !track.enabled; enabled = track.enabled; });
    this.send({ t: "media", audio: this.mediaState().audio, video: this.mediaState().video });
    return enabled;
  };

  RemoteCall.prototype.end = function () {
    this.stopped = true;
    this.status = "ended";
    this.dropPeer();
    if (this.stream) this.stream.getTracks().forEach(function (track) { track.stop(); });
  };

  window.RemoteCall = RemoteCall;
  window.remoteHttp = { postJSON: postJSON, postForm: postForm, getJSON: getJSON, RemoteError: RemoteError };
})();
