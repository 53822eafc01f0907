/* The supervisors' live board: asks the server for the board every second (the page says
   how often and where, in data- attributes) and writes the rows into the page's tables and
   texts, so the board updates without a reload. The page is complete without this file: it
   shows the board as it was when loaded. No inline script anywhere (the
   Content-Security-Policy forbids it); texts are written as text, never as HTML. */
(function () {
  "use strict";

  function value(data, path) {
    return path.split(".").reduce(function (found, key) {
      return found === null || found === undefined ? found : found[key];
    }, data);
  }

  function fill(table, rows) {
    var heads = Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) {
      return { field: cell.getAttribute("data-field"), link: cell.getAttribute("data-link") };
    });
    var body = document.createElement("tbody");
    if (!rows.length) {
      var empty = body.insertRow().insertCell();
      empty.colSpan = heads.length;
      empty.textContent = table.getAttribute("data-empty") || "";
    }
    rows.forEach(function (row) {
      var line = body.insertRow();
      if (row.state) { line.setAttribute("data-state", row.state); }
      heads.forEach(function (head) {
        var cell = line.insertCell();
        var text = row[head.field] === undefined || row[head.field] === null ? "" : String(row[head.field]);
        if (head.link && row[head.link]) {
          var link = document.createElement("a");
          link.href = row[head.link];
          link.textContent = text;
          cell.appendChild(link);
        } else {
          cell.textContent = text;
        }
      });
    });
    table.replaceChild(body, table.tBodies[0]);
  }

  function show(board, data) {
    board.querySelectorAll("[data-text]").forEach(function (element) {
      var text = value(data, element.getAttribute("data-text"));
      element.textContent = text === undefined || text === null ? "" : String(text);
    });
    board.querySelectorAll("table[data-rows]").forEach(function (table) {
      fill(table, data[table.getAttribute("data-rows")] || []);
    });
    board.setAttribute("data-stopped", data.dialing && data.dialing.stopped ? "yes" : "no");
    board.classList.remove("stale");
  }

  function start(board) {
    var url = board.getAttribute("data-board-url");
    var every = parseInt(board.getAttribute("data-poll"), 10) || 1000;
    function poll() {
      fetch(url, { credentials: "same-origin", cache: "no-store",
                   headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (response.redirected) {       /* signed out: show the sign-in page */
            window.location.assign(response.url);
            throw new Error("signed out");
          }
          if (!response.ok) { throw new Error("board: " + response.status); }
          return response.json();
        })
        .then(function (data) { show(board, data); })
        .catch(function () { board.classList.add("stale"); })
        .then(function () { window.setTimeout(poll, every); });
    }
    window.setTimeout(poll, every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("board");
    if (board && window.fetch) { start(board); }
  });
}());
