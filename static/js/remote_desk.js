/* Central's remote-window desk: the department's ringing queue, refreshed every two seconds. Each row answers
 * with an ordinary form POST (the first to answer owns the session; the others are told on the page). */
(function () {
  "use strict";
  var desk = document.getElementById("remote-desk");
  if (!desk) return;
  var body = document.querySelector("#ringing tbody");
  var rowTemplate = document.getElementById("ringing-row");
  var emptyTemplate = document.getElementById("ringing-empty");
  var seconds = (document.getElementById("seconds-label") || {}).textContent || "s";
  var token = (document.querySelector("#csrf-holder input[name=csrfmiddlewaretoken]") || {}).value || "";

  function render(queue) {
    body.textContent = "";
    if (!queue.length) { body.appendChild(emptyTemplate.content.cloneNode(true)); return; }
    queue.forEach(function (row) {
      var node = rowTemplate.content.cloneNode(true);
      var tr = node.querySelector("tr");
      tr.dataset.session = row.id;
      var cells = { matter: row.matter, hall: row.hall, device: row.device + (row.ticket ? " · " + row.ticket : ""),
        waited: row.waited + " " + seconds, ring_left: row.ring_left + " " + seconds };
      Object.keys(cells).forEach(function (name) { tr.querySelector('[data-cell="' + name + '"]').textContent = cells[name]; });
      var form = tr.querySelector("form");
      form.action = desk.dataset.answerUrl.replace("00000000-0000-0000-0000-000000000000", row.id);
      form.querySelector("input[name=csrfmiddlewaretoken]").value = token;
      body.appendChild(node);
    });
  }

  function refresh() {
    fetch(desk.dataset.queueUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) render(data.queue); })
      .catch(function () {})
      .then(function () { setTimeout(refresh, 2000); });
  }
  setTimeout(refresh, 2000);
})();
